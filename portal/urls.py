from django.contrib import admin
from django.urls import include, path

from portal.accounts.views import home

admin.site.site_header = "Mentor Portal administration"
admin.site.site_title = "Mentor Portal"
admin.site.index_title = "Program records"

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("portal.accounts.urls")),
    path("staff/", include("portal.staff.urls")),
    path("", include("portal.mentoring.urls")),
    path("", include("portal.safeguarding.urls")),
    path("", include("portal.support.urls")),
    path("", include("portal.lifecycle.urls")),
    path("", include("portal.accounts.enrollment_urls")),
    path("admin/", admin.site.urls),
]
