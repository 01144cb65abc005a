"""Awards councils (and teams below regiment level) with their roster over time."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


class CouncilKind(models.TextChoices):
    COUNCIL = "council", _("Hội đồng Thi đua - Khen thưởng")
    TEAM = "team", _("Tổ Thi đua - Khen thưởng")


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("Chủ tịch")
    STANDING_VICE_CHAIR = "standing_vice_chair", _("Phó Chủ tịch thường trực")
    VICE_CHAIR = "vice_chair", _("Phó Chủ tịch")
    MEMBER = "member", _("Ủy viên")
    SECRETARY = "secretary", _("Thư ký")


class AwardsCouncil(models.Model):
    unit = models.OneToOneField(
        "approvals.Unit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="council"
    )
    kind = models.CharField(
        _("loại"), max_length=8, choices=CouncilKind.choices, default=CouncilKind.COUNCIL
    )
    name = models.CharField(_("tên"), max_length=200)
    quorum_numerator = models.PositiveSmallIntegerField(_("túc số: tử số"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("túc số: mẫu số"), default=3)
    allows_written_votes = models.BooleanField(_("cho phép bỏ phiếu bằng văn bản"), default=True)
    allows_second_round = models.BooleanField(_("cho phép bỏ phiếu vòng hai"), default=False)
    recuse_chain_of_command = models.BooleanField(
        _("thành viên thuộc đơn vị đề nghị không biểu quyết"),
        default=True,
        help_text=_(
            "Thành viên công tác tại đơn vị đề nghị hoặc đơn vị cấp trên của đơn vị đó "
            "(trừ đơn vị có hội đồng) không biểu quyết đề nghị của đơn vị này."
        ),
    )
    secretariat = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("cơ quan thường trực"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="secretariat_of",
    )

    class Meta:
        verbose_name = _("hội đồng TĐKT")
        verbose_name_plural = _("hội đồng TĐKT")
        ordering = ["unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gt=0)
                & models.Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="council_quorum_is_a_fraction",
            ),
        ]
        permissions = [
            ("vote_in_council", _("Bỏ phiếu tại hội đồng")),
            ("run_council_session", _("Chuẩn bị phiên họp hội đồng (thư ký)")),
            ("chair_council", _("Chủ trì, kết luận phiên họp hội đồng")),
        ]

    def __str__(self) -> str:
        return self.name

    def roster_on(self, day: datetime.date):
        """Memberships in force on the given day (one query)."""
        return (
            self.memberships.filter(start_date__lte=day)
            .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=day))
            .select_related("person")
            .order_by("role_order", "person__full_name")
        )

    def quorum_for(self, roster_size: int) -> int:
        """Members who must be present: ceil(roster * numerator / denominator)."""
        return -(-roster_size * self.quorum_numerator // self.quorum_denominator)


ROLE_ORDER = {role.value: index for index, role in enumerate(CouncilRole)}


class CouncilMembership(models.Model):
    council = models.ForeignKey(
        AwardsCouncil,
        verbose_name=_("hội đồng"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("thành viên"),
        on_delete=models.PROTECT,
        related_name="council_memberships",
    )
    role = models.CharField(_("chức danh"), max_length=24, choices=CouncilRole.choices)
    role_order = models.PositiveSmallIntegerField(editable=False, default=0)
    start_date = models.DateField(_("từ ngày"))
    end_date = models.DateField(_("đến ngày"), null=True, blank=True)
    appointed_by = models.CharField(_("quyết định kiện toàn"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("thành viên hội đồng")
        verbose_name_plural = _("thành viên hội đồng")
        ordering = ["council", "role_order", "start_date"]
        indexes = [models.Index(fields=["council", "start_date", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="council_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.person}"

    def save(self, *args, **kwargs) -> None:
        self.role_order = ROLE_ORDER.get(self.role, len(ROLE_ORDER))
        super().save(*args, **kwargs)
