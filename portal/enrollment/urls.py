"""The public page of enrollment: the link in an invitation email. The staff pages are in
``staff_urls``, mounted under the staff workspace's URLs."""

from django.urls import path

from portal.enrollment import views

app_name = "enrollment"

urlpatterns = [
    path("enroll/<str:token>/", views.invitation_accept, name="accept"),
]
