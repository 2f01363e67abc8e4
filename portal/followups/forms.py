from django import forms
from django.utils.translation import gettext_lazy as _

from portal.followups.models import ANSWER_MAX, QUESTION_MAX, RESOLUTION_NOTE_MAX
from portal.lib.forms import FieldMessagesMixin, TextInputMixin


class AskForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        help_text=_(
            "For example: Can you tell me more about the washing machine? "
            "The mentor is emailed and answers in the portal."
        ),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your question to the mentor.")},
    )


class AnswerForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    answer = forms.CharField(
        label=_("Your answer"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write your answer.")},
    )


class ResolveForm(FieldMessagesMixin, TextInputMixin, forms.Form):
    resolution_note = forms.CharField(
        label=_("Note (optional once the mentor has answered)"),
        required=False,
        max_length=RESOLUTION_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
