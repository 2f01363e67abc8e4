from django.urls import include, path

from portal.staff.views import dashboard, exports, imports, people, reports, sessions, settings

app_name = "staff"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/review/", sessions.session_review_bulk, name="session_review_bulk"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    path("sessions/<int:pk>/correct/", sessions.session_correct, name="session_correct"),
    path("sessions/<int:pk>/review/", sessions.session_review, name="session_review"),
    path("compliance/", reports.compliance, name="compliance"),
    path("hours/", reports.hours, name="hours"),
    path("export/", exports.export, name="export"),
    path("import/", imports.import_start, name="import_start"),
    path("import/<str:kind>/", imports.import_upload, name="import_upload"),
    path("import/<str:kind>/template.csv", imports.import_template, name="import_template"),
    path("import/<str:kind>/save/", imports.import_save, name="import_save"),
    path("schools/", people.site_list, name="site_list"),
    path("schools/new/", people.site_edit, name="site_create"),
    path("schools/<int:pk>/", people.site_detail, name="site_detail"),
    path("schools/<int:pk>/edit/", people.site_edit, name="site_edit"),
    path("schools/<int:site_pk>/people/new/", people.contact_edit, name="contact_create"),
    path("schools/<int:site_pk>/people/<int:pk>/", people.contact_edit, name="contact_edit"),
    path(
        "schools/<int:site_pk>/people/<int:pk>/invite/",
        people.contact_invite,
        name="contact_invite",
    ),
    path(
        "schools/<int:site_pk>/people/<int:pk>/remove/",
        people.contact_remove,
        name="contact_remove",
    ),
    path("mentors/", people.mentor_list, name="mentor_list"),
    path("mentors/new/", people.mentor_edit, name="mentor_create"),
    path("mentors/<int:pk>/", people.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/edit/", people.mentor_edit, name="mentor_edit"),
    path("mentees/", people.mentee_list, name="mentee_list"),
    path("mentees/new/", people.mentee_edit, name="mentee_create"),
    path("mentees/<int:pk>/edit/", people.mentee_edit, name="mentee_edit"),
    path("matches/", people.match_list, name="match_list"),
    path("matches/new/", people.match_edit, name="match_create"),
    path("matches/<int:pk>/", people.match_detail, name="match_detail"),
    path("matches/<int:pk>/edit/", people.match_edit, name="match_edit"),
    path("matches/<int:pk>/close/", people.match_close, name="match_close"),
    path("invitations/", include("portal.enrollment.staff_urls")),
    path("support-requests/", include("portal.support.staff_urls")),
    path("settings/", settings.program_settings, name="program_settings"),
    path("settings/choices/", settings.choice_add, name="choice_add"),
    path("settings/choices/<int:pk>/", settings.choice_change, name="choice_change"),
]
