from django.apps import AppConfig


class FileJobsConfig(AppConfig):
    name = "portal.filejobs"
    label = "filejobs"
    verbose_name = "Background exports and imports"
