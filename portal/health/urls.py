from django.urls import path

from portal.health import views

app_name = "health"

urlpatterns = [
    path("health/live/", views.live, name="live"),
    path("health/ready/", views.ready, name="ready"),
    path(".well-known/security.txt", views.security_txt, name="security_txt"),
    path("favicon.ico", views.favicon, name="favicon"),
]
