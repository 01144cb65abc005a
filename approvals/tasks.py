"""Background work: e-mailing notifications and reminding people of tasks falling due."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import OperationalError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(
    name="approvals.notification_emails_send",
    autoretry_for=(smtplib.SMTPException, OSError, OperationalError),
    retry_backoff=True,
    max_retries=5,
)
def notification_emails_send(*, notification_ids: list[int]) -> int:
    """E-mail the notifications not yet e-mailed; safe to run twice. Returns how many
    notifications were e-mailed.

    Each recipient gets one e-mail for all of theirs (services.notifications.email_for: a
    digest when there are several). One transaction locks those still to send (not their
    users), sends them over one mail connection and marks them in one statement. If the mail
    server fails part-way, the recipients already sent to are marked and the error is raised
    for a retry of the rest.
    """
    from django.core.mail import get_connection

    from approvals.models import Notification
    from approvals.services.notifications import email_for

    sent, error = 0, None
    with transaction.atomic():
        pending = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk__in=notification_ids, emailed_at__isnull=True)
            .order_by("pk")
        )
        by_recipient: dict[int, list[Notification]] = {}
        for notification in pending:
            by_recipient.setdefault(notification.recipient_id, []).append(notification)
        done = []
        with get_connection() as mail:
            for notifications in by_recipient.values():
                address = notifications[0].recipient.email
                if address:
                    subject, body = email_for(notifications)
                    try:
                        send_mail(
                            subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=mail
                        )
                    except (smtplib.SMTPException, OSError) as exc:
                        error = exc
                        break
                    sent += len(notifications)
                done += [n.pk for n in notifications]  # done, with or without an address
        Notification.objects.filter(pk__in=done).update(emailed_at=timezone.now())
    if error is not None:
        raise error
    return sent


@shared_task(
    name="approvals.due_task_reminders_send",
    autoretry_for=(OperationalError,),  # safe: one reminder per person, nomination and day
    retry_backoff=True,
    max_retries=5,
)
def due_task_reminders_send() -> int:
    """Remind whoever must act of nominations due within two working days or overdue.

    Once per person, nomination and day. Returns how many reminders were written.
    """
    from approvals.services.reminders import reminders_create

    return reminders_create(today=timezone.localdate())


@shared_task(name="approvals.notification_emails_sweep")
def notification_emails_sweep() -> int:
    """E-mail notifications still unsent a few minutes after they were written.

    The outbox catches what the on-commit enqueue could not deliver (the broker was down,
    the worker lost the message). Returns how many were sent.
    """
    import datetime

    from approvals.models import Notification

    cutoff = timezone.now() - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES)
    ids = list(
        Notification.objects.filter(emailed_at__isnull=True, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return notification_emails_send(notification_ids=ids) if ids else 0


SWEEP_AFTER_MINUTES = 5
SWEEP_BATCH = 500


@shared_task(
    name="approvals.session_results_apply",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def session_results_apply(*, session_id: int) -> int:
    """Move a concluded session's nominations on; safe to run twice."""
    from approvals.models import CouncilSession
    from approvals.services import voting

    session = CouncilSession.objects.filter(pk=session_id).select_related("council").first()
    return voting.session_results_apply(session=session) if session else 0


@shared_task(name="approvals.session_deadlines_close")
def session_deadlines_close() -> int:
    """Close the voting of sessions whose deadline has passed; returns how many."""
    from approvals.models import CouncilSession, SessionStatus
    from approvals.services import voting

    due = CouncilSession.objects.filter(
        status=SessionStatus.VOTING, voting_deadline__lt=timezone.now()
    ).values_list("pk", flat=True)
    closed = 0
    for session_id in list(due):
        session = CouncilSession.objects.get(pk=session_id)
        try:
            voting.voting_close(actor=None, session=session)
            closed += 1
        except ValidationError:  # closed meanwhile by the chair
            logger.info("Session %s was already closed", session_id)
    return closed


@shared_task(
    name="approvals.session_vote_reminders_send",
    autoretry_for=(OperationalError,),  # safe: one reminder per member, session and round
    retry_backoff=True,
    max_retries=5,
)
def session_vote_reminders_send() -> int:
    """Remind members who have not voted in sessions closing within a day; returns how many."""
    from approvals.services.session_reminders import session_vote_reminders_create

    return session_vote_reminders_create(now=timezone.now())


@shared_task(
    name="approvals.minutes_generate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def minutes_generate(*, session_id: int) -> int:
    """Write a concluded session's minutes and file them in its dossiers; safe to run twice."""
    from approvals.documents.minutes import minutes_generate as generate
    from approvals.models import CouncilSession, SessionStatus

    session = CouncilSession.objects.filter(pk=session_id, status=SessionStatus.CONCLUDED).first()
    return generate(session=session) if session else 0


@shared_task(name="approvals.concluded_sessions_sweep")
def concluded_sessions_sweep() -> int:
    """Finish concluded sessions whose on-commit tasks never ran (the broker was down).

    Moves nominations not yet moved and writes missing minutes; returns how many sessions
    needed it.
    """
    import datetime

    from approvals.documents.minutes import minutes_files
    from approvals.documents.minutes import minutes_generate as generate
    from approvals.models import CouncilSession, SessionStatus
    from approvals.services import voting

    cutoff = timezone.now() - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES)
    finished = 0
    sessions = CouncilSession.objects.filter(
        status=SessionStatus.CONCLUDED, concluded_at__lt=cutoff
    ).select_related("council")
    for session in sessions.order_by("pk").iterator(chunk_size=100):
        unmoved = voting.final_items(session).filter(applied_at__isnull=True).exists()
        if unmoved:
            voting.session_results_apply(session=session)
        if unmoved or not minutes_files(session):
            generate(session=session)
            finished += 1
    return finished


@shared_task(
    name="approvals.bloc_minutes_generate",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def bloc_minutes_generate(*, review_id: int) -> int:
    """Write a submitted bloc review's minutes and file them in its dossiers; safe to run twice."""
    from approvals.documents.bloc_minutes import bloc_minutes_generate as generate
    from approvals.models import BlocReview, ReviewStatus

    review = BlocReview.objects.filter(pk=review_id, status=ReviewStatus.SUBMITTED).first()
    return generate(review=review) if review else 0


@shared_task(name="approvals.submitted_reviews_sweep")
def submitted_reviews_sweep() -> int:
    """Write the minutes of submitted bloc reviews whose on-commit task never ran.

    Returns how many reviews needed it.
    """
    import datetime

    from approvals.documents.bloc_minutes import bloc_minutes_files
    from approvals.documents.bloc_minutes import bloc_minutes_generate as generate
    from approvals.models import BlocReview, ReviewStatus

    cutoff = timezone.now() - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES)
    finished = 0
    reviews = BlocReview.objects.filter(
        status=ReviewStatus.SUBMITTED, submitted_at__lt=cutoff
    ).select_related("bloc")
    for review in reviews.order_by("pk").iterator(chunk_size=100):
        if not bloc_minutes_files(review):
            generate(review=review)
            finished += 1
    return finished


@shared_task(
    name="approvals.job_run",
    acks_late=True,  # a worker killed mid-job leaves it queued for another: the job reruns whole
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def job_run(*, job_id: int) -> str:
    """Produce a requested export or document file; returns the job's final status."""
    from approvals.services.jobs import job_execute

    job = job_execute(job_id)
    return job.status if job else "missing"
