"""Background work of council sessions: deadlines, reminders, and what concluding enqueues."""

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from approvals import tasks
from approvals.models import Notification, NotificationKind, SessionStatus
from approvals.services import voting
from tests.approvals.voting_helpers import (
    at_council_vote,
    ministry_council,
    prepared_session,
    roster_users,
)

pytestmark = pytest.mark.django_db


def voting_session(demo_user, *, present=12, written=2):
    users = roster_users(ministry_council())
    nominations = at_council_vote(demo_user, 1)
    session = prepared_session(demo_user, nominations, present=present, written=written)
    session = voting.voting_open(actor=demo_user("hd.chutich"), session=session)
    return session, users


def _cast(session, user):
    item = session.items.get()
    recused = voting.recused_item_ids(session, voting.membership_of(user, session))
    choices = {} if item.pk in recused else {item.pk: "agree"}
    return voting.ballot_cast(actor=user, session=session, choices=choices)


def _deadline_in(session, delta: datetime.timedelta) -> None:
    session.__class__.objects.filter(pk=session.pk).update(voting_deadline=timezone.now() + delta)
    session.refresh_from_db()


def test_members_who_have_not_voted_are_reminded_once_a_day_before_the_deadline(demo_user):
    session, users = voting_session(demo_user)
    assert tasks.session_vote_reminders_send() == 0  # two days before: too early
    _deadline_in(session, datetime.timedelta(hours=12))
    attendance = dict(session.attendances.values_list("membership_id", "status"))
    may_vote = [pk for pk, status in attendance.items() if status != "absent"]
    voted = may_vote[:3]
    for membership_id in voted:
        _cast(session, users[membership_id])

    assert tasks.session_vote_reminders_send() == 11
    reminded = Notification.objects.filter(kind=NotificationKind.REMINDER, nomination=None)
    expected = {users[pk].pk for pk in may_vote if pk not in voted}
    assert set(reminded.values_list("recipient_id", flat=True)) == expected
    absent = [users[pk].pk for pk, status in attendance.items() if status == "absent"]
    assert not reminded.filter(recipient_id__in=absent).exists()
    notice = reminded.first()
    assert session.title in notice.subject
    assert "chưa bỏ phiếu vòng 1" in notice.body
    assert session.council.name in notice.body

    assert tasks.session_vote_reminders_send() == 0  # once per member, session and round
    assert reminded.count() == 11


def test_no_reminders_once_the_deadline_has_passed_or_the_vote_is_closed(demo_user):
    session, _users = voting_session(demo_user, present=17, written=0)
    _deadline_in(session, datetime.timedelta(hours=-1))
    assert tasks.session_vote_reminders_send() == 0
    _deadline_in(session, datetime.timedelta(hours=3))
    voting.voting_close(actor=demo_user("hd.chutich"), session=session)
    assert tasks.session_vote_reminders_send() == 0


def test_the_reminder_task_runs_every_hour():
    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "approvals.session_vote_reminders_send"
    ]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert len(schedule.minute) == 1 and len(schedule.hour) == 24


def test_an_overdue_session_is_closed_and_counted_and_a_second_run_is_harmless(demo_user):
    session, users = voting_session(demo_user, present=17, written=0)
    for membership_id in list(users)[:10]:
        _cast(session, users[membership_id])
    assert tasks.session_deadlines_close() == 0  # not due yet
    _deadline_in(session, datetime.timedelta(minutes=-1))

    assert tasks.session_deadlines_close() == 1
    session.refresh_from_db()
    item = session.items.get()
    assert session.status == SessionStatus.CLOSED
    assert (item.agree, item.disagree, item.passed) == (10, 0, True)
    closed_at = session.closed_at

    assert tasks.session_deadlines_close() == 0
    session.refresh_from_db()
    item.refresh_from_db()
    assert (session.status, session.closed_at, item.agree) == (SessionStatus.CLOSED, closed_at, 10)


def test_concluding_enqueues_the_results_and_the_minutes_on_commit(
    demo_user, django_capture_on_commit_callbacks
):
    session, users = voting_session(demo_user, present=17, written=0)
    for user in users.values():
        _cast(session, user)
    chair = demo_user("hd.chutich")
    session = voting.voting_close(actor=chair, session=session)
    with (
        mock.patch.object(tasks.session_results_apply, "delay") as results_apply,
        mock.patch.object(tasks.minutes_generate, "delay") as minutes_generate,
    ):
        with django_capture_on_commit_callbacks() as callbacks:
            voting.session_conclude(actor=chair, session=session)
        assert not minutes_generate.called  # nothing before the commit
        assert len(callbacks) == 2
        for callback in callbacks:
            callback()
    results_apply.assert_called_once_with(session_id=session.pk)
    minutes_generate.assert_called_once_with(session_id=session.pk)


def test_a_second_round_enqueues_no_minutes(demo_user, django_capture_on_commit_callbacks):
    council = ministry_council()
    council.allows_second_round = True
    council.save(update_fields=["allows_second_round"])
    session, users = voting_session(demo_user, present=17, written=0)
    for index, user in enumerate(users.values()):
        item = session.items.get()
        voting.ballot_cast(
            actor=user, session=session, choices={item.pk: "agree" if index < 3 else "disagree"}
        )
    chair = demo_user("hd.chutich")
    session = voting.voting_close(actor=chair, session=session)
    with django_capture_on_commit_callbacks() as callbacks:
        session = voting.session_conclude(
            actor=chair, session=session, second_round=[session.items.get().pk]
        )
    assert session.status == SessionStatus.VOTING
    assert callbacks == []


def test_the_sweep_finishes_a_session_whose_tasks_were_lost(demo_user, monkeypatch):
    """A conclusion committed while the broker was down: nothing moved, no minutes yet."""
    import datetime

    from django.utils import timezone

    from approvals.documents.minutes import minutes_files
    from approvals.models import CouncilSession
    from approvals.tasks import concluded_sessions_sweep
    from tests.approvals.voting_helpers import at_council_vote, decide_by_council

    nominations = at_council_vote(demo_user, 1, start=7)
    # decide_by_council applies the results itself; stop that to play the lost task
    from approvals.services import voting

    with monkeypatch.context() as patch:
        patch.setattr(voting, "session_results_apply", lambda *, session: 0)
        decide_by_council(demo_user, nominations, agree=17)
    session = CouncilSession.objects.latest("pk")
    CouncilSession.objects.filter(pk=session.pk).update(
        concluded_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert not minutes_files(session)
    assert concluded_sessions_sweep() == 1
    moved = nominations[0].__class__.objects.get(pk=nominations[0].pk)
    assert moved.current_stage.kind == "decision"
    assert set(minutes_files(session)) == {"pdf", "docx"}
    assert concluded_sessions_sweep() == 0
