from django.urls import path

from portal.lifecycle import views

app_name = "lifecycle"

urlpatterns = [
    path("records/mentees/<int:pk>/erase/", views.mentee_erase, name="mentee_erase"),
]
