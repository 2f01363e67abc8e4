from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "portal.followups"
    label = "followups"
    verbose_name = "Follow-ups on session entries"
