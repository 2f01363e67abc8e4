from django.apps import AppConfig


class EnrollmentConfig(AppConfig):
    name = "portal.enrollment"
    label = "enrollment"
    verbose_name = "Enrollment"
