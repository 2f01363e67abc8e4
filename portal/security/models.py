"""Records behind sign-in security: one-time code devices and the sessions of each user."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class TOTPDevice(models.Model):
    """A person's authenticator app: the shared secret and the last time step used.

    ``confirmed_at`` is empty until the person has typed a first good code; only a
    confirmed device is asked for at sign-in. ``last_step`` makes each code single-use.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_step = models.BigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "one-time code device"
        verbose_name_plural = "one-time code devices"

    def __str__(self) -> str:
        return f"Codes for {self.user}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class UserSession(models.Model):
    """Which sessions belong to which user, so that signing out or deactivation can end
    them all without decoding every session in the database."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Session of {self.user_id}"


class RecoveryCode(models.Model):
    """One single-use recovery code of a device, for a person who lost their phone.

    Only a salted, slow hash is kept (``portal.security.recovery``); the code itself is
    shown once, when the set is made. ``used_at`` is set when it is used. The codes are
    the person's; deleting the app's device (an administrator's reset) deletes the codes
    made with it, and turning the app off keeps them only while a passkey stays.
    """

    # The person's codes: made with their app, or with their first passkey (no device).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    device = models.ForeignKey(
        TOTPDevice,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recovery_codes",
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "recovery code"
        verbose_name_plural = "recovery codes"

    def __str__(self) -> str:
        return "Recovery code (used)" if self.used_at else "Recovery code"


class LimitCount(models.Model):
    """One count of ``portal.security.throttle``: failures of one subject (a hashed email,
    client or pair of both) under one limit, in the window that ends at ``window_ends``,
    and the lock it earned.

    A table of its own, not the cache: a cache forgets entries when it is full, and a
    flood of unrelated failures must never unlock anyone. Rows go when both their window
    and their lock are over (``throttle.forget_expired``), never because of their number.
    Times are Unix seconds, so that the one SQL upsert reads the same on SQLite and
    PostgreSQL.
    """

    name = models.CharField(max_length=32)
    subject = models.CharField(max_length=64)  # sha256 hex of the subject, never the email
    count = models.PositiveIntegerField(default=0)
    window_ends = models.BigIntegerField(db_index=True)
    locked_until = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "sign-in limit count"
        constraints = [
            models.UniqueConstraint(fields=["name", "subject"], name="security_limit_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"


class Passkey(models.Model):
    """A passkey (WebAuthn credential) a person registered as their second step: a phone,
    a laptop's fingerprint reader or a security key. Only the public key is kept.

    ``sign_count`` is the authenticator's counter at the last use: a counter that does not
    go up (when the authenticator keeps one) means a copied key and is refused.
    ``user_handle`` is the random id the authenticator stores for the person (the same on
    each of their passkeys), never their database id or email.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="passkeys"
    )
    name = models.CharField(max_length=60)
    # base64url of the credential id (at most 1023 bytes, so at most 1364 characters).
    credential_id = models.CharField(max_length=1400, unique=True)
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    user_handle = models.CharField(max_length=100)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "passkey"
        verbose_name_plural = "passkeys"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Passkey {self.name!r} of {self.user_id}"
