"""A worker killed (SIGKILL) in the middle of a job: the job runs again on another worker and
its effect happens once: one file, one audit event, status done.

Simulated: a real `celery worker --pool=solo` (tests/faults/worker_app.py: the project's app
with a 2-second Redis visibility timeout and a test hook that holds the `nomination_export`
job after it has started) takes `approvals.job_run` (acks_late); the test kills it with
SIGKILL while the job is held, then starts a second worker, which gets the unacknowledged
message back from Redis and runs the job from the start. What makes it safe: acks_late (the
message is acknowledged only after the job), `job_execute` rerunning a "running" job whole
and leaving a finished one alone, and `store_file` replacing the file under its fixed name.

Limits: with the product's visibility timeout (6 hours, CELERY_BROKER_TRANSPORT_OPTIONS) a
job whose worker died is picked up again only after 6 hours, showing "running" meanwhile;
only the job runner is covered here (the minutes tasks rely on the same mechanism).
"""

import pytest

from approvals.models import AuditEvent, Job, JobStatus
from approvals.services.jobs import job_start

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

APP = "tests.faults.worker_app"


def test_a_job_whose_worker_is_killed_runs_again_on_another_and_finishes_once(
    committed_demo, demo_user, start_worker, tmp_path
):
    marks, media = tmp_path / "marks", tmp_path / "worker-media"
    marks.mkdir()
    common = {"FAULT_MARKS": str(marks), "MEDIA_ROOT": str(media)}
    first = start_worker("first", app=APP, env={**common, "FAULT_HOLD": "1"})

    job = job_start(
        user=demo_user("canbo.f3"),
        kind="nomination_export",
        params={"filters": {}, "format": "xlsx", "language": "vi"},
    )  # committed at once (transactional test): job_run is on the queue
    started = f"started-{job.pk}-*"
    first.wait_for(lambda: list(marks.glob(started)), "the job starting on the first worker")
    first.kill()

    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # interrupted, and not yet acknowledged
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))

    second = start_worker("second", app=APP, env=common)
    second.wait_for(
        lambda: Job.objects.get(pk=job.pk).status in (JobStatus.DONE, JobStatus.FAILED),
        "the job finishing on the second worker",
    )

    job.refresh_from_db()
    assert (job.status, job.error) == (JobStatus.DONE, "")
    assert len(list(marks.glob(started))) == 2  # the killed run and the one that finished
    files = [p for p in media.rglob("*") if p.is_file()]
    assert files == [media / job.storage_name]
    assert files[0].read_bytes().startswith(b"PK")  # a whole XLSX, not a torn one
    audit = AuditEvent.objects.filter(object_type="approvals.job", object_id=str(job.pk))
    assert list(audit.values_list("verb", flat=True)) == ["job.start"]
