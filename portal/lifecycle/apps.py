from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "portal.lifecycle"
    verbose_name = "Data lifecycle"
