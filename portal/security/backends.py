"""The sign-in backend for the portal's pages and for Django's admin alike."""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from portal.security import throttle
from portal.security.client_ip import client_ip


class ThrottledModelBackend(ModelBackend):
    """Email and password, refused without even checking the password while the account
    or the client address is locked after too many failures.

    Raising PermissionDenied stops Django trying other backends; the reason is left on
    the request for the sign-in form to explain (see ``forms.ThrottleMessageMixin``).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("email")
        if request is not None and username:
            for name, subject in (
                ("signin-account", username),
                ("signin-ip", client_ip(request)),
            ):
                seconds = throttle.locked_for(name, subject)
                if seconds:
                    request.signin_locked = (name, seconds)
                    raise PermissionDenied("Too many failed sign-ins.")
        return super().authenticate(request, username=username, password=password, **kwargs)
