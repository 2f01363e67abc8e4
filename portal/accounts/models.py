"""People who sign in: mentors, school site contacts, program staff and administrators."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone

from portal.lib.constraints import one_of


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    SITE_CONTACT = "site_contact", "School site contact"
    STAFF = "staff", "Program staff"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = {Role.STAFF, Role.ADMIN}


class Language(models.TextChoices):
    """The languages of mentor pages and emails. Blank: not chosen yet (the browser's)."""

    NOT_CHOSEN = "", "Not chosen"
    ENGLISH = "en", "English"
    SPANISH = "es", "Español"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.MENTOR)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields["role"] = Role.ADMIN
        return self._create_user(email, password, **fields)

    def get_by_natural_key(self, username):
        # Sign-in is case-insensitive on the email address.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address.

    ``is_staff`` and ``is_superuser`` follow the role, so the role is the one thing to set.
    """

    email = models.EmailField("email", unique=True)
    full_name = models.CharField("full name", max_length=150)
    phone = models.CharField("phone", max_length=40, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MENTOR)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Staff only: the Monday digest of their caseload (portal/mentoring/digest.py).
    weekly_digest = models.BooleanField(
        "weekly digest email",
        default=True,
        db_default=True,  # rows written in bulk (the benchmark, old migrations) leave it out
        help_text="Staff: the Monday email about my matches.",
    )

    # Mentors: the language of their pages and emails; blank until they choose one.
    language = models.CharField(
        "language",
        max_length=2,
        choices=Language.choices,
        blank=True,
        default="",
        db_default="",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            one_of("role", Role, name="user_role_known"),
            one_of("language", Language, name="user_language_known"),
        ]
        # Lists of people are read in name order (compliance's mentors, the mentor list):
        # at 20,000 mentors a sort of every name costs more than the rest of the page.
        indexes = [models.Index(fields=["full_name", "email"], name="user_name_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        self.is_staff = self.role in STAFF_ROLES
        self.is_superuser = self.role == Role.ADMIN
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_site_contact(self) -> bool:
        return self.role == Role.SITE_CONTACT

    @property
    def is_program_staff(self) -> bool:
        """Staff or administrator: may see and manage everything about the program."""
        return self.role in STAFF_ROLES

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN
