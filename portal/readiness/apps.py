from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    name = "portal.readiness"
    label = "readiness"
    verbose_name = "Volunteer readiness"
