from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "portal.mentoring"
    label = "mentoring"
    verbose_name = "Mentoring"
