"""Redis is down while someone moves a nomination on: the move commits, the user is told it
worked, and the e-mail goes out once Redis is back, exactly once.

Simulated: for the duration of the request the web process publishes to a closed port on
127.0.0.1 (CELERY_BROKER_WRITE_URL, which Celery reads before its configuration, and a fresh
producer pool), so kombu's real publish fails with "connection refused" after its retries,
as it would with Redis stopped. A real `celery -A project worker` stays on the real Redis
throughout. The notifications table is the outbox: with the broker back, beat's
`approvals.notification_emails_sweep` (here sent twice, as two beats would) e-mails what the
enqueue missed; `created_at` is moved back past the sweep's five-minute wait instead of
waiting. (tests/approvals/test_notifications.py covers the same with a mocked `delay`.)
"""

import contextlib
import datetime
import email
import re
import socket
import time
from email import policy

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from approvals.models import Notification
from approvals.tasks import SWEEP_AFTER_MINUTES, notification_emails_sweep
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import nominate

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

SWEEP_DONE = re.compile(
    r"Task approvals\.notification_emails_sweep\[[\w-]+\] succeeded in [\d.]+s: (\d+)"
)
SEPARATOR = b"\n" + b"-" * 79 + b"\n"  # what the file-based backend writes after each message


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@contextlib.contextmanager
def broker_down():
    """This process's Celery publishes to a closed port inside the block."""
    from project.celery import app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CELERY_BROKER_WRITE_URL", f"redis://127.0.0.1:{_closed_port()}/0")
        patch.setattr(app.amqp, "_producer_pool", None)  # no pooled connection to the real one
        yield


def _mails(worker) -> list[email.message.EmailMessage]:
    found = []
    for path in worker.mail_files():
        for raw in path.read_bytes().split(SEPARATOR):
            if raw.strip():
                found.append(email.message_from_bytes(raw, policy=policy.default))
    return found


def test_a_transition_with_the_broker_down_is_emailed_once_by_the_sweep(
    committed_demo, demo_user, client_for, start_worker, caplog
):
    worker = start_worker()
    nomination = nominate(demo_user, index=9)
    complete_dossier(nomination, demo_user("canbo.f3"))
    client = client_for("canbo.f3")

    with broker_down():
        began = time.monotonic()
        response = client.post(
            reverse("nomination_act", args=[nomination.pk]), {"action": "approve"}, follow=True
        )
        took = time.monotonic() - began

    # the user sees success, quickly, and the move is committed
    assert response.status_code == 200
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Đã xử lý đề nghị."]
    assert took < 10
    nomination.refresh_from_db()
    assert (nomination.stage_position, nomination.status) == (2, "in_progress")
    (notice,) = Notification.objects.filter(nomination=nomination)
    assert notice.recipient.username == "chihuy.f3" and notice.emailed_at is None
    assert f"E-mail of notifications [{notice.pk}] left to the outbox sweep" in caplog.text

    # the broker is back: nothing was published, so nothing arrives by itself
    time.sleep(1)
    assert worker.received("approvals.notification_emails_send") == 0 and _mails(worker) == []

    Notification.objects.filter(pk=notice.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=SWEEP_AFTER_MINUTES + 1)
    )
    notification_emails_sweep.delay()
    notification_emails_sweep.delay()  # the next beat, or a duplicate delivery

    def sweep_results():
        return [int(n) for n in SWEEP_DONE.findall(worker.log())]

    # in turn on the one worker: the first sends it, the second finds nothing left to send
    assert worker.wait_for(lambda: len(sweep_results()) == 2, "both sweeps finishing")
    assert sweep_results() == [1, 0]
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    (mail,) = _mails(worker)  # exactly one e-mail, from the first sweep
    assert mail["To"] == "chihuy.f3@demo.tdkt.local"
    assert nomination.nominee_name in str(mail["Subject"])
