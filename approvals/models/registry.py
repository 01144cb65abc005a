"""The award registry: every award granted, to a person or a unit, for good."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordSource(models.TextChoices):
    DECIDED = "decided", _("Quyết định trên hệ thống")
    IMPORTED = "imported", _("Nhập từ hồ sơ lưu trữ")


class AwardRecord(models.Model):
    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
    )
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("tập thể"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
    )
    award = models.ForeignKey(
        "approvals.Award", verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True)
    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_records",
    )
    decision = models.ForeignKey(
        "approvals.Decision",
        verbose_name=_("quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    entry = models.OneToOneField(
        "approvals.DecisionEntry",
        verbose_name=_("dòng quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="record",
    )
    revoked_by = models.ForeignKey(
        "approvals.Decision",
        verbose_name=_("bị sửa đổi, hủy bỏ bởi quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revoked_records",
    )
    decision_number = models.CharField(_("số quyết định"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"))
    authority = models.CharField(_("cấp quyết định"), max_length=255)
    source = models.CharField(
        _("nguồn"), max_length=10, choices=RecordSource.choices, default=RecordSource.DECIDED
    )
    # the person's unit when awarded, or the unit itself: whose records show it
    holder_unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    holder_name = models.CharField(_("họ tên, tên tập thể"), max_length=255, default="")
    search_name = models.CharField(max_length=255, editable=False, default="")
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    recorded_at = models.DateTimeField(_("ghi sổ lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("sổ khen thưởng")
        verbose_name_plural = _("sổ khen thưởng")
        ordering = ["-year", "award__sort_order", "pk"]
        indexes = [
            models.Index(fields=["person", "award", "year"], name="award_record_person"),
            models.Index(fields=["unit", "award", "year"], name="award_record_unit"),
            models.Index(fields=["decision_number"], name="award_record_decision_number"),
            models.Index(fields=["holder_unit", "year"], name="award_record_holder_unit"),
            models.Index(fields=["-year", "-decision_date", "-id"], name="award_record_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, unit__isnull=True)
                | models.Q(person__isnull=True, unit__isnull=False),
                name="award_record_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name or self.person or self.unit} — {self.award} ({self.year})"

    def save(self, *args, **kwargs) -> None:
        from approvals.models.people import fold_vietnamese

        self.search_name = fold_vietnamese(self.holder_name)
        super().save(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        """False once a later decision amended or revoked it (the record stays, struck out)."""
        return self.revoked_by_id is None
