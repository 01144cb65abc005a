"""Background jobs: start one for a user, run it with progress, keep its file for that user.

A job kind names a producer: a function `(job, progress) -> JobFile` that reads
`job.params`, calls `progress(done, total)` as it goes and returns the file to keep. Views
start jobs and show their progress; the Celery task `approvals.job_run` runs them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from approvals.documents.minutes import store_file
from approvals.models import Job, JobStatus
from approvals.services.audit import audit_record

# kind -> dotted path of its producer
PRODUCERS: dict[str, str] = {
    "decision_documents": "approvals.documents.decisions.decision_documents_produce",
    "certificates": "approvals.documents.certificates.certificates_produce",
    "letter_documents": "approvals.documents.letters.letter_documents_produce",
    "yearly_report": "approvals.exports.reports.yearly_report_produce",
    "nomination_export": "approvals.exports.nominations.nomination_export_produce",
    "achievement_report": "approvals.documents.achievement.achievement_report_produce",
}


@dataclass(frozen=True)
class JobFile:
    name: str  # what the user downloads ("quyet-dinh-129A.pdf")
    content: bytes
    content_type: str


Progress = Callable[[int, int], None]


def job_storage_name(job: Job, file_name: str) -> str:
    return f"private/jobs/{job.requested_by_id}/{job.pk}/{file_name}"


@transaction.atomic
def job_start(*, user, kind: str, params: dict) -> Job:
    """Queue a job for `user`; it runs after the caller's transaction commits.

    Side effects: inserts the job and an audit event; enqueues `approvals.job_run` on commit.
    """
    from approvals.tasks import job_run

    if kind not in PRODUCERS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, requested_by=user, params=params)
    audit_record(actor=user, verb="job.start", obj=job, data={"kind": kind, **params})
    transaction.on_commit(lambda: job_run.delay(job_id=job.pk))
    return job


def _progress(job: Job) -> Progress:
    def report(done: int, total: int) -> None:
        # outside any transaction, so the waiting page sees it at once
        Job.objects.filter(pk=job.pk).update(done=done, total=total)

    return report


def job_execute(job_id: int) -> Job | None:
    """Run a queued (or interrupted) job; a finished job is left alone. Safe to run twice."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished:
            return job
        job.status = JobStatus.RUNNING
        job.save(update_fields=["status"])
    producer = import_string(PRODUCERS[job.kind])
    try:
        produced: JobFile = producer(job, _progress(job))
    except Exception as error:  # the user sees a failed job, the log keeps the cause
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=_("Không tạo được tệp: %(error)s") % {"error": error},
            finished_at=timezone.now(),
        )
        raise
    storage_name = job_storage_name(job, produced.name)
    store_file(storage_name, produced.content)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        file_name=produced.name,
        storage_name=storage_name,
        content_type=produced.content_type,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
