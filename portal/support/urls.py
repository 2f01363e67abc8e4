from django.urls import path

from portal.support import views

app_name = "support"

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("contact/", views.contact_page, name="contact"),
    path("contact/sent/", views.contact_sent, name="contact_sent"),
    path("staff/support-requests/", views.request_list, name="request_list"),
    path("staff/support-requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("staff/support-requests/<int:pk>/reply/", views.request_reply, name="request_reply"),
    path("staff/support-requests/<int:pk>/status/", views.request_status, name="request_status"),
]
