from django.urls import path

from portal.security import views

app_name = "security"

urlpatterns = [
    path("two-step/", views.account, name="account"),
    path("two-step/set-up/", views.setup, name="setup"),
    path("two-step/code/", views.verify, name="verify"),
    path("two-step/recovery-codes/", views.recovery_codes, name="recovery_codes"),
]
