"""Forms of the bloc review pages: the officer's set-up and the delegates' scores and ballot."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import EmulationBloc, TieRule


def _future(value):
    if value is not None and value <= timezone.now():
        raise ValidationError(_("Hạn phải sau thời điểm hiện tại."))
    return value


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ReviewForm(forms.Form):
    """A bloc's year-end review and the rules the bloc adopted for that year."""

    bloc = forms.ModelChoiceField(
        EmulationBloc.objects.none(), label=_("Khối thi đua"), empty_label=None
    )
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Tên hội nghị"), max_length=200)
    meeting_date = forms.DateField(label=_("Ngày họp"), widget=DATE)
    quota = forms.IntegerField(
        label=_("Số đơn vị được suy tôn"),
        min_value=1,
        max_value=20,
        initial=1,
        help_text=_("Theo chỉ tiêu Cờ thi đua của Bộ Quốc phòng giao cho khối."),
    )
    own_unit_vote_allowed = forms.BooleanField(
        label=_("Đại biểu được chấm điểm và bỏ phiếu cho đơn vị mình"), required=False
    )
    tie_rule = forms.ChoiceField(
        label=_("Khi bằng phiếu tại ngưỡng suy tôn"),
        choices=TieRule.choices,
        initial=TieRule.SECOND_ROUND,
    )
    scoring_deadline = forms.DateTimeField(
        label=_("Hạn chấm điểm"), required=False, widget=DATETIME
    )
    voting_deadline = forms.DateTimeField(
        label=_("Hạn bỏ phiếu suy tôn"), required=False, widget=DATETIME
    )

    def __init__(self, *args, blocs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bloc"].queryset = blocs

    def clean_scoring_deadline(self):
        return _future(self.cleaned_data["scoring_deadline"])

    def clean_voting_deadline(self):
        return _future(self.cleaned_data["voting_deadline"])


class DelegatesForm(forms.Form):
    """The delegate of each member unit, by user name."""

    def __init__(self, *args, units, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units
        for unit in units:
            seat = seats.get(unit.pk)
            self.fields[f"unit-{unit.pk}"] = forms.CharField(
                label=unit.short_name,
                required=False,
                initial=seat.user.username if seat else "",
            )

    def rows(self):
        return [(unit, self[f"unit-{unit.pk}"]) for unit in self.units]

    def clean(self):
        data = super().clean()
        names = {
            unit.pk: (data.get(f"unit-{unit.pk}") or "").strip()
            for unit in self.units
            if (data.get(f"unit-{unit.pk}") or "").strip()
        }
        users = {
            user.username: user
            for user in get_user_model().objects.filter(username__in=names.values())
        }
        unknown = sorted(set(names.values()) - set(users))
        if unknown:
            raise ValidationError(
                _("Không có tài khoản: %(names)s.") % {"names": ", ".join(unknown)}
            )
        self.delegates = {unit_id: users[name] for unit_id, name in names.items()}
        return data


class ScoreForm(forms.Form):
    """A delegate's score for each unit they score, on each of the year's criteria."""

    def __init__(self, *args, units, criteria, initial_scores, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.criteria = units, criteria
        for unit in units:
            for criterion in criteria:
                self.fields[f"s-{unit.pk}-{criterion.pk}"] = forms.DecimalField(
                    label=f"{unit.short_name} — {criterion.name}",
                    min_value=0,
                    max_value=criterion.max_score,
                    max_digits=6,
                    decimal_places=2,
                    initial=initial_scores.get((unit.pk, criterion.pk)),
                    widget=forms.NumberInput(
                        attrs={
                            "step": "0.01",
                            "class": "score",
                            # the table shows the unit and the criterion, not a label
                            "aria-label": f"{unit.short_name} — {criterion.name}",
                        }
                    ),
                )

    def rows(self):
        return [
            (unit, [self[f"s-{unit.pk}-{criterion.pk}"] for criterion in self.criteria])
            for unit in self.units
        ]

    def scores(self) -> dict:
        return {
            (unit.pk, criterion.pk): self.cleaned_data[f"s-{unit.pk}-{criterion.pk}"]
            for unit in self.units
            for criterion in self.criteria
        }


class AcclaimForm(forms.Form):
    """The secret acclamation ballot: the units chosen, up to the seats left."""

    units = forms.MultipleChoiceField(
        label=_("Đơn vị suy tôn"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(unit.pk), unit.name) for unit in candidates]


class DecideForm(forms.Form):
    units = forms.MultipleChoiceField(
        label=_("Đơn vị khối trưởng chọn"), widget=forms.CheckboxSelectMultiple
    )
    decision = forms.CharField(
        label=_("Quyết định và lý do của khối trưởng"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, tied, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(r.unit_id), r.unit.name) for r in tied]


class SubmitForm(forms.Form):
    minutes = forms.CharField(
        label=_("Biên bản hội nghị bình xét, suy tôn"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Được ghi vào hồ sơ đề nghị của từng đơn vị thành viên."),
    )
