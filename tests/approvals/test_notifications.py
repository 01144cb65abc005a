"""Notifications without a worker: in-app rows for whoever acts next, the e-mail task run in
this process (idempotent, retried), and the reminders of stages falling due.

Valid with and without CELERY_BROKER_URL: nothing here goes through the broker; the e-mail
task is either run eagerly for the test or called directly.
"""

import datetime
import smtplib

import pytest
from django.db import OperationalError
from django.utils import timezone, translation

from approvals.models import (
    Award,
    Campaign,
    Nomination,
    Notification,
    NotificationKind,
    Person,
    Unit,
)
from approvals.services.nominations import Action, nomination_create, stage_act
from approvals.services.reminders import reminders_create
from approvals.tasks import due_task_reminders_send, notification_emails_send
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import approve

pytestmark = pytest.mark.django_db

TUESDAY = datetime.date(2026, 3, 10)  # two working days later is Thursday 12 March


@pytest.fixture
def submitted(demo_user):
    """Giấy khen nominations drafted by canbo.f3 and submitted to chihuy.f3.

    The test's transaction never commits, so their e-mail tasks are not run.
    """
    people = iter(Person.objects.filter(unit__code="f3").order_by("pk"))

    def submit() -> Nomination:
        nomination = nomination_create(
            actor=demo_user("canbo.f3"),
            submitting_unit=Unit.objects.get(code="f3"),
            award=Award.objects.get(code="giay-khen"),
            campaign=Campaign.objects.get(code="tdqt-2026"),
            achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện năm 2026.",
            person=next(people),
        )
        return approve(demo_user("canbo.f3"), nomination)

    return submit


def _ids(nomination: Nomination, kind: str = NotificationKind.TASK) -> list[int]:
    return list(nomination.notifications.filter(kind=kind).values_list("pk", flat=True))


def test_the_next_actors_are_notified_in_app_and_by_email_after_commit(
    demo_user, django_capture_on_commit_callbacks, mailoutbox, eager_celery, settings
):
    settings.SITE_URL = "https://tdkt.example.vn"
    with translation.override("en"):  # whatever the actor's language, the e-mails are Vietnamese
        nomination = nomination_create(
            actor=demo_user("canbo.f3"),
            submitting_unit=Unit.objects.get(code="f3"),
            award=Award.objects.get(code="giay-khen"),
            campaign=Campaign.objects.get(code="tdqt-2026"),
            achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện năm 2026.",
            person=Person.objects.filter(unit__code="f3").order_by("pk").first(),
        )
        assert not Notification.objects.exists()  # drafting notifies no one
        complete_dossier(nomination, demo_user("canbo.f3"))

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            nomination = stage_act(
                actor=demo_user("canbo.f3"), nomination=nomination, action=Action.APPROVE
            )
        (notification,) = Notification.objects.all()
        assert notification.recipient.username == "chihuy.f3"
        assert (notification.nomination, notification.kind) == (nomination, NotificationKind.TASK)
        assert notification.read_at is None and notification.emailed_at is None
        assert mailoutbox == []  # nothing is sent before the commit

        assert len(callbacks) == 1
        callbacks[0]()  # the commit: the e-mail task, run eagerly here
    (message,) = mailoutbox
    assert message.to == ["chihuy.f3@demo.tdkt.local"]
    name = nomination.nominee_name
    assert message.subject == f"Đề nghị chờ xử lý: {name} — Giấy khen"
    assert f"Đề nghị “Giấy khen” cho {name} (" in message.body
    assert "đang chờ đồng chí xử lý." in message.body
    assert "Hạn xử lý: " in message.body
    link = f"Xem trên hệ thống: https://tdkt.example.vn/nominations/{nomination.pk}/"
    assert message.body.splitlines()[-1] == link
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_task_sends_each_notification_once(submitted, mailoutbox):
    nomination = submitted()
    ids = _ids(nomination)
    assert notification_emails_send(notification_ids=ids) == 1
    assert notification_emails_send(notification_ids=ids) == 0  # a redelivered task
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["chihuy.f3@demo.tdkt.local"]


def test_a_recipient_without_an_address_is_marked_done_without_mail(
    submitted, demo_user, mailoutbox
):
    commander = demo_user("chihuy.f3")
    commander.email = ""
    commander.save(update_fields=["email"])
    ids = _ids(submitted())
    assert notification_emails_send(notification_ids=ids) == 0
    assert mailoutbox == []
    assert Notification.objects.get(pk__in=ids).emailed_at is not None  # not tried again


def test_a_failed_send_is_retried_and_then_sent_once(submitted, demo_user, mailoutbox, monkeypatch):
    for task in (notification_emails_send, due_task_reminders_send):
        assert OperationalError in task.autoretry_for  # a database outage is waited out
        assert (task.max_retries, task.retry_backoff) == (5, True)
    assert smtplib.SMTPException in notification_emails_send.autoretry_for
    ids = _ids(submitted())
    other = Notification.objects.create(  # a second recipient: one e-mail each
        recipient=demo_user("canbo.qk1"), kind=NotificationKind.TASK, subject="Thứ hai", body="."
    )
    ids.append(other.pk)

    import approvals.tasks

    real_send_mail = approvals.tasks.send_mail
    calls = []

    def send_mail_failing_second(*args, **kwargs):
        calls.append(args[3])
        if len(calls) == 2:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(*args, **kwargs)

    monkeypatch.setattr(approvals.tasks, "send_mail", send_mail_failing_second)
    # Called directly, the task raises where a worker would retry it later.
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notification_emails_send(notification_ids=ids)
    first, second = Notification.objects.filter(pk__in=ids).order_by("pk")
    assert (first.emailed_at is not None, second.emailed_at is None) == (True, True)
    assert len(mailoutbox) == 1

    assert notification_emails_send(notification_ids=ids) == 1  # the retry: the second only
    assert [m.to for m in mailoutbox] == [
        ["chihuy.f3@demo.tdkt.local"],
        ["canbo.qk1@demo.tdkt.local"],
    ]
    assert mailoutbox[1].subject == "Thứ hai"


def test_several_notifications_reach_their_recipient_as_one_email(
    submitted, mailoutbox, monkeypatch, settings
):
    """A letter moving on tells the next office of every nomination in it: one e-mail per
    person listing them (the first DIGEST_LISTED), not one e-mail per nomination."""
    import approvals.services.notifications

    nominations = [submitted() for _ in range(3)]
    ids = [pk for nomination in nominations for pk in _ids(nomination)]
    monkeypatch.setattr(approvals.services.notifications, "DIGEST_LISTED", 2)
    settings.SITE_URL = "http://testserver"

    assert notification_emails_send(notification_ids=ids) == 3
    (message,) = mailoutbox
    assert message.to == ["chihuy.f3@demo.tdkt.local"]
    assert message.subject == "3 thông báo mới về đề nghị khen thưởng"
    lines = message.body.splitlines()
    assert lines[0] == "Đồng chí có 3 thông báo mới:"
    listed = [f"Đề nghị chờ xử lý: {n.nominee_name} — Giấy khen" for n in nominations]
    assert f"1. {listed[0]}" in lines and f"2. {listed[1]}" in lines
    for nomination in nominations[:2]:  # each listed one with the link to its page
        assert f"Xem trên hệ thống: http://testserver/nominations/{nomination.pk}/" in lines
    assert lines[-1] == "Tất cả thông báo: http://testserver/notifications/"
    assert listed[2] not in message.body  # beyond the limit: counted, left to the app
    assert "… và 1 thông báo khác: xem mục Thông báo trên hệ thống." in lines
    assert not Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).exists()
    assert notification_emails_send(notification_ids=ids) == 0
    assert len(mailoutbox) == 1


def test_reminders_cover_stages_due_within_two_working_days_or_overdue(
    submitted, django_capture_on_commit_callbacks, mailoutbox
):
    soon, overdue, later = submitted(), submitted(), submitted()
    for nomination, due in (
        (soon, datetime.date(2026, 3, 12)),  # Thursday: two working days from Tuesday
        (overdue, datetime.date(2026, 3, 6)),
        (later, datetime.date(2026, 3, 13)),  # Friday: three working days away
    ):
        Nomination.objects.filter(pk=nomination.pk).update(due_date=due)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders_create(today=TUESDAY) == 2
    assert len(callbacks) == 1  # one e-mail task for the day's reminders, after commit
    reminders = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert {(r.nomination_id, r.recipient.username) for r in reminders} == {
        (soon.pk, "chihuy.f3"),
        (overdue.pk, "chihuy.f3"),
    }

    # The same day again (a second beat, a redelivered task): nothing new.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert reminders_create(today=TUESDAY) == 0
    assert callbacks == []
    assert reminders.count() == 2
    # The next day they are reminded again, and Friday's stage is now two working days away.
    assert reminders_create(today=TUESDAY + datetime.timedelta(days=1)) == 3

    assert later.notifications.filter(kind=NotificationKind.REMINDER).count() == 1

    for nomination in (soon, overdue):
        ids = _ids(nomination, NotificationKind.REMINDER)
        assert notification_emails_send(notification_ids=ids) == 2  # Tuesday's and Wednesday's
    soon_mail, overdue_mail = mailoutbox  # each call: one e-mail with both reminders
    for message in mailoutbox:
        assert message.to == ["chihuy.f3@demo.tdkt.local"]
        assert message.subject == "2 thông báo mới về đề nghị khen thưởng"
    assert f"1. Nhắc hạn xử lý (12/03/2026): {soon.nominee_name}" in soon_mail.body
    assert (
        f"Đề nghị “Giấy khen” cho {soon.nominee_name} cần được xử lý trước ngày 12/03/2026."
    ) in soon_mail.body
    assert f"1. Nhắc hạn xử lý (06/03/2026): {overdue.nominee_name}" in overdue_mail.body
    assert (
        f"Đề nghị “Giấy khen” cho {overdue.nominee_name} đã quá hạn xử lý ngày 06/03/2026."
    ) in overdue_mail.body


def test_a_days_reminders_reach_each_person_as_one_email_in_bounded_queries(
    submitted, django_capture_on_commit_callbacks, mailoutbox, eager_celery
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def overdue(count: int) -> list[Nomination]:
        nominations = [submitted() for _ in range(count)]
        Nomination.objects.filter(pk__in=[n.pk for n in nominations]).update(
            due_date=datetime.date(2026, 3, 6)
        )
        return nominations

    def remind(day: datetime.date) -> int:
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert reminders_create(today=day) > 0
        return len(queries)

    few, many = overdue(1), overdue(4)
    counted = remind(TUESDAY)
    (message,) = mailoutbox  # chihuy.f3: one e-mail for the five nominations overdue
    assert message.to == ["chihuy.f3@demo.tdkt.local"]
    assert message.subject == "5 thông báo mới về đề nghị khen thưởng"
    for nomination in [*few, *many]:
        assert f"Nhắc hạn xử lý (06/03/2026): {nomination.nominee_name}" in message.body
    Notification.objects.filter(kind=NotificationKind.REMINDER).delete()
    Nomination.objects.filter(pk__in=[n.pk for n in many]).update(due_date=None)
    assert remind(TUESDAY) == counted  # one nomination due or five: the same queries
    assert len(mailoutbox) == 2


def test_the_periodic_task_reminds_of_overdue_stages_as_of_today(submitted):
    on_time, overdue = submitted(), submitted()  # the approval stage allows 3 working days
    Nomination.objects.filter(pk=overdue.pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=7)
    )
    assert due_task_reminders_send() == 1
    assert due_task_reminders_send() == 0
    (reminder,) = Notification.objects.filter(kind=NotificationKind.REMINDER)
    assert (reminder.nomination_id, reminder.recipient.username) == (overdue.pk, "chihuy.f3")
    assert "đã quá hạn xử lý" in reminder.body
    assert not on_time.notifications.filter(kind=NotificationKind.REMINDER).exists()


def test_the_sweep_sends_what_the_enqueue_missed_and_leaves_fresh_ones(submitted, mailoutbox):
    from approvals.tasks import notification_emails_sweep

    submitted = submitted()
    fresh = Notification.objects.get(nomination=submitted, recipient__username="chihuy.f3")
    stale = Notification.objects.create(
        recipient=fresh.recipient, nomination=submitted, kind="task", subject="Cũ", body="Cũ"
    )
    Notification.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert notification_emails_sweep() == 1
    assert [m.subject for m in mailoutbox] == ["Cũ"]
    fresh.refresh_from_db()
    assert fresh.emailed_at is None  # its own on-commit task will send it
    assert notification_emails_sweep() == 0


def test_a_broker_outage_does_not_undo_the_transition(
    demo_user, django_capture_on_commit_callbacks, monkeypatch
):
    from approvals import tasks

    def broker_down(**kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr(tasks.notification_emails_send, "delay", broker_down)
    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=Unit.objects.get(code="f3"),
        award=Award.objects.get(code="giay-khen"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Thành tích.",
        person=Person.objects.filter(unit__code="f3").order_by("pk").first(),
    )
    complete_dossier(nomination, demo_user("canbo.f3"))
    with django_capture_on_commit_callbacks(execute=True):
        nomination = stage_act(
            actor=demo_user("canbo.f3"), nomination=nomination, action=Action.APPROVE
        )
    nomination.refresh_from_db()
    assert nomination.stage_position == 2
    assert Notification.objects.filter(nomination=nomination, emailed_at__isnull=True).exists()
