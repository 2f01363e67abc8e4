from django.urls import path

from portal.support import views

app_name = "support"

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("contact/", views.contact_page, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
]
