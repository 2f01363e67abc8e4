"""The staff's queue of Contact messages, in the staff workspace at
/staff/support-requests/ (its navigation marks them by that address).

Included from portal/support/urls.py rather than portal/staff/urls.py: Django gives a
namespace one place in the URL tree, and these names stay ``support:`` beside the public
Help and Contact pages."""

from django.urls import path

from portal.support import views

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("<int:pk>/", views.request_detail, name="request_detail"),
    path("<int:pk>/reply/", views.request_reply, name="request_reply"),
    path("<int:pk>/status/", views.request_status, name="request_status"),
]
