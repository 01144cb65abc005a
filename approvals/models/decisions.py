"""Award decisions (quyết định): numbered, signed documents that grant awards, never edited.

A decision of kind AWARD grants the awards listed in its entries and ends those nominations'
workflows. A mistake is corrected only by a later decision that amends (re-states some
entries) or revokes (withdraws some or all entries of) the earlier one; the earlier decision
and its list stay exactly as issued. Each entry keeps the nominee's name, rank and position
and unit as they were printed, so a decision reads the same after people move or are renamed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionKind(models.TextChoices):
    AWARD = "award", _("Quyết định khen thưởng")
    AMEND = "amend", _("Quyết định sửa đổi")
    REVOKE = "revoke", _("Quyết định hủy bỏ")


class EntryAction(models.TextChoices):
    GRANT = "grant", _("Khen thưởng")
    CORRECT = "correct", _("Sửa lại thành")
    REVOKE = "revoke", _("Hủy bỏ")


class ImmutableError(Exception):
    """Raised on an attempt to change a decision or an entry once issued."""


class Decision(models.Model):
    kind = models.CharField(
        _("loại quyết định"), max_length=8, choices=DecisionKind.choices, default=DecisionKind.AWARD
    )
    authority = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("cơ quan ban hành"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    issuer_title = models.CharField(
        _("thẩm quyền quyết định"),
        max_length=200,
        help_text=_("Ví dụ: Bộ trưởng Bộ Quốc phòng; Chủ tịch nước."),
    )
    # the object permission (on `authority`) the issuer acted with: who may correct it
    permission = models.CharField(max_length=40, default="decide_award", editable=False)
    number = models.CharField(_("số quyết định"), max_length=40)
    year = models.PositiveSmallIntegerField(_("năm"), editable=False)
    signed_on = models.DateField(_("ngày ký"))
    signer_name = models.CharField(_("người ký"), max_length=120)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=120)
    title = models.CharField(_("trích yếu"), max_length=300)
    grounds = models.TextField(_("căn cứ"), help_text=_("Mỗi căn cứ một dòng."))
    reason = models.TextField(_("lý do sửa đổi, hủy bỏ"), blank=True)
    target = models.ForeignKey(
        "self",
        verbose_name=_("quyết định được sửa đổi, hủy bỏ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành trên hệ thống"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("ban hành lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("quyết định")
        verbose_name_plural = _("quyết định")
        ordering = ["-signed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "year", "number"], name="decision_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="award", target__isnull=True)
                | (~models.Q(kind="award") & models.Q(target__isnull=False)),
                name="decision_target_for_corrections",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("A decision is never edited: issue an amending decision.")
        self.year = self.signed_on.year
        super().save(*args, **kwargs)


class DecisionEntry(models.Model):
    """One line of a decision's annexed list, as printed."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("quyết định"), on_delete=models.PROTECT, related_name="entries"
    )
    line = models.PositiveIntegerField(_("số thứ tự"))
    action = models.CharField(
        _("nội dung"), max_length=8, choices=EntryAction.choices, default=EntryAction.GRANT
    )
    nomination = models.ForeignKey(
        "approvals.Nomination",
        verbose_name=_("đề nghị"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision_entries",
    )
    person = models.ForeignKey(
        "approvals.Person",
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("tập thể"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    award = models.ForeignKey(
        "approvals.Award", verbose_name=_("danh hiệu"), on_delete=models.PROTECT, related_name="+"
    )
    nominee_name = models.CharField(_("họ tên, tên tập thể"), max_length=255)
    nominee_detail = models.CharField(_("cấp bậc, chức vụ"), max_length=255, blank=True)
    unit_name = models.CharField(_("đơn vị"), max_length=255, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("dòng được sửa đổi, hủy bỏ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )

    class Meta:
        verbose_name = _("dòng quyết định")
        verbose_name_plural = _("danh sách kèm theo quyết định")
        ordering = ["decision", "line"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "line"], name="decision_entry_line"),
        ]

    def __str__(self) -> str:
        return f"{self.decision}: {self.line}. {self.nominee_name}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("A decision's list is never edited: issue an amending decision.")
        super().save(*args, **kwargs)
