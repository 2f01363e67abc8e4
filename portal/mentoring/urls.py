from django.urls import path

from portal.mentoring import preferences, views

app_name = "mentoring"

urlpatterns = [
    path("mentor/", views.mentor_home, name="home"),
    path("mentor/no-session/", views.no_session_month, name="no_session_month"),
    path("mentor/email/", preferences.email_preferences, name="email_preferences"),
    path("mentor/language/", preferences.language, name="language"),
    path("reminders/weekly/<str:signed>/", preferences.weekly_reminders, name="weekly_reminders"),
    path("sessions/", views.session_list, name="session_list"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/my-hours/", views.hours_download, name="hours_download"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session_delete"),
    path("sessions/<int:pk>/add/", views.session_add_flags, name="session_add_flags"),
]
