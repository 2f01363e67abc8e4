"""A person changes their own sign-in email: a new address no other account uses, after
a fresh password or passkey check (``portal.security.fresh``). The old address gets a
notice through the outbox, so someone who took over the account cannot move it quietly.
"""

from django import forms
from django.db import IntegrityError, transaction

from portal.accounts.models import User
from portal.accounts.people import INVALID_EMAIL, account_with_email, email_problem
from portal.audit.services import log_action
from portal.lib.forms import TextInputMixin
from portal.notifications.services import notification_queue

# Never the other account's name or role: this page is open to every signed-in person.
TAKEN = "Another account already uses this email. Use another one, or write to the program."
SAME = "That is already your email."


class EmailChangeForm(TextInputMixin, forms.Form):
    email = forms.CharField(
        label="New email",
        max_length=254,
        error_messages={"required": "Enter your new email address."},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"].strip()).lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(SAME)
        other = account_with_email(email)
        problem = email_problem(email, account=other, becoming=self.user.role)
        if problem == INVALID_EMAIL:
            raise forms.ValidationError(INVALID_EMAIL)
        if other is not None:
            raise forms.ValidationError(TAKEN)
        return email


def masked(email: str) -> str:
    """j•••@example.org: enough for the owner of the old address to recognise it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def email_change(*, user: User, new_email: str, program_name: str) -> bool:
    """Change ``user``'s sign-in email; False when another account took it meanwhile."""
    old_email = user.email
    try:
        with transaction.atomic():
            user.email = new_email
            user.save(update_fields=["email"])
            notification_queue(
                to=old_email,
                template="email-changed",
                context={"program_name": program_name, "new_email": masked(new_email)},
                recipient_user=user,
                subject_type="user",
                subject_id=user.pk,
            )
            log_action(
                actor=user,
                action="email.changed",
                obj=user,
                old={"email": old_email},
                new={"email": new_email},
            )
    except IntegrityError:
        user.email = old_email
        return False
    return True
