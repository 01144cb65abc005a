"""The project's Celery app as the worker-kill test runs it (`celery -A tests.faults.worker_app`).

Test-only, two changes and nothing else:
- the Redis transport gives an unacknowledged message back after FAULT_VISIBILITY_TIMEOUT
  seconds (2) and looks every second, instead of after the product's six hours: a message
  whose worker died is redelivered only once that timeout has passed;
- the `nomination_export` job marks each start in FAULT_MARKS and, with FAULT_HOLD=1, waits
  there for a minute, so that the test can kill the worker while the job is running.
"""

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django.setup()

from approvals.services import jobs  # noqa: E402 - needs the apps loaded
from project.celery import app  # noqa: E402

__all__ = ["app"]

app.conf.broker_transport_options = {
    **app.conf.broker_transport_options,
    "visibility_timeout": int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "2")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
jobs.PRODUCERS["nomination_export"] = "tests.faults.worker_app.nomination_export_held"


def nomination_export_held(job, progress):
    """The real export, after marking the start and, on a held worker, waiting to be killed."""
    from approvals.exports.nominations import nomination_export_produce

    (Path(os.environ["FAULT_MARKS"]) / f"started-{job.pk}-{os.getpid()}").touch()
    if os.environ.get("FAULT_HOLD") == "1":
        time.sleep(60)
    return nomination_export_produce(job, progress)
