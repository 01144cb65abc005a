"""Reminders of stages falling due, written once per person, nomination and day."""

import datetime
from collections.abc import Iterable, Iterator

from django.db import transaction

from approvals.models import ACTIVE_STATUSES, Nomination, Notification, NotificationKind
from approvals.selectors.calendar import add_working_days
from approvals.services.notifications import actors_of, notification_rows, notifications_save

REMIND_WITHIN_WORKING_DAYS = 2
CHUNK = 500  # nominations due read, and their earlier reminders looked up, at a time


@transaction.atomic
def reminders_create(*, today: datetime.date) -> int:
    """Remind the actors of every active nomination due by two working days from today.

    Side effects: writes reminder notifications not already written today, in one insert;
    after commit one e-mail task sends each person one e-mail for all of theirs. Returns the
    number written. Reads a bounded number of queries per CHUNK nominations due.
    """
    horizon = add_working_days(today, REMIND_WITHIN_WORKING_DAYS)
    prefix = f"remind:{today.isoformat()}:"
    due = Nomination.objects.filter(
        status__in=ACTIVE_STATUSES, due_date__isnull=False, due_date__lte=horizon
    ).select_related("award", "acting_unit")
    actors: dict[tuple, list] = {}
    rows = []
    for chunk in _chunks(due.order_by("pk").iterator(chunk_size=CHUNK), CHUNK):
        reminded = set(
            Notification.objects.filter(
                nomination_id__in=[nomination.pk for nomination in chunk],
                kind=NotificationKind.REMINDER,
                dedupe_key__startswith=prefix,
            ).values_list("nomination_id", "recipient_id")
        )
        for nomination in chunk:
            rows += notification_rows(
                recipients=[
                    user
                    for user in actors_of(nomination, actors)
                    if (nomination.pk, user.pk) not in reminded
                ],
                nomination=nomination,
                kind=NotificationKind.REMINDER,
                context={"nomination": nomination, "overdue": nomination.due_date < today},
                dedupe=f"{prefix}{nomination.pk}",
            )
    return len(notifications_save(rows))


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
