"""The facts eligibility rules read besides the registry, and the secretariat's overrides.

Pending cases (discipline, inspection, complaint), breaks in service (maternity leave counts
as service; a discharge starts continuous service again) and recognised initiatives are
entered by the units' staff; a rule override records who set a failed rule aside and why.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseKind(models.TextChoices):
    DISCIPLINE = "discipline", _("Đang xem xét kỷ luật")
    INSPECTION = "inspection", _("Đang bị thanh tra, kiểm tra")
    COMPLAINT = "complaint", _("Đang có khiếu nại, tố cáo chưa giải quyết")


class PendingCase(models.Model):
    """A disciplinary case, inspection or complaint about a person or unit, pending until closed."""

    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pending_cases",
    )
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("tập thể"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pending_cases",
    )
    kind = models.CharField(_("loại vụ việc"), max_length=12, choices=CaseKind.choices)
    reference = models.CharField(_("số, ký hiệu văn bản"), max_length=120)
    opened_on = models.DateField(_("ngày bắt đầu"))
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("vụ việc đang xem xét")
        verbose_name_plural = _("vụ việc đang xem xét")
        ordering = ["-opened_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, unit__isnull=True)
                | models.Q(person__isnull=True, unit__isnull=False),
                name="pending_case_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.reference})"

    def is_pending_on(self, day) -> bool:
        return self.opened_on <= day and (self.closed_on is None or self.closed_on > day)

    def clean(self) -> None:
        if self.closed_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": _("Ngày kết thúc phải sau ngày bắt đầu.")})


class BreakKind(models.TextChoices):
    MATERNITY = "maternity", _("Nghỉ thai sản")
    UNPAID_LEAVE = "unpaid_leave", _("Nghỉ không hưởng lương")
    DISCHARGE = "discharge", _("Gián đoạn phục vụ (xuất ngũ, thôi việc)")


class ServiceBreak(models.Model):
    """A period away from service: maternity leave counts as service (Decree 152, Art. 4);
    unpaid leave does not count; a discharge ends continuous service."""

    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("cá nhân"),
        on_delete=models.CASCADE,
        related_name="service_breaks",
    )
    kind = models.CharField(_("loại"), max_length=12, choices=BreakKind.choices)
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    note = models.CharField(_("ghi chú"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("thời gian gián đoạn, nghỉ")
        verbose_name_plural = _("thời gian gián đoạn, nghỉ")
        ordering = ["person", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="service_break_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class InitiativeLevel(models.IntegerChoices):
    """How far an initiative's recognition reaches; a rule asks for a level or above."""

    UNIT = 1, _("Cấp đơn vị cơ sở")
    REGIMENT = 2, _("Cấp trung đoàn và tương đương")
    DIVISION = 3, _("Cấp sư đoàn và tương đương")
    DIRECT = 4, _("Cấp quân khu, quân chủng và tương đương")
    ARMY = 5, _("Toàn quân")
    NATIONAL = 6, _("Toàn quốc")


INITIATIVE_LEVEL_CODES = {
    "unit": InitiativeLevel.UNIT,
    "regiment": InitiativeLevel.REGIMENT,
    "division": InitiativeLevel.DIVISION,
    "direct": InitiativeLevel.DIRECT,
    "army": InitiativeLevel.ARMY,
    "national": InitiativeLevel.NATIONAL,
}


class Initiative(models.Model):
    """An initiative, study or solution recognised for a person, at a level, on a date."""

    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("tác giả"),
        on_delete=models.CASCADE,
        related_name="initiatives",
    )
    title = models.CharField(_("tên sáng kiến, đề tài"), max_length=300)
    level = models.PositiveSmallIntegerField(
        _("phạm vi công nhận"), choices=InitiativeLevel.choices
    )
    recognised_on = models.DateField(_("ngày công nhận"))
    reference = models.CharField(_("số văn bản công nhận"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("sáng kiến được công nhận")
        verbose_name_plural = _("sáng kiến được công nhận")
        ordering = ["person", "-recognised_on"]

    def __str__(self) -> str:
        return self.title


class RuleOverride(models.Model):
    """The secretariat set a failed rule aside for one nomination, with its reason."""

    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        on_delete=models.CASCADE,
        related_name="rule_overrides",
    )
    rule = models.ForeignKey(
        "approvals.AwardRule",
        verbose_name=_("điều kiện"),
        on_delete=models.PROTECT,
        related_name="overrides",
    )
    reason = models.TextField(_("lý do"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người quyết định"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)

    class Meta:
        verbose_name = _("miễn áp dụng điều kiện")
        verbose_name_plural = _("miễn áp dụng điều kiện")
        ordering = ["nomination", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "rule"], name="rule_override_once"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination_id}: {self.rule}"
