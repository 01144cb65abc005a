"""Writing the audit trail; every service calls this inside its own transaction."""

from django.db import models

from approvals.models import AuditEvent


def audit_record(*, actor, verb: str, obj: models.Model, data: dict | None = None) -> AuditEvent:
    """Append one audit event for a change to `obj`.

    Side effects: inserts one AuditEvent row.
    """
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        data=data or {},
    )
