from django.urls import path

from portal.followups import views

app_name = "followups"

urlpatterns = [
    path("mentor/follow-ups/<int:pk>/", views.answer, name="answer"),
]
