"""A real Celery worker on Redis e-mails notifications once their transition commits, never
for a rolled-back one.

The worker is a separate process reading the test database, so the tests commit for real
(transaction=True) and need PostgreSQL; Django flushes the database after each of them, so
the demo data is loaded again before each test and after the last one.
"""

import email
import re
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.db import transaction

from approvals.models import Award, Campaign, Notification, NotificationKind, Person, Unit
from approvals.services.nominations import nomination_create
from tests.approvals.nomination_helpers import approve
from tests.conftest import require_services
from tests.worker_process import Worker as WorkerProcess

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file-based backend writes after each message
TASK_RECEIVED = re.compile(r"Task approvals\.notification_emails_send\[[\w-]+\] received")


def _load_demo_if_flushed() -> None:
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    if not Unit.objects.filter(code="bqp").exists():
        load_demo()
        load_demo_routes()


class Worker(WorkerProcess):
    """The shared worker subprocess, reading what it e-mailed since a test began."""

    def __init__(self, tmp: Path) -> None:
        super().__init__(tmp)
        self.seen: set[str] = set()
        self.log_mark = 0

    def begin_test(self) -> None:
        """Forget the e-mails and log lines of earlier tests."""
        self.seen = {path.name for path in self.mail_dir.iterdir()}
        self.log_mark = len(self.log())

    def tasks_received(self) -> int:
        return len(TASK_RECEIVED.findall(self.log()[self.log_mark :]))

    def messages(self) -> list[EmailMessage]:
        """E-mails written since the test began (files still being written are left out)."""
        found = []
        for path in sorted(self.mail_dir.iterdir()):
            content = path.read_bytes()
            if path.name in self.seen or not content.endswith(SEPARATOR):
                continue
            for raw in content.split(SEPARATOR):
                if raw.strip():
                    found.append(email.message_from_bytes(raw, policy=policy.default))
        return found


@pytest.fixture(scope="module")
def worker(request, django_db_setup, django_db_blocker, tmp_path_factory):
    require_services(request.node)
    from project.celery import app

    app.control.purge()  # leftovers of earlier runs and of tests without a worker
    started = Worker(tmp_path_factory.mktemp("celery-worker"))
    try:
        started.start()
        yield started
    finally:
        started.stop()
        with django_db_blocker.unblock():  # the last test's flush emptied the database
            _load_demo_if_flushed()


@pytest.fixture
def live_worker(worker, request, capsys, db):
    """The worker, with the demo data committed; its log is printed if the test fails."""
    _load_demo_if_flushed()
    worker.begin_test()
    failed_before = request.session.testsfailed
    yield worker
    if request.session.testsfailed > failed_before:
        with capsys.disabled():
            print(worker.tail())


def _people_of(unit_code: str, count: int) -> list[Person]:
    people, names = [], set()
    for person in Person.objects.filter(unit__code=unit_code).order_by("pk"):
        if person.full_name not in names:
            people.append(person)
            names.add(person.full_name)
        if len(people) == count:
            return people
    raise AssertionError(f"the demo has fewer than {count} people in {unit_code}")


def _submit_giay_khen(demo_user, person: Person):
    """canbo.f3 drafts a Giấy khen for the person and submits it to chihuy.f3."""
    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=Unit.objects.get(code="f3"),
        award=Award.objects.get(code="giay-khen"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện năm 2026.",
        person=person,
    )
    return approve(demo_user("canbo.f3"), nomination)


def _subject(message: EmailMessage) -> str:
    # Django folds a long encoded subject onto a continuation line; unfolding leaves a space
    return str(message["Subject"]).strip()


def _mail_about(worker: Worker, name: str) -> list[EmailMessage]:
    return [message for message in worker.messages() if name in _subject(message)]


def test_the_worker_emails_the_next_actor_once_the_transition_commits(live_worker, demo_user):
    (person,) = _people_of("f3", 1)
    nomination = _submit_giay_khen(demo_user, person)  # committed: the test is transactional

    notification = Notification.objects.get(nomination=nomination)
    assert (notification.recipient.username, notification.kind) == (
        "chihuy.f3",
        NotificationKind.TASK,
    )
    (message,) = live_worker.wait_for(
        lambda: _mail_about(live_worker, person.full_name), "the e-mail to chihuy.f3"
    )
    assert message["To"] == "chihuy.f3@demo.tdkt.local"
    assert _subject(message) == f"Đề nghị chờ xử lý: {person.full_name} — {nomination.award.name}"
    assert "đang chờ đồng chí xử lý" in message.get_content()

    def emailed():
        notification.refresh_from_db()
        return notification.emailed_at

    live_worker.wait_for(emailed, "Notification.emailed_at being set")
    assert live_worker.tasks_received() == 1


class RolledBack(Exception):
    pass


def test_a_rolled_back_transition_sends_nothing(live_worker, demo_user):
    dropped, sentinel = _people_of("f3", 2)
    with pytest.raises(RolledBack), transaction.atomic():
        nomination = _submit_giay_khen(demo_user, dropped)
        assert Notification.objects.filter(nomination=nomination).count() == 1
        raise RolledBack
    assert not Notification.objects.exists()

    # A later committed transition is e-mailed: the worker is alive, and it takes the queue in
    # order, so anything the rolled-back transition had enqueued would have come before it.
    _submit_giay_khen(demo_user, sentinel)
    live_worker.wait_for(lambda: _mail_about(live_worker, sentinel.full_name), "the sentinel")
    time.sleep(2)  # and a little longer, for anything delivered late
    assert _mail_about(live_worker, dropped.full_name) == []
    assert len(live_worker.messages()) == 1
    assert live_worker.tasks_received() == 1  # the sentinel's task only: nothing else enqueued
