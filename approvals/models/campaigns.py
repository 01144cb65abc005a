"""Emulation campaigns and the yearly registrations and pledges of bloc members."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    YEARLY = "yearly", _("Thi đua thường xuyên (hằng năm)")
    THEMATIC = "thematic", _("Thi đua theo chuyên đề, theo đợt")


class Campaign(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên đợt thi đua"), max_length=200)
    kind = models.CharField(_("loại"), max_length=12, choices=CampaignKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"), db_index=True)
    start_date = models.DateField(_("bắt đầu"))
    end_date = models.DateField(_("kết thúc"))
    submission_deadline = models.DateField(_("hạn nộp hồ sơ đề nghị"))
    council_meeting_date = models.DateField(_("ngày họp hội đồng dự kiến"), null=True, blank=True)
    is_open = models.BooleanField(_("đang nhận đề nghị"), default=True)

    class Meta:
        verbose_name = _("đợt thi đua")
        verbose_name_plural = _("đợt thi đua")
        ordering = ["-year", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EmulationRegistration(models.Model):
    """A member unit's registration for a bloc's year, and the pledge it signed."""

    bloc = models.ForeignKey(
        "approvals.EmulationBloc",
        verbose_name=_("khối thi đua"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="emulation_registrations",
    )
    registered_on = models.DateField(_("ngày đăng ký"))
    targets = models.TextField(_("chỉ tiêu, danh hiệu đăng ký"))
    pledge_signed_on = models.DateField(_("ngày ký giao ước"), null=True, blank=True)

    class Meta:
        verbose_name = _("đăng ký, giao ước thi đua")
        verbose_name_plural = _("đăng ký, giao ước thi đua")
        ordering = ["bloc", "-year", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year", "unit"], name="registration_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.bloc} {self.year}"
