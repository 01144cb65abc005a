"""Reminders of stages falling due, written once per person, nomination and day."""

import datetime

from django.db import transaction

from approvals.models import ACTIVE_STATUSES, Nomination, Notification, NotificationKind
from approvals.selectors.calendar import add_working_days
from approvals.selectors.nominations import acting_users
from approvals.services.notifications import notifications_create

REMIND_WITHIN_WORKING_DAYS = 2


@transaction.atomic
def reminders_create(*, today: datetime.date) -> int:
    """Remind the actors of every active nomination due by two working days from today.

    Side effects: writes reminder notifications not already written today; their e-mails
    are sent after commit. Returns the number written.
    """
    horizon = add_working_days(today, REMIND_WITHIN_WORKING_DAYS)
    written = 0
    due = Nomination.objects.filter(
        status__in=ACTIVE_STATUSES, due_date__isnull=False, due_date__lte=horizon
    ).select_related("award", "acting_unit")
    for nomination in due.iterator(chunk_size=500):
        dedupe = f"remind:{today.isoformat()}:{nomination.pk}"
        done = set(
            Notification.objects.filter(dedupe_key__startswith=f"{dedupe}:").values_list(
                "recipient_id", flat=True
            )
        )
        recipients = [user for user in acting_users(nomination) if user.pk not in done]
        written += len(
            notifications_create(
                recipients=recipients,
                nomination=nomination,
                kind=NotificationKind.REMINDER,
                context={"nomination": nomination, "overdue": nomination.due_date < today},
                dedupe=dedupe,
            )
        )
    return written
