"""Reminding council members who have not voted that a session's vote is about to close."""

import datetime

from django.db import transaction

from approvals.models import (
    Attendance,
    AttendanceStatus,
    CouncilSession,
    Notification,
    NotificationKind,
    SessionStatus,
    VoteMark,
)
from approvals.services.notifications import notifications_create

REMIND_WITHIN = datetime.timedelta(hours=24)
TEMPLATE = "session_reminder"


def session_vote_dedupe(session: CouncilSession) -> str:
    """The reminders' key prefix: once per session and round (the recipient is appended)."""
    return f"session-vote:{session.pk}:{session.round}"


@transaction.atomic
def session_vote_reminders_create(*, now: datetime.datetime) -> int:
    """Remind the members who may vote and have not, in sessions closing within 24 hours.

    Members present or voting in writing, without a vote mark in the current round, are
    reminded once per session and round. Side effects: locks each due session; writes
    reminder notifications; their e-mails are sent after commit. Returns how many it wrote.
    """
    due = (
        CouncilSession.objects.filter(
            status=SessionStatus.VOTING,
            voting_deadline__gt=now,
            voting_deadline__lte=now + REMIND_WITHIN,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = []
    for session_id in list(due):
        session = (
            CouncilSession.objects.select_for_update(of=("self",))
            .select_related("council")
            .filter(pk=session_id, status=SessionStatus.VOTING)
            .first()
        )
        if session is None:
            continue
        dedupe = session_vote_dedupe(session)
        voted = VoteMark.objects.filter(session=session, round=session.round).values(
            "membership_id"
        )
        reminded = set(
            Notification.objects.filter(dedupe_key__startswith=f"{dedupe}:").values_list(
                "recipient_id", flat=True
            )
        )
        users = [
            row.membership.person.user
            for row in Attendance.objects.filter(
                session=session,
                status__in=(AttendanceStatus.PRESENT, AttendanceStatus.WRITTEN),
                membership__person__user__isnull=False,
                membership__person__user__is_active=True,
            )
            .exclude(membership_id__in=voted)
            .select_related("membership__person__user")
            .order_by("membership_id")
        ]
        users = [user for user in users if user.pk not in reminded]
        if not users:
            continue
        created += notifications_create(
            recipients=users,
            nomination=None,
            kind=NotificationKind.REMINDER,
            context={"session": session, "council": session.council},
            dedupe=dedupe,
            template=TEMPLATE,
        )
    return len(created)
