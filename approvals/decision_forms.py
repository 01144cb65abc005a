"""Forms for issuing a decision and for amending or revoking one."""

from django import forms
from django.utils.translation import gettext_lazy as _

from approvals.models import Award, DecisionKind, Nomination
from approvals.services.decisions import Correction, DecisionHeader

DEFAULT_GROUNDS = (
    "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;\n"
    "Căn cứ Nghị định số 152/2025/NĐ-CP của Chính phủ quy định chi tiết thi hành một số "
    "điều của Luật Thi đua, khen thưởng;\n"
    "Căn cứ Thông tư số 118/2023/TT-BQP của Bộ trưởng Bộ Quốc phòng hướng dẫn công tác thi "
    "đua, khen thưởng trong Quân đội nhân dân Việt Nam;\n"
    "Xét đề nghị của Thường trực Hội đồng Thi đua - Khen thưởng."
)


class DecisionHeaderForm(forms.Form):
    number = forms.CharField(
        label=_("Số quyết định"),
        max_length=40,
        help_text=_("Theo sổ đăng ký văn bản, ví dụ 129/QĐ-BQP hoặc 129A/QĐ-BQP."),
    )
    signed_on = forms.DateField(
        label=_("Ngày ký"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    issuer_title = forms.CharField(label=_("Thẩm quyền quyết định"), max_length=200)
    signer_title = forms.CharField(label=_("Chức vụ người ký"), max_length=120)
    signer_name = forms.CharField(label=_("Người ký"), max_length=120)
    title = forms.CharField(label=_("Trích yếu"), max_length=300)
    grounds = forms.CharField(
        label=_("Căn cứ"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Mỗi căn cứ một dòng."),
    )

    def header(self, reason: str = "") -> DecisionHeader:
        data = self.cleaned_data
        return DecisionHeader(
            number=data["number"],
            signed_on=data["signed_on"],
            signer_name=data["signer_name"],
            signer_title=data["signer_title"],
            issuer_title=data["issuer_title"],
            title=data["title"],
            grounds=data["grounds"],
            reason=reason,
        )


class DecisionForm(DecisionHeaderForm):
    nominations = forms.ModelMultipleChoiceField(
        Nomination.objects.none(),
        label=_("Đề nghị được khen thưởng"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Chọn ít nhất một đề nghị."),
            "invalid_choice": _("Có đề nghị không còn chờ quyết định; đề nghị chọn lại."),
            "invalid_pk_value": _("Đề nghị đã chọn không hợp lệ."),
        },
    )

    def __init__(self, *args, decidable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].queryset = decidable


KEEP, CORRECT, REVOKE = "keep", "correct", "revoke"


class CorrectionForm(DecisionHeaderForm):
    """A decision amending or revoking lines of `target`; one group of fields per line."""

    kind = forms.ChoiceField(
        label=_("Loại quyết định"),
        choices=[
            (DecisionKind.AMEND, DecisionKind.AMEND.label),
            (DecisionKind.REVOKE, DecisionKind.REVOKE.label),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        awards = Award.objects.filter(is_active=True)
        for entry in self.entries:
            pk = entry.pk
            self.fields[f"change-{pk}"] = forms.ChoiceField(
                label=entry.nominee_name,
                choices=[(KEEP, _("Giữ nguyên")), (CORRECT, _("Sửa lại")), (REVOKE, _("Hủy bỏ"))],
                initial=KEEP,
                widget=forms.RadioSelect,
            )
            self.fields[f"name-{pk}"] = forms.CharField(
                label=_("Họ và tên, tên tập thể"), max_length=255, initial=entry.nominee_name
            )
            self.fields[f"detail-{pk}"] = forms.CharField(
                label=_("Cấp bậc, chức vụ"),
                max_length=255,
                required=False,
                initial=entry.nominee_detail,
            )
            self.fields[f"unit-{pk}"] = forms.CharField(
                label=_("Đơn vị"), max_length=255, required=False, initial=entry.unit_name
            )
            self.fields[f"award-{pk}"] = forms.ModelChoiceField(
                awards, label=_("Hình thức"), initial=entry.award_id, empty_label=None
            )

    def rows(self):
        for entry in self.entries:
            pk = entry.pk
            yield {
                "entry": entry,
                "change": self[f"change-{pk}"],
                "name": self[f"name-{pk}"],
                "detail": self[f"detail-{pk}"],
                "unit": self[f"unit-{pk}"],
                "award": self[f"award-{pk}"],
            }

    def changes(self) -> dict[int, Correction | None]:
        data = self.cleaned_data
        changes = {}
        for entry in self.entries:
            pk = entry.pk
            choice = data.get(f"change-{pk}")
            if choice == REVOKE:
                changes[pk] = None
            elif choice == CORRECT:
                changes[pk] = Correction(
                    nominee_name=data[f"name-{pk}"],
                    nominee_detail=data.get(f"detail-{pk}", ""),
                    unit_name=data.get(f"unit-{pk}", ""),
                    award=data[f"award-{pk}"],
                )
        return changes
