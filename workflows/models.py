"""Routes as data: an award's route is an ordered list of stages, versioned.

A nomination pins the route version it started with; editing a route means publishing a
new version, which applies to nominations started after it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from approvals.labels import choice_label
from approvals.models.roles import Role


class StageLevel(models.TextChoices):
    SUBMITTING_UNIT = "unit", _("Đơn vị đề nghị")
    PARENT_COMMAND = "parent", _("Đơn vị cấp trên trực tiếp")
    DIRECT_COMMAND = "direct", _("Đơn vị trực thuộc Bộ (quân khu, quân đoàn, …)")
    BLOC = "bloc", _("Khối thi đua")
    MINISTRY = "ministry", _("Bộ Quốc phòng")
    ABOVE_MINISTRY = "above", _("Cấp trên Bộ Quốc phòng (Thủ tướng, Chủ tịch nước)")


class StageKind(models.TextChoices):
    PREPARE = "prepare", _("Lập hồ sơ đề nghị")
    COMMANDER_APPROVAL = "approval", _("Chỉ huy phê duyệt, ký tờ trình")
    REVIEW = "review", _("Xem xét, tổng hợp")
    APPRAISAL = "appraisal", _("Thẩm định hồ sơ")
    COUNCIL_VOTE = "council_vote", _("Hội đồng TĐKT bỏ phiếu")
    BLOC_VOTE = "bloc_vote", _("Khối thi đua bình xét, suy tôn")
    PUBLIC_POSTING = "posting", _("Công khai lấy ý kiến")
    FORWARD_UPWARD = "forward", _("Trình cấp trên")
    DECISION = "decision", _("Quyết định khen thưởng")


class Route(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên quy trình"), max_length=200)
    award = models.ForeignKey(
        "approvals.Award",
        verbose_name=_("danh hiệu"),
        on_delete=models.PROTECT,
        related_name="routes",
    )
    campaign = models.ForeignKey(
        "approvals.Campaign",
        verbose_name=_("riêng cho đợt thi đua"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routes",
        help_text=_("Để trống: quy trình chung của danh hiệu."),
    )

    class Meta:
        verbose_name = _("quy trình xét duyệt")
        verbose_name_plural = _("quy trình xét duyệt")
        ordering = ["award__sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "campaign"],
                name="route_one_per_award_campaign",
                condition=models.Q(campaign__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["award"],
                name="route_one_default_per_award",
                condition=models.Q(campaign__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def current_version(self) -> "RouteVersion | None":
        return self.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đang áp dụng")
    RETIRED = "retired", _("Đã thay thế")


class RouteVersion(models.Model):
    route = models.ForeignKey(
        Route, verbose_name=_("quy trình"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("phiên bản số"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    note = models.CharField(_("ghi chú thay đổi"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("ngày áp dụng"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("phiên bản quy trình")
        verbose_name_plural = _("phiên bản quy trình")
        ordering = ["route", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["route", "number"], name="route_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.route} — v{self.number} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class Stage(models.Model):
    version = models.ForeignKey(
        RouteVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="stages"
    )
    position = models.PositiveSmallIntegerField(_("thứ tự"))
    level = models.CharField(_("cấp thực hiện"), max_length=10, choices=StageLevel.choices)
    kind = models.CharField(_("loại bước"), max_length=14, choices=StageKind.choices)
    acting_role = models.CharField(_("vai trò thực hiện"), max_length=24, choices=Role.choices)
    time_limit_working_days = models.PositiveSmallIntegerField(
        _("thời hạn (ngày làm việc)"), default=10
    )
    settings = models.JSONField(
        _("tham số"),
        default=dict,
        blank=True,
        help_text=_(
            'Ví dụ: {"threshold_percent": 90, "threshold_rule": "gte", "quorum": [2, 3]} '
            'cho bước bỏ phiếu; {"posting_working_days": 10} cho bước công khai.'
        ),
    )

    class Meta:
        verbose_name = _("bước")
        verbose_name_plural = _("bước")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="stage_position_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {choice_label(self, 'kind')} — {choice_label(self, 'level')}"
