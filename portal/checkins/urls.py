from django.urls import path

from portal.checkins import views

app_name = "checkins"

urlpatterns = [
    path("overdue/", views.overdue, name="overdue"),
    path("matches/<int:pk>/new/", views.record, name="record"),
    path("cadence/", views.cadence, name="cadence"),
]
