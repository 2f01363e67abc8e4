"""Sign-in events: count failures, start the session clocks, end other sessions."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.security import sessions, throttle
from portal.security.models import UserSession


@receiver(user_login_failed)
def count_failed_signin(sender, credentials, request=None, **kwargs):
    if request is None or getattr(request, "signin_locked", None):
        return  # a refusal because of a lock is not one more guess
    username = credentials.get("username") or credentials.get("email") or ""
    throttle.count_failure("signin", request, username)


@receiver(user_logged_in)
def start_session(sender, request, user, **kwargs):
    if request is not None:
        throttle.clear_pair("signin", request, user.email)
    sessions.start(request, user)


@receiver(user_logged_out)
def end_all_sessions_on_sign_out(sender, request, user, **kwargs):
    if user is not None:
        sessions.end_all(user)


@receiver(post_save, sender=get_user_model())
def end_sessions_of_deactivated_user(sender, instance, **kwargs):
    if not instance.is_active:
        sessions.end_all(instance)


__all__ = ["Session", "UserSession"]
