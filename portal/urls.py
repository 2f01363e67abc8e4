from django.contrib import admin
from django.urls import include, path

from portal.accounts.views import home
from portal.security.forms import AdminSignInForm

admin.site.site_header = "Mentor Portal administration"
admin.site.site_title = "Mentor Portal"
admin.site.index_title = "Program records"
admin.site.login_form = AdminSignInForm  # explains sign-in limits, like the portal's form

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/", include("portal.security.urls")),
    path("staff/", include("portal.staff.urls")),
    path("staff/check-ins/", include("portal.checkins.urls")),
    path("", include("portal.mentoring.urls")),
    path("", include("portal.safeguarding.urls")),
    path("", include("portal.followups.urls")),
    path("", include("portal.readiness.urls")),
    path("", include("portal.texts.urls")),
    path("", include("portal.support.urls")),
    path("", include("portal.lifecycle.urls")),
    path("", include("portal.enrollment.urls")),
    path("admin/", admin.site.urls),
    # Health checks, /.well-known/security.txt and /favicon.ico (portal/health/).
    path("", include("portal.health.urls")),
]

# Friendly error pages with an error id (portal/security/errors.py).
handler400 = "portal.security.errors.bad_request"
handler403 = "portal.security.errors.permission_denied"
handler404 = "portal.security.errors.page_not_found"
handler500 = "portal.security.errors.server_error"
