"""Forms for the facts eligibility reads, on a person's page and a unit's award history."""

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import Initiative, PendingCase, ServiceBreak

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _field(model, name: str, widget=None) -> forms.Field:
    """The model field's form field (label, choices, length), validated again by the service."""
    return model._meta.get_field(name).formfield(**({"widget": widget} if widget else {}))


class InitiativeForm(forms.Form):
    prefix = "initiative"
    title = _field(Initiative, "title")
    level = _field(Initiative, "level")
    recognised_on = _field(Initiative, "recognised_on", DATE)
    reference = _field(Initiative, "reference")


class ServiceBreakForm(forms.Form):
    prefix = "break"
    kind = _field(ServiceBreak, "kind")
    start = _field(ServiceBreak, "start", DATE)
    end = _field(ServiceBreak, "end", DATE)
    note = _field(ServiceBreak, "note")


class CaseOpenForm(forms.Form):
    prefix = "case"
    kind = _field(PendingCase, "kind")
    reference = _field(PendingCase, "reference")
    opened_on = _field(PendingCase, "opened_on", DATE)
    note = _field(PendingCase, "note", forms.Textarea(attrs={"rows": 2}))


class CaseCloseForm(forms.Form):
    """Closes one of the cases still pending, offered from the list the page already has."""

    prefix = "close"
    case = forms.TypedChoiceField(label=_("Vụ việc"), coerce=int)
    closed_on = forms.DateField(label=_("Ngày kết thúc"), widget=DATE)

    def __init__(self, *args, cases: list[PendingCase], **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = {case.pk: case for case in cases}
        self.fields["case"].choices = [
            (case.pk, f"{case} – {case.opened_on:%d/%m/%Y}") for case in cases
        ]

    @property
    def chosen(self) -> PendingCase:
        return self.cases[self.cleaned_data["case"]]
