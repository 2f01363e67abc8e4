from django.urls import include, path

from portal.staff import views

app_name = "staff"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/review/", views.session_review_bulk, name="session_review_bulk"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/correct/", views.session_correct, name="session_correct"),
    path("sessions/<int:pk>/review/", views.session_review, name="session_review"),
    path("compliance/", views.compliance, name="compliance"),
    path("hours/", views.hours, name="hours"),
    path("export/", views.export, name="export"),
    path("import/", views.import_start, name="import_start"),
    path("import/<str:kind>/", views.import_upload, name="import_upload"),
    path("import/<str:kind>/template.csv", views.import_template, name="import_template"),
    path("import/<str:kind>/save/", views.import_save, name="import_save"),
    path("schools/", views.site_list, name="site_list"),
    path("schools/new/", views.site_edit, name="site_create"),
    path("schools/<int:pk>/", views.site_detail, name="site_detail"),
    path("schools/<int:pk>/edit/", views.site_edit, name="site_edit"),
    path("schools/<int:site_pk>/people/new/", views.contact_edit, name="contact_create"),
    path("schools/<int:site_pk>/people/<int:pk>/", views.contact_edit, name="contact_edit"),
    path(
        "schools/<int:site_pk>/people/<int:pk>/invite/",
        views.contact_invite,
        name="contact_invite",
    ),
    path(
        "schools/<int:site_pk>/people/<int:pk>/remove/",
        views.contact_remove,
        name="contact_remove",
    ),
    path("mentors/", views.mentor_list, name="mentor_list"),
    path("mentors/new/", views.mentor_edit, name="mentor_create"),
    path("mentors/<int:pk>/", views.mentor_detail, name="mentor_detail"),
    path("mentors/<int:pk>/edit/", views.mentor_edit, name="mentor_edit"),
    path("mentees/", views.mentee_list, name="mentee_list"),
    path("mentees/new/", views.mentee_edit, name="mentee_create"),
    path("mentees/<int:pk>/edit/", views.mentee_edit, name="mentee_edit"),
    path("matches/", views.match_list, name="match_list"),
    path("matches/new/", views.match_edit, name="match_create"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/edit/", views.match_edit, name="match_edit"),
    path("matches/<int:pk>/close/", views.match_close, name="match_close"),
    path("invitations/", include("portal.enrollment.staff_urls")),
    path("settings/", views.program_settings, name="program_settings"),
    path("settings/choices/", views.choice_add, name="choice_add"),
    path("settings/choices/<int:pk>/", views.choice_change, name="choice_change"),
]
