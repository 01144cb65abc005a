"""Writing and checking the audit trail; every service writes inside its own transaction.

Events form one hash chain: each new event locks the chain's head row, takes the next
sequence number and hashes its content with the previous event's hash. Two transactions
writing at once queue on the head row for the rest of the shorter one.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from approvals.models import AuditChain, AuditEvent

CHUNK = 2000


def event_hash(event: AuditEvent) -> str:
    """SHA-256 over the previous hash and everything the event says."""
    content = [
        event.previous_hash,
        event.sequence,
        event.created_at.isoformat(),
        event.actor_name,
        event.verb,
        event.object_type,
        event.object_id,
        event.data,
    ]
    text = json.dumps(
        content, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _head() -> AuditChain:
    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChain.objects.get_or_create(pk=1)
        head = AuditChain.objects.select_for_update().get(pk=1)
    return head


def audit_record(*, actor, verb: str, obj: models.Model | None, data: dict | None = None):
    """Append one audit event for a change to `obj` (None: no object, e.g. a failed login).

    Side effects: locks the chain's head until the caller's transaction ends; inserts one
    AuditEvent row; moves the head.
    """
    return audit_record_many(actor=actor, entries=[(verb, obj, data)])[0]


def audit_record_many(
    *, actor, entries: list[tuple[str, models.Model | None, dict | None]]
) -> list[AuditEvent]:
    """Append one audit event per (verb, obj, data), in order, with one lock of the head and
    one insert: what a batch (a letter, a decision) changes in one transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return audit_record_many(actor=actor, entries=entries)
    head = _head()
    signed_in = getattr(actor, "pk", None) is not None
    now = timezone.now()
    events = []
    for verb, obj, data in entries:
        event = AuditEvent(
            sequence=head.last_sequence + 1,
            created_at=now,
            actor=actor if signed_in else None,
            actor_name=actor.get_username() if signed_in else "",
            verb=verb,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            # stored as JSON and read back the same way, so that the hash checks out on reading
            data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
            previous_hash=head.last_hash,
        )
        event.hash = event_hash(event)
        head.last_sequence, head.last_hash = event.sequence, event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events)
    head.save(update_fields=["last_sequence", "last_hash"])
    return events


@dataclass
class AuditCheck:
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def audit_verify() -> AuditCheck:
    """Walk the chain from the first event: every link, every hash, no gap, and the head."""
    check = AuditCheck()
    previous_hash, expected = "", 1
    names = {}
    rows = AuditEvent.objects.order_by("sequence").iterator(chunk_size=CHUNK)
    for event in rows:
        check.events += 1
        where = f"#{event.sequence} (id {event.pk})"
        if event.sequence is None:
            check.problems.append(f"id {event.pk}: not in the chain")
            continue
        if event.sequence != expected:
            check.problems.append(f"{where}: expected #{expected}, events are missing")
        if event.previous_hash != previous_hash:
            check.problems.append(f"{where}: does not follow the event before it")
        if event.hash != event_hash(event):
            check.problems.append(f"{where}: content changed since it was written")
        if event.actor_id is not None:
            names.setdefault(event.actor_id, []).append((where, event.actor_name))
        previous_hash, expected = event.hash, event.sequence + 1
    head = AuditChain.objects.filter(pk=1).first()
    last = (head.last_sequence, head.last_hash) if head else (0, "")
    if last != (expected - 1, previous_hash):
        check.problems.append(
            f"the chain's head is at #{last[0]}, the last event is #{expected - 1}: "
            "events at the end are missing or the head was changed"
        )
    _check_actors(names, check)
    return check


def _check_actors(names: dict, check: AuditCheck) -> None:
    from django.contrib.auth import get_user_model

    users = dict(get_user_model().objects.filter(pk__in=names).values_list("pk", "username"))
    for actor_id, events in names.items():
        for where, name in events:
            if users.get(actor_id) != name:
                check.problems.append(f"{where}: the account was changed to another user")
