"""Staff pages of enrollment, included by ``portal/staff/urls.py`` under ``staff/invitations/``
(so their names are ``staff:invitation_...``, and the staff navigation knows where it is)."""

from django.urls import path

from portal.enrollment import views

urlpatterns = [
    path("", views.invitation_list, name="invitation_list"),
    path("new/", views.invitation_create, name="invitation_create"),
    path("import/", views.invitation_import, name="invitation_import"),
    path("<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
]
