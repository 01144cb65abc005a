"""Forms of the nomination pages; choices are limited to what the user may use."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    Attachment,
    Award,
    Campaign,
    DocumentType,
    Person,
    SubmissionLetter,
    Unit,
)
from approvals.permissions import prepare_q
from approvals.selectors.scope import scope_for
from approvals.services.nominations import Action, ReturnTo


def preparable_units(user):
    return Unit.objects.filter(prepare_q(scope_for(user), "")).order_by("path")


class _Preparable(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class NominationForm(_Preparable):
    submitting_unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Đơn vị đề nghị"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Đợt thi đua"))
    award = forms.ModelChoiceField(
        Award.objects.none(), label=_("Danh hiệu, hình thức khen thưởng")
    )
    person = forms.ModelChoiceField(
        Person.objects.none(),
        label=_("Cá nhân được đề nghị"),
        required=False,
        help_text=_("Để trống nếu đề nghị cho tập thể."),
    )
    nominee_unit = forms.ModelChoiceField(
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
        self.fields["campaign"].queryset = Campaign.objects.filter(is_open=True)
        self.fields["award"].queryset = Award.objects.filter(is_active=True, routes__isnull=False)
        self.fields["person"].queryset = Person.objects.filter(
            prepare_q(scope_for(user), "unit")
        ).select_related("unit")
        self.fields["letter"].queryset = SubmissionLetter.objects.filter(
            prepare_q(scope_for(user), "unit"), campaign__is_open=True
        )
        if units.count() == 1:
            self.fields["submitting_unit"].initial = units.first()

    def clean(self):
        data = super().clean()
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


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Lý do rút đề nghị"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LetterForm(_Preparable):
    unit = forms.ModelChoiceField(Unit.objects.none(), label=_("Đơn vị trình"))
    campaign = forms.ModelChoiceField(Campaign.objects.none(), label=_("Đợt thi đua"))
    title = forms.CharField(label=_("Trích yếu"), max_length=300)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["unit"].queryset = preparable_units(user)
        self.fields["campaign"].queryset = Campaign.objects.filter(is_open=True)


class AttachmentForm(forms.Form):
    upload = forms.FileField(label=_("Tệp (PDF, DOCX, XLSX, JPEG, PNG)"))
    document_type = forms.ModelChoiceField(
        DocumentType.objects.all(), label=_("Loại tài liệu"), required=False
    )
    replaces = forms.ModelChoiceField(
        Attachment.objects.none(), label=_("Thay thế bản"), required=False
    )

    def __init__(self, *args, nomination, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = nomination.attachments.filter(is_current=True)
