"""The award catalogue: titles and commendation forms, versioned with their rules as data."""

import datetime
from decimal import ROUND_FLOOR, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AwardKind(models.TextChoices):
    TITLE = "title", _("Danh hiệu thi đua")
    COMMENDATION = "commendation", _("Hình thức khen thưởng")


class AwardSubject(models.TextChoices):
    INDIVIDUAL = "individual", _("Cá nhân")
    COLLECTIVE = "collective", _("Tập thể")
    BOTH = "both", _("Cá nhân và tập thể")


class DecidingLevel(models.TextChoices):
    UNIT_COMMANDER = "unit_commander", _("Thủ trưởng đơn vị (có Hội đồng TĐKT)")
    PARENT_COMMANDER = "parent_commander", _("Thủ trưởng đơn vị cấp trên trực tiếp")
    DIRECT_COMMANDER = "direct_commander", _("Tư lệnh, Chủ nhiệm đơn vị trực thuộc Bộ")
    MINISTER = "minister", _("Bộ trưởng Bộ Quốc phòng")
    PRIME_MINISTER = "prime_minister", _("Thủ tướng Chính phủ")
    PRESIDENT = "president", _("Chủ tịch nước")


class ThresholdRule(models.TextChoices):
    AT_LEAST = "gte", _("từ … % trở lên")
    MORE_THAN = "gt", _("trên … %")


class DocumentType(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên tài liệu"), max_length=200)
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        verbose_name = _("loại tài liệu hồ sơ")
        verbose_name_plural = _("loại tài liệu hồ sơ")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Award(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=AwardKind.choices)
    subject = models.CharField(_("đối tượng"), max_length=16, choices=AwardSubject.choices)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def version_for(self, campaign) -> "AwardVersion | None":
        """The version in force on the campaign's start: it applies for the whole campaign,
        even when a new version takes effect before the campaign ends."""
        return self.version_on(campaign.start_date)

    def version_on(self, day: datetime.date) -> "AwardVersion | None":
        return (
            self.versions.filter(effective_from__lte=day)
            .filter(models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day))
            .order_by("-effective_from")
            .first()
        )


class AwardVersion(models.Model):
    """What an award requires, as in force between two dates (a new rule adds a version)."""

    award = models.ForeignKey(
        Award, verbose_name=_("danh hiệu"), on_delete=models.CASCADE, related_name="versions"
    )
    effective_from = models.DateField(_("hiệu lực từ"))
    effective_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    legal_basis = models.CharField(_("căn cứ"), max_length=200, blank=True)
    deciding_level = models.CharField(
        _("cấp quyết định"), max_length=24, choices=DecidingLevel.choices
    )
    vote_threshold_percent = models.DecimalField(
        _("ngưỡng tán thành (%)"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Tính trên tổng số thành viên hội đồng, không phải số có mặt."),
    )
    threshold_rule = models.CharField(
        _("cách so ngưỡng"), max_length=4, choices=ThresholdRule.choices
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("túc số: tử số"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("túc số: mẫu số"), default=3)
    requires_public_posting = models.BooleanField(_("phải công khai lấy ý kiến"), default=False)
    public_posting_working_days = models.PositiveSmallIntegerField(
        _("số ngày làm việc công khai"), default=0
    )
    notes = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("phiên bản tiêu chuẩn")
        verbose_name_plural = _("phiên bản tiêu chuẩn")
        ordering = ["award", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "effective_from"], name="award_version_unique_start"
            ),
            models.CheckConstraint(
                condition=models.Q(vote_threshold_percent__gte=0)
                & models.Q(vote_threshold_percent__lte=100),
                name="award_threshold_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} ({self.effective_from:%d/%m/%Y})"

    def required_agree_votes(self, council_size: int) -> int:
        """Agree votes needed out of the whole council (see agree_votes_needed)."""
        return agree_votes_needed(council_size, self.vote_threshold_percent, self.threshold_rule)


def agree_votes_needed(size: int, percent, rule: str) -> int:
    """Agree votes needed out of `size` members: ≥ p% rounds up, > p% is floor + 1."""
    exact = Decimal(size) * Decimal(str(percent)) / 100
    floor = int(exact.to_integral_value(rounding=ROUND_FLOOR))
    if rule == ThresholdRule.MORE_THAN:
        return floor + 1
    return floor if exact == floor else floor + 1


class RuleKind(models.TextChoices):
    CONSECUTIVE_PRIOR = "consecutive_prior", _("Đã đạt danh hiệu liên tục các năm trước")
    SAME_YEAR = "same_year", _("Đã đạt danh hiệu trong cùng năm")
    QUOTA_OF_STRENGTH = "quota_of_strength", _("Tỷ lệ tối đa trên quân số")
    QUOTA_OF_UNITS = "quota_of_units", _("Tỷ lệ tối đa trên số đơn vị")
    QUOTA_OF_HOLDERS = "quota_of_holders", _("Tỷ lệ tối đa trên số đạt danh hiệu khác")
    MIN_SERVICE_YEARS = "min_service_years", _("Thời gian phục vụ liên tục tối thiểu")
    INITIATIVE = "initiative", _("Có sáng kiến được công nhận")
    BLOC_ACCLAIM = "bloc_acclaim", _("Được khối thi đua suy tôn")
    NO_PENDING_DISCIPLINE = (
        "no_pending_discipline",
        _("Không đang bị xem xét kỷ luật, thanh tra, khiếu nại"),
    )
    ONCE_PER_CAMPAIGN = "once_per_campaign", _("Không đề nghị trùng trong một đợt")
    NOT_AWARDED_TWICE = "not_awarded_twice", _("Không khen hai lần cho cùng một thành tích")


# What each rule kind reads from its parameters: name -> (type, required). The admin checks a
# rule's parameters against this, so that rules are configured as data and fail clearly.
RULE_PARAMS: dict[str, dict[str, tuple[type, bool]]] = {
    RuleKind.CONSECUTIVE_PRIOR: {"award": (str, True), "years": (int, True)},
    RuleKind.SAME_YEAR: {"awards": (list, True)},
    RuleKind.QUOTA_OF_STRENGTH: {"percent": (int, True)},
    RuleKind.QUOTA_OF_UNITS: {"percent": (int, True)},
    RuleKind.QUOTA_OF_HOLDERS: {"award": (str, True), "percent": (int, True)},
    RuleKind.MIN_SERVICE_YEARS: {"years": (int, True), "count_maternity_leave": (bool, False)},
    RuleKind.INITIATIVE: {"level": (str, True), "years": (int, False)},
    RuleKind.BLOC_ACCLAIM: {},
    RuleKind.NO_PENDING_DISCIPLINE: {},
    RuleKind.ONCE_PER_CAMPAIGN: {},
    RuleKind.NOT_AWARDED_TWICE: {},
}


class AwardRule(models.Model):
    """One condition of an award version; its parameters are read by the eligibility engine."""

    version = models.ForeignKey(
        AwardVersion, verbose_name=_("phiên bản"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("loại điều kiện"), max_length=32, choices=RuleKind.choices)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    description = models.CharField(_("diễn giải"), max_length=300)

    class Meta:
        verbose_name = _("điều kiện")
        verbose_name_plural = _("điều kiện")
        ordering = ["version", "id"]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        from approvals.models.eligibility import INITIATIVE_LEVEL_CODES

        spec = RULE_PARAMS.get(self.kind, {})
        params = self.params if isinstance(self.params, dict) else None
        if params is None:
            raise ValidationError({"params": _("Tham số phải là một đối tượng JSON.")})
        errors = []
        for name in params.keys() - spec.keys():
            errors.append(
                _("Tham số “%(name)s” không dùng cho loại điều kiện này.") % {"name": name}
            )
        for name, (kind, required) in spec.items():
            if name not in params:
                if required:
                    errors.append(_("Thiếu tham số “%(name)s”.") % {"name": name})
                continue
            value = params[name]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                errors.append(_("Tham số “%(name)s” sai kiểu.") % {"name": name})
            elif kind is int and value <= 0:
                errors.append(_("Tham số “%(name)s” phải lớn hơn 0.") % {"name": name})
        codes = [params.get("award")] if "award" in params else list(params.get("awards") or [])
        if codes and not errors:
            known = set(Award.objects.filter(code__in=codes).values_list("code", flat=True))
            for code in codes:
                if code not in known:
                    errors.append(_("Không có danh hiệu mã “%(code)s”.") % {"code": code})
        if params.get("level") is not None and params["level"] not in INITIATIVE_LEVEL_CODES:
            errors.append(
                _("Cấp sáng kiến phải là một trong: %(codes)s.")
                % {"codes": ", ".join(INITIATIVE_LEVEL_CODES)}
            )
        if errors:
            raise ValidationError({"params": errors})


def _stage_kinds():
    from workflows.models import StageKind

    return StageKind.choices


class DocumentRequirement(models.Model):
    """A document the dossier must hold before a nomination may leave a stage of this kind."""

    version = models.ForeignKey(
        AwardVersion,
        verbose_name=_("phiên bản"),
        on_delete=models.CASCADE,
        related_name="document_requirements",
    )
    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("loại tài liệu"), on_delete=models.PROTECT, related_name="+"
    )
    stage_kind = models.CharField(
        _("phải có trước khi rời bước"), max_length=14, choices=_stage_kinds, default="prepare"
    )

    class Meta:
        verbose_name = _("tài liệu bắt buộc")
        verbose_name_plural = _("tài liệu bắt buộc")
        ordering = ["version", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "document_type", "stage_kind"],
                name="document_requirement_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} — {self.get_stage_kind_display()}"
