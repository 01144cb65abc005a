"""The administrators' additions to the working-day calendar: extra days off, make-up days."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày nghỉ")
    WORKING_DAY = "working_day", _("Ngày làm bù")


class CalendarDay(models.Model):
    """A date declared off, or declared a working day, overriding the statutory holidays."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(
        _("loại"), max_length=12, choices=CalendarDayKind.choices, default=CalendarDayKind.HOLIDAY
    )
    name = models.CharField(
        _("tên gọi"),
        max_length=200,
        help_text=_("Ví dụ: Nghỉ bù Quốc khánh, Làm bù cho ngày 31/8."),
    )

    class Meta:
        verbose_name = _("ngày nghỉ, ngày làm bù")
        verbose_name_plural = _("ngày nghỉ, ngày làm bù")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.name}"
