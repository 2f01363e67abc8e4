"""The staff's queue of Contact messages, included by ``portal/staff/urls.py`` under
``staff/support-requests/`` (so their names are ``staff:support_request_...``, and the staff
navigation knows where it is)."""

from django.urls import path

from portal.support import views

urlpatterns = [
    path("", views.request_list, name="support_request_list"),
    path("<int:pk>/", views.request_detail, name="support_request_detail"),
    path("<int:pk>/reply/", views.request_reply, name="support_request_reply"),
    path("<int:pk>/status/", views.request_status, name="support_request_status"),
]
