"""The sign-in backend for the portal's pages and for Django's admin alike."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from portal.security import throttle
from portal.security.models import Passkey

UserModel = get_user_model()


class ThrottledModelBackend(ModelBackend):
    """Email and password, refused without even checking the password while this client
    is locked for this account, or the client, or the account across all clients, after
    too many failures (``throttle``: the pair's limit is low, the account's high).

    Raising PermissionDenied stops Django trying other backends; the reason is left on
    the request for the sign-in form to explain (see ``forms.ThrottleMessageMixin``).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("email")
        if request is not None and username:
            lock = throttle.lock_of("signin", request, username)
            if lock:
                request.signin_locked = lock
                raise PermissionDenied("Too many failed sign-ins.")
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user of each request, with their one-time code device and whether
        they have a passkey in the same query: the session rules ask on every request
        (``totp.requires_code``). A mentor's own row comes with it too: every mentor page
        reads it (the role check, the agreement, their matches)."""
        try:
            user = (
                UserModel._default_manager.select_related("totp_device", "mentor")
                .annotate(has_passkey=Exists(Passkey.objects.filter(user=OuterRef("pk"))))
                .get(pk=user_id)
            )
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
