"""Background work: e-mailing notifications and reminding people of tasks falling due."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings
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
    """E-mail the notifications not yet e-mailed; safe to run twice. Returns how many were sent."""
    from approvals.models import Notification

    sent = 0
    for notification_id in notification_ids:
        with transaction.atomic():
            notification = (
                # lock the notification only: the user row stays free while the mail goes out
                Notification.objects.select_for_update(of=("self",))
                .select_related("recipient")
                .filter(pk=notification_id, emailed_at__isnull=True)
                .first()
            )
            if notification is None:
                continue
            if notification.recipient.email:
                send_mail(
                    notification.subject,
                    notification.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [notification.recipient.email],
                )
                sent += 1
            notification.emailed_at = timezone.now()  # done, with or without an address
            notification.save(update_fields=["emailed_at"])
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
