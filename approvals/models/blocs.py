"""Emulation blocs and clusters: membership over time and the yearly leader and deputy."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BlocKind(models.TextChoices):
    BLOC = "bloc", _("Khối thi đua")
    CLUSTER = "cluster", _("Cụm thi đua")


class EmulationBloc(models.Model):
    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(
        _("loại"), max_length=8, choices=BlocKind.choices, default=BlocKind.BLOC
    )
    organiser = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("cấp tổ chức"),
        on_delete=models.PROTECT,
        related_name="organised_blocs",
        help_text=_("Đơn vị có Hội đồng TĐKT tổ chức khối (Điều 16 Luật TĐKT)."),
    )
    established_by = models.CharField(_("văn bản thành lập"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("khối, cụm thi đua")
        verbose_name_plural = _("khối, cụm thi đua")
        ordering = ["code"]
        permissions = [("act_for_bloc", _("Thực hiện nhiệm vụ của khối thi đua"))]

    def __str__(self) -> str:
        return self.name

    def members_in(self, year: int):
        """Units that belong to the bloc in the given year."""
        from .organisation import Unit

        return Unit.objects.filter(
            bloc_memberships__bloc=self,
            bloc_memberships__start_year__lte=year,
        ).filter(
            models.Q(bloc_memberships__end_year__isnull=True)
            | models.Q(bloc_memberships__end_year__gte=year)
        )

    def leadership_in(self, year: int) -> "BlocLeadership | None":
        return self.leaderships.select_related("leader", "deputy").filter(year=year).first()


class BlocMembership(models.Model):
    bloc = models.ForeignKey(
        EmulationBloc, verbose_name=_("khối"), on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="bloc_memberships",
    )
    start_year = models.PositiveSmallIntegerField(_("từ năm"))
    end_year = models.PositiveSmallIntegerField(_("đến năm"), null=True, blank=True)

    class Meta:
        verbose_name = _("thành viên khối")
        verbose_name_plural = _("thành viên khối")
        constraints = [
            models.UniqueConstraint(
                fields=["bloc", "unit", "start_year"], name="bloc_membership_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="bloc_membership_years_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.bloc}"


class BlocLeadership(models.Model):
    """The leader and deputy of a bloc for one year; a new year adds a row, never rewrites."""

    bloc = models.ForeignKey(
        EmulationBloc, verbose_name=_("khối"), on_delete=models.CASCADE, related_name="leaderships"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    leader = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("khối trưởng"),
        on_delete=models.PROTECT,
        related_name="bloc_leads",
    )
    deputy = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("khối phó"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bloc_deputies",
    )
    flag_handed_over_on = models.DateField(_("ngày bàn giao cờ luân lưu"), null=True, blank=True)

    class Meta:
        verbose_name = _("khối trưởng, khối phó theo năm")
        verbose_name_plural = _("khối trưởng, khối phó theo năm")
        ordering = ["bloc", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "year"], name="bloc_leadership_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.bloc} {self.year}: {self.leader}"
