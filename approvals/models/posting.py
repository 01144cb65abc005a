"""Public posting of nominees and the objections lodged against them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Objection(models.Model):
    """An objection to a posted nominee; the secretariat answers each one on the record."""

    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        on_delete=models.CASCADE,
        related_name="objections",
    )
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi ý kiến"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lodged_at = models.DateTimeField(_("thời điểm gửi"), auto_now_add=True)
    text = models.TextField(_("nội dung ý kiến"))
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người trả lời"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("thời điểm trả lời"), null=True, blank=True)

    class Meta:
        verbose_name = _("ý kiến phản ánh")
        verbose_name_plural = _("ý kiến phản ánh")
        ordering = ["nomination", "lodged_at", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.text[:40]}"

    @property
    def is_resolved(self) -> bool:
        return self.answered_at is not None
