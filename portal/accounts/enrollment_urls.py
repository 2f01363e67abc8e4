from django.urls import path

from portal.accounts import enrollment_views as views

app_name = "enrollment"

urlpatterns = [
    path("enroll/<str:token>/", views.invitation_accept, name="accept"),
    path("staff/invitations/", views.invitation_list, name="invitation_list"),
    path("staff/invitations/new/", views.invitation_create, name="invitation_create"),
    path("staff/invitations/import/", views.invitation_import, name="invitation_import"),
    path("staff/invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
]
