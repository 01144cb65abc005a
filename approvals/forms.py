"""Forms of the nomination pages; choices are limited to what the user may use."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from approvals.models import (
    Attachment,
    AttendanceStatus,
    Award,
    AwardRule,
    AwardsCouncil,
    Campaign,
    Choice,
    DocumentType,
    Nomination,
    Person,
    SubmissionLetter,
    Unit,
)
from approvals.permissions import prepare_q
from approvals.selectors.eligible_candidates import open_campaigns
from approvals.selectors.organisation import people_to_choose
from approvals.selectors.scope import scope_for
from approvals.services.nominations import Action, ReturnTo

PERSON_CHOICES = 200  # people a form's person select lists at most; the rest by search


def preparable_units(user):
    return Unit.objects.filter(prepare_q(scope_for(user), "")).order_by("path")


class UnitChoiceField(forms.ModelChoiceField):
    """Units by full name ("Tiểu đoàn 1, Trung đoàn 2"): short names repeat across the tree."""

    def label_from_instance(self, obj) -> str:
        return obj.name


class PersonChoiceField(forms.ModelChoiceField):
    """People by rank, name, service number and unit: namesakes are common in a large unit.
    The queryset must select the unit (select_related) to label without a query per person."""

    def label_from_instance(self, obj) -> str:
        return f"{obj} — {obj.service_number}, {obj.unit.short_name}"


def default_unit(units):
    """The unit a form proposes among `units` (ordered by path): the only one, or the one all
    the others are under (the unit an officer's role is on, with its subunits)."""
    top = units.first()
    if top is None or units.exclude(path__startswith=top.path).exists():
        return None
    return top


def default_campaign():
    """The open campaign a form proposes: the latest."""
    return open_campaigns().order_by("-year", "pk").first()


class _Preparable(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class NominationForm(_Preparable):
    submitting_unit = UnitChoiceField(Unit.objects.none(), label=_("Đơn vị đề nghị"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Đợt thi đua"))
    award = forms.ModelChoiceField(
        Award.objects.none(), label=_("Danh hiệu, hình thức khen thưởng")
    )
    person_search = forms.CharField(
        label=_("Tìm cá nhân"),
        required=False,
        max_length=120,
        help_text=_("Họ tên (có dấu hoặc không) hoặc số hiệu, rồi bấm “Tìm”."),
    )
    person = PersonChoiceField(
        Person.objects.none(),
        label=_("Cá nhân được đề nghị"),
        required=False,
        help_text=_("Để trống nếu đề nghị cho tập thể."),
    )
    nominee_unit = UnitChoiceField(
        Unit.objects.none(),
        label=_("Tập thể được đề nghị"),
        required=False,
        help_text=_("Để trống nếu đề nghị cho cá nhân."),
    )
    achievements = forms.CharField(
        label=_("Tóm tắt thành tích"), widget=forms.Textarea(attrs={"rows": 6})
    )
    letter = forms.ModelChoiceField(
        SubmissionLetter.objects.none(), label=_("Thuộc tờ trình"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        units = preparable_units(user)
        self.fields["submitting_unit"].queryset = units
        self.fields["nominee_unit"].queryset = units
        self.fields["campaign"].queryset = open_campaigns()
        self.fields["award"].queryset = Award.objects.filter(is_active=True, routes__isnull=False)
        self._people_choices(Person.objects.filter(prepare_q(scope_for(user), "unit")))
        self.fields["letter"].queryset = SubmissionLetter.objects.filter(
            prepare_q(scope_for(user), "unit"), campaign__is_open=True
        )
        if not self.is_bound:
            self.fields["submitting_unit"].initial = default_unit(units)
            self.fields["campaign"].initial = default_campaign()

    def _people_choices(self, people) -> None:
        """The person select lists at most PERSON_CHOICES people: a division's thousands are
        found by name or service number ("Tìm") rather than scrolled through."""
        values = self.data if self.is_bound else self.initial
        search = str(values.get("person_search") or "")
        selected = values.get("person") or ""
        selected = str(getattr(selected, "pk", selected))
        choices, total, matching = people_to_choose(
            people, search=search, selected=selected, limit=PERSON_CHOICES
        )
        field = self.fields["person"]
        field.queryset = choices.select_related("unit")
        if search.strip():
            found = ngettext("Tìm thấy %(n)s người.", "Tìm thấy %(n)s người.", matching) % {
                "n": matching
            }
            if matching > PERSON_CHOICES:
                found += " " + _("Hiện %(limit)s người đầu: tìm cụ thể hơn.") % {
                    "limit": PERSON_CHOICES
                }
            field.help_text = f"{found} {field.help_text}"
            if matching == 1 and not selected and not self.is_bound:
                self.initial["person"] = choices.get().pk  # the one found, ready to save
        elif total > PERSON_CHOICES:
            field.help_text = _(
                "Đơn vị có %(n)s người: tìm theo họ tên hoặc số hiệu ở ô trên. %(hint)s"
            ) % {"n": number_format(total, force_grouping=True), "hint": field.help_text}

    def clean(self):
        data = super().clean()
        data.pop("person_search", None)  # it narrows the select, the nomination has no use for it
        if not data.get("person") and not data.get("nominee_unit"):
            raise ValidationError(_("Chọn một cá nhân hoặc một tập thể được đề nghị."))
        if data.get("person") and data.get("nominee_unit"):
            raise ValidationError(_("Chỉ chọn cá nhân hoặc tập thể, không chọn cả hai."))
        return data


class NominationEditForm(_Preparable):
    achievements = forms.CharField(
        label=_("Tóm tắt thành tích"), widget=forms.Textarea(attrs={"rows": 6})
    )
    letter = forms.ModelChoiceField(
        SubmissionLetter.objects.none(), label=_("Thuộc tờ trình"), required=False
    )

    def __init__(self, *args, user, nomination, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["letter"].queryset = SubmissionLetter.objects.filter(
            unit=nomination.submitting_unit, campaign=nomination.campaign
        )


class ActForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Ý kiến xử lý"),
        choices=[
            (Action.APPROVE, _("Đồng ý, chuyển bước tiếp theo")),
            (Action.RETURN, _("Trả lại để hoàn thiện")),
            (Action.REJECT, _("Không đề nghị")),
        ],
        widget=forms.RadioSelect,
    )
    return_to = forms.ChoiceField(
        label=_("Trả lại cho"),
        choices=[
            (ReturnTo.PREVIOUS, _("Bước trước")),
            (ReturnTo.UNIT, _("Đơn vị đề nghị")),
        ],
        initial=ReturnTo.PREVIOUS,
        required=False,
    )
    comment = forms.CharField(
        label=_("Ý kiến, lý do"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi trả lại hoặc không đề nghị."),
    )

    def __init__(self, *args, actions: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if actions is not None:
            offered = {Action.APPROVE, Action.RETURN, Action.REJECT} & set(actions)
            if "submit" in actions:
                offered.add(Action.APPROVE)
            field = self.fields["action"]
            field.choices = [(v, label) for v, label in field.choices if v in offered]

    def clean(self):
        data = super().clean()
        if (
            data.get("action") in (Action.RETURN, Action.REJECT)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Phải nêu lý do."))
        return data


class VoteResultForm(forms.Form):
    agree = forms.IntegerField(label=_("Số phiếu tán thành"), min_value=0)
    note = forms.CharField(
        label=_("Ghi chú (số biên bản, ngày họp)"), required=False, max_length=300
    )

    def __init__(self, *args, members: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agree"].max_value = members
        self.fields["agree"].widget.attrs["max"] = members


class RuleOverrideForm(forms.Form):
    rule = forms.ModelChoiceField(AwardRule.objects.all(), widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Lý do miễn áp dụng"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Lý do rút đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LetterForm(_Preparable):
    unit = UnitChoiceField(Unit.objects.none(), label=_("Đơn vị trình"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Đợt thi đua"))
    title = forms.CharField(label=_("Trích yếu"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        units = preparable_units(user)
        self.fields["unit"].queryset = units
        self.fields["campaign"].queryset = open_campaigns()
        if not self.is_bound:
            self.fields["unit"].initial = default_unit(units)
            self.fields["campaign"].initial = default_campaign()


class AttachmentForm(forms.Form):
    upload = forms.FileField(label=_("Tệp (PDF, DOCX, XLSX, JPEG, PNG)"))
    document_type = forms.ModelChoiceField(
        DocumentType.objects.all(), label=_("Loại tài liệu"), required=False
    )
    replaces = forms.ModelChoiceField(
        Attachment.objects.none(), label=_("Thay thế bản"), required=False
    )

    def __init__(self, *args, nomination, attachments=None, **kwargs):
        """`attachments`: the nomination's files when the page has read them already, so
        that showing the form reads them no second time (a post still checks the choice
        against the database)."""
        super().__init__(*args, **kwargs)
        field = self.fields["replaces"]
        field.queryset = nomination.attachments.filter(is_current=True)
        if attachments is not None:
            current = [a for a in attachments if a.is_current]
            field.choices = [("", field.empty_label)] + [
                (a.pk, field.label_from_instance(a)) for a in current
            ]


# Council sessions ----------------------------------------------------------------------------


class SessionForm(forms.Form):
    """A new council session; the agenda is chosen among the council's waiting nominations."""

    council = forms.ModelChoiceField(
        AwardsCouncil.objects.none(), label=_("Hội đồng"), empty_label=None
    )
    title = forms.CharField(label=_("Tên phiên họp"), max_length=200)
    meeting_date = forms.DateField(
        label=_("Ngày họp"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    voting_deadline = forms.DateTimeField(
        label=_("Hạn bỏ phiếu"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Hết hạn, việc bỏ phiếu tự động kết thúc."),
    )
    nominations = forms.ModelMultipleChoiceField(
        Nomination.objects.none(),
        label=_("Đề nghị đưa ra biểu quyết"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Chọn ít nhất một đề nghị đưa ra biểu quyết."),
            "invalid_choice": _(
                "Có đề nghị không còn chờ hội đồng này biểu quyết; đề nghị chọn lại."
            ),
            "invalid_pk_value": _("Đề nghị đã chọn không hợp lệ."),
        },
    )

    def __init__(self, *args, councils, waiting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
        self.fields["nominations"].queryset = waiting

    def clean_voting_deadline(self):
        deadline = self.cleaned_data["voting_deadline"]
        if deadline <= timezone.now():
            raise ValidationError(_("Hạn bỏ phiếu phải sau thời điểm hiện tại."))
        return deadline


class AttendanceForm(forms.Form):
    """Attendance of each roster member: present, absent voting in writing, or absent."""

    def __init__(self, *args, attendances, allows_written: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(AttendanceStatus.PRESENT, AttendanceStatus.PRESENT.label)]
        if allows_written:
            choices.append((AttendanceStatus.WRITTEN, AttendanceStatus.WRITTEN.label))
        choices.append((AttendanceStatus.ABSENT, AttendanceStatus.ABSENT.label))
        self.attendances = list(attendances)
        for attendance in self.attendances:
            self.fields[f"m{attendance.membership_id}"] = forms.ChoiceField(
                label=str(attendance.membership.person),
                choices=choices,
                initial=attendance.status,
                widget=forms.RadioSelect,
            )

    def rows(self):
        """Each attendance row with its bound radio field, in roster order."""
        return [(a, self[f"m{a.membership_id}"]) for a in self.attendances]

    def _with(self, status) -> list[int]:
        return [
            a.membership_id
            for a in self.attendances
            if self.cleaned_data.get(f"m{a.membership_id}") == status
        ]

    def present(self) -> list[int]:
        return self._with(AttendanceStatus.PRESENT)

    def written(self) -> list[int]:
        return self._with(AttendanceStatus.WRITTEN)


class ConcludeForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Kết luận của chủ tịch hội đồng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    second_round = forms.TypedMultipleChoiceField(
        label=_("Đưa ra bỏ phiếu vòng hai"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chỉ các đề nghị chưa đạt ở vòng một; để trống nếu kết luận theo kết quả."),
    )

    def __init__(self, *args, short_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        if short_items:
            self.fields["second_round"].choices = [
                (item.pk, item.nomination.nominee_name) for item in short_items
            ]
        else:
            del self.fields["second_round"]


class BallotForm(forms.Form):
    """The member's whole ballot for the current round: agree or disagree on every item.

    Recused items get no field. Nothing is stored until the ballot is submitted.
    """

    def __init__(self, *args, items, recused, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.recused = set(recused)
        for item in self.items:
            if item.pk in self.recused:
                continue
            self.fields[f"choice-{item.pk}"] = forms.ChoiceField(
                label=item.nomination.nominee_name,
                choices=Choice.choices,
                widget=forms.RadioSelect,
                error_messages={"required": _("Chưa chọn tán thành hoặc không tán thành.")},
            )
            self.fields[f"opinion-{item.pk}"] = forms.CharField(
                label=_("Ý kiến khác (nếu có)"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        """Each item with its choice and opinion fields (None for a recused item)."""
        rows = []
        for item in self.items:
            if item.pk in self.recused:
                rows.append((item, None, None))
            else:
                rows.append((item, self[f"choice-{item.pk}"], self[f"opinion-{item.pk}"]))
        return rows

    def clean(self):
        data = super().clean()
        missing = sum(
            1
            for item in self.items
            if item.pk not in self.recused and not data.get(f"choice-{item.pk}")
        )
        if missing:
            raise ValidationError(
                _(
                    "Phiếu chưa đầy đủ: còn %(n)s đề nghị chưa chọn tán thành hoặc không tán "
                    "thành. Phiếu chưa được ghi."
                ),
                params={"n": missing},
            )
        return data

    def choices(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data[f"choice-{item.pk}"]
            for item in self.items
            if item.pk not in self.recused
        }

    def opinions(self) -> dict[int, str]:
        return {
            item.pk: self.cleaned_data.get(f"opinion-{item.pk}", "")
            for item in self.items
            if item.pk not in self.recused
        }


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Mã phiếu"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "4F2A-9C1E-07B3-D5E8"}),
    )

    def clean_receipt(self):
        return "".join(self.cleaned_data["receipt"].split()).upper()
