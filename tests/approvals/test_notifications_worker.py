"""A real Celery worker on Redis e-mails notifications once their transition commits, never
for a rolled-back one.

The worker is a separate process reading the test database, so the tests commit for real
(transaction=True) and need PostgreSQL; Django flushes the database after each of them, so
the demo data is loaded again before each test and after the last one.
"""

import email
import os
import re
import subprocess
import sys
import time
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection, transaction

from approvals.models import Award, Campaign, Notification, NotificationKind, Person, Unit
from approvals.services.nominations import nomination_create
from tests.approvals.nomination_helpers import approve
from tests.conftest import require_services

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
READY_WITHIN = 30  # seconds for the worker to start
DELIVERED_WITHIN = 30  # seconds for a committed notification to be e-mailed
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file-based backend writes after each message
TASK_RECEIVED = re.compile(r"Task approvals\.notification_emails_send\[[\w-]+\] received")


def _load_demo_if_flushed() -> None:
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    if not Unit.objects.filter(code="bqp").exists():
        load_demo()
        load_demo_routes()


def _database_url() -> str:
    """The test database (test_…), as the worker process must see it."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")  # a socket directory is percent-encoded
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    """A `celery -A project worker` subprocess writing its e-mails into `mail_dir`."""

    def __init__(self, tmp: Path) -> None:
        self.mail_dir = tmp / "mail"
        self.mail_dir.mkdir()
        self.log_path = tmp / "worker.log"
        self.process: subprocess.Popen | None = None
        self.seen: set[str] = set()
        self.log_mark = 0

    def start(self) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",  # no idle connection in the way of flushes and DROP DATABASE
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            str(CELERY),
            "-A",
            "project",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=test-{os.getpid()}@%h",
        ]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the Celery worker exited with {self.process.returncode}{self.tail()}")
            if re.search(r"\bready\.", self.log()):
                return
            time.sleep(0.2)
        pytest.fail(f"the Celery worker was not ready within {READY_WITHIN} s{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self) -> str:
        return "\n--- Celery worker log ---\n" + self.log()[-8000:]

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

    def wait_for(self, condition, what: str, within: float = DELIVERED_WITHIN):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(0.2)
        pytest.fail(f"{what} did not happen within {within} s{self.tail()}")


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
