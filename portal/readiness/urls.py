from django.urls import path

from portal.readiness import views

app_name = "readiness"

urlpatterns = [
    path("staff/readiness/", views.readiness_list, name="list"),
    path("staff/readiness/mentors/<int:pk>/record/", views.record, name="record"),
    path("staff/readiness/records/<int:pk>/remove/", views.record_remove, name="record_remove"),
    path("staff/readiness/training/", views.training_list, name="training_list"),
    path("staff/readiness/requirements/", views.requirements, name="requirements"),
    path("staff/readiness/requirements/new/", views.item_edit, name="item_create"),
    path("staff/readiness/requirements/<int:pk>/", views.item_edit, name="item_edit"),
    path("mentor/readiness/", views.mine, name="mine"),
    path("mentor/agreement/", views.agreement, name="agreement"),
]
