from django.apps import AppConfig


class CheckinsConfig(AppConfig):
    name = "portal.checkins"
    label = "checkins"
    verbose_name = "Support check-ins"
