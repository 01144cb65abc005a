"""Notifications: written in the caller's transaction, e-mailed by Celery after commit."""

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from approvals.models import Nomination, NominationEvent, Notification, NotificationKind

logger = logging.getLogger(__name__)

# A digest e-mail lists this many notifications; the rest are counted and left to the app.
DIGEST_LISTED = 50


def _text(template: str, context: dict) -> str:
    """An e-mail template rendered in Vietnamese, whatever the actor's language."""
    with translation.override("vi"):
        return render_to_string(template, context)


def _render(kind: str, context: dict) -> tuple[str, str]:
    subject = _text(f"emails/{kind}_subject.txt", context).strip()
    return subject[:200], _text(f"emails/{kind}_body.txt", context)


def notification_rows(
    *, recipients, nomination, kind: str, context: dict, dedupe: str = "", template: str = ""
) -> list[Notification]:
    subject, body = _render(template or kind, context)
    return [
        Notification(
            recipient=user,
            nomination=nomination,
            kind=kind,
            subject=subject,
            body=body,
            dedupe_key=f"{dedupe}:{user.pk}" if dedupe else None,
        )
        for user in recipients
    ]


def notifications_save(rows: list[Notification]) -> list[Notification]:
    """Insert the rows in one statement and e-mail them after commit, in one task (each
    recipient gets one e-mail for all of theirs)."""
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in created]

    transaction.on_commit(lambda: _enqueue_emails(ids))
    return created


def notifications_create(
    *,
    recipients,
    nomination: Nomination | None,
    kind: str,
    context: dict,
    dedupe: str = "",
    template: str = "",
) -> list[Notification]:
    """Write one notification per recipient and e-mail them after commit.

    `template` names the e-mail templates (emails/<template>_subject.txt, _body.txt); by
    default the kind's. Side effects: inserts Notification rows; enqueues the e-mail task on
    commit.
    """
    return notifications_save(
        notification_rows(
            recipients=recipients,
            nomination=nomination,
            kind=kind,
            context=context,
            dedupe=dedupe,
            template=template,
        )
    )


def _link(notification: Notification) -> str:
    """Where the e-mail sends its reader: the nomination's page, else the notifications."""
    if notification.nomination_id:
        return settings.SITE_URL + reverse("nomination_detail", args=[notification.nomination_id])
    return settings.SITE_URL + reverse("notification_list")


def email_for(notifications: list[Notification]) -> tuple[str, str]:
    """(subject, body) of the one e-mail a recipient gets for these notifications: a single
    one as written; several (a letter of fifty moving on, a decision's awards, the day's
    reminders) as one digest listing the first DIGEST_LISTED and counting the rest; each
    with the link to open it (settings.SITE_URL), in Vietnamese."""
    if len(notifications) == 1:
        notification = notifications[0]
        context = {"notification": notification, "link": _link(notification)}
        return notification.subject, _text("emails/single_body.txt", context)
    context = {
        "count": len(notifications),
        "listed": [(n, _link(n)) for n in notifications[:DIGEST_LISTED]],
        "more": max(0, len(notifications) - DIGEST_LISTED),
        "all_link": settings.SITE_URL + reverse("notification_list"),
    }
    return _render("digest", context)


def _enqueue_emails(ids: list[int]) -> None:
    """Hand the e-mails to Celery; if that fails the change stays saved and the sweep sends them."""
    from approvals.tasks import notification_emails_send

    try:
        notification_emails_send.delay(notification_ids=ids)
    except Exception:
        logger.exception("E-mail of notifications %s left to the outbox sweep", ids)


def _stage_rows(nomination: Nomination, recipients) -> list[Notification]:
    return notification_rows(
        recipients=recipients,
        nomination=nomination,
        kind=NotificationKind.TASK,
        context={"nomination": nomination, "stage": nomination.current_stage},
    )


def _outcome_rows(nomination: Nomination, event: NominationEvent) -> list[Notification]:
    author = nomination.created_by
    if author is None or author.pk == event.actor_id:
        return []
    return notification_rows(
        recipients=[author],
        nomination=nomination,
        kind=NotificationKind.OUTCOME,
        context={"nomination": nomination, "event": event},
    )


def actors_of(nomination: Nomination, cache: dict) -> list:
    """acting_users of the nomination, read once per stage and acting unit, bloc or council
    (and claim) however many nominations of a batch share them."""
    from approvals.selectors.nominations import acting_users

    key = (
        nomination.acting_permission,
        nomination.acting_unit_id,
        nomination.acting_bloc_id,
        nomination.acting_council_id,
        nomination.claimed_by_id,
    )
    if key not in cache:
        cache[key] = list(acting_users(nomination))
    return cache[key]


def notify_moves(waiting: list[Nomination], outcomes: list[tuple]) -> list[Notification]:
    """What a batch of moves tells, in one insert: everyone who may act on each of `waiting`
    (actors_of), and each (nomination, event) of `outcomes` to the nomination's author.
    """
    actors: dict[tuple, list] = {}
    rows = []
    for nomination in waiting:
        rows += _stage_rows(nomination, actors_of(nomination, actors))
    for nomination, event in outcomes:
        rows += _outcome_rows(nomination, event)
    return notifications_save(rows)
