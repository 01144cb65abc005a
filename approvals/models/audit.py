"""The audit trail: one row per state change, permission grant or sign-in, hash-chained.

Each event carries its place in the chain (`sequence`, 1, 2, 3, …), the hash of the event
before it and its own hash over both and its content; `AuditChain` holds the chain's head.
Editing a row, deleting one or inserting one out of the chain breaks a link that
`manage.py verify_audit` reports (`approvals.services.audit.audit_verify`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImmutableAuditError(Exception):
    """An audit event is written once, never changed or deleted."""


class AuditEventQuerySet(models.QuerySet):
    """Refuses bulk changes and deletions, as the model refuses them row by row: only someone
    writing SQL around the application can alter the trail, and verify_audit finds that."""

    def update(self, **kwargs):
        raise ImmutableAuditError("audit events are append-only")

    def delete(self):
        raise ImmutableAuditError("audit events are append-only")


class AuditEvent(models.Model):
    sequence = models.PositiveBigIntegerField(_("số thứ tự"), unique=True, null=True)
    created_at = models.DateTimeField(_("thời điểm"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # the username when the event was written: what the hash covers (an account deleted later
    # only empties `actor`)
    actor_name = models.CharField(_("tài khoản"), max_length=150, blank=True, default="")
    verb = models.CharField(_("hành động"), max_length=60)
    object_type = models.CharField(_("loại đối tượng"), max_length=60)
    object_id = models.CharField(_("mã đối tượng"), max_length=40)
    data = models.JSONField(_("chi tiết"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, default="", editable=False)
    hash = models.CharField(max_length=64, default="", editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.verb} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableAuditError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableAuditError("audit events are append-only")


class AuditChain(models.Model):
    """The head of the audit chain (one row): the last sequence number and hash."""

    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("đầu chuỗi nhật ký")
        verbose_name_plural = _("đầu chuỗi nhật ký")

    def __str__(self) -> str:
        return f"#{self.last_sequence} {self.last_hash[:12]}"
