from django.apps import AppConfig


class TextsConfig(AppConfig):
    name = "portal.texts"
    label = "texts"
    verbose_name = "Text messages"
