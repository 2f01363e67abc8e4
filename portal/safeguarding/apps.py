from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "portal.safeguarding"
    label = "safeguarding"
    verbose_name = "Safety concerns and needs"
