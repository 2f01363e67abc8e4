from django.urls import path

from portal.texts import views

app_name = "texts"

urlpatterns = [
    path("mentor/texts/", views.text_preferences, name="preferences"),
    path("texts/inbound/", views.inbound, name="inbound"),
]
