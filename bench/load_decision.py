"""A decision with many lines and its PDF, made by the product's real document job.

The decision (issued by the Ministry, one line per person, Bằng khen) is written in bulk, as
bench.scale_data writes decisions: issuing it through the services would mean carrying a
thousand nominations to the Ministry first. The PDF is then asked for the way the
secretariat asks for it: on the decision's page (POST `decision_generate`, through gunicorn),
which starts the job `decision_documents`; a Celery worker runs it; the bench polls the
job's page (`?format=json`, as the browser does) until it is done and downloads the file.
Everything is removed afterwards: the job, its file, the decision and its lines (the
audit row of the job's start stays, as audit rows do).
"""

import time
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from approvals.models import Award, Decision, DecisionEntry, Job, Person, Unit
from approvals.services.decisions import abbreviation

TITLE = "Về việc tặng Bằng khen (bench.load)"
AUTHORITY = "bqp"
AWARD = "bk-bqp"
REQUESTER = "tth.canbo"  # the Ministry's secretariat reads the whole decision
POLL = 0.1  # seconds between two looks at the job's page
WITHIN = 300  # seconds before the bench gives up on the job


@dataclass
class PdfResult:
    lines: int
    page_s: float = 0.0  # the decision's page, with its lines, before asking for the PDF
    enqueue_s: float = 0.0  # the POST that starts the job, answered with its page's address
    queued_s: float = 0.0  # from the answer until the page first shows "running"
    running_s: float = 0.0  # from then until "done" (the generation, within one poll)
    total_s: float = 0.0  # from the POST until "done"
    job_s: float = 0.0  # the job's own created_at -> finished_at
    producer_s: float = 0.0  # the producer alone, run again in the bench process
    pdf_bytes: int = 0
    pages: int = 0
    status: str = ""


def clean() -> int:
    """Remove what an earlier run left: its decisions, their lines and jobs."""
    decisions = list(Decision.objects.filter(title=TITLE).values_list("pk", flat=True))
    for job in Job.objects.filter(kind="decision_documents", params__decision__in=decisions):
        _remove_job(job)
    with transaction.atomic():
        DecisionEntry.objects.filter(decision_id__in=decisions).delete()
        Decision.objects.filter(pk__in=decisions).delete()
    return len(decisions)


def _remove_job(job: Job) -> None:
    if job.storage_name and default_storage.exists(job.storage_name):
        default_storage.delete(job.storage_name)
    job.delete()


@transaction.atomic
def create_decision(lines: int) -> Decision:
    """A Ministry decision granting Bằng khen to `lines` people (the first ones by id, again
    from the start when there are fewer), with the columns decision_issue would write."""
    authority = Unit.objects.select_related("parent").get(code=AUTHORITY)
    award = Award.objects.get(code=AWARD)
    people = list(Person.objects.select_related("unit").order_by("pk")[:lines])
    if not people:
        raise SystemExit("bench.load: no people to put on the decision (load the demo first)")
    today = timezone.localdate()
    decision = Decision.objects.create(
        authority=authority,
        issuer_title="Bộ trưởng Bộ Quốc phòng",
        permission="decide_award",
        number=f"{lines}BL/QĐ-{abbreviation(authority)}",
        signed_on=today,
        signer_name="Benchmark",
        signer_title="Bộ trưởng",
        title=TITLE,
        grounds="Căn cứ Luật Thi đua, khen thưởng năm 2022;\nXét đề nghị của Hội đồng TĐKT;",
    )
    entries = []
    for line in range(1, lines + 1):
        person = people[(line - 1) % len(people)]
        entries.append(
            DecisionEntry(
                decision=decision,
                line=line,
                person=person,
                award=award,
                nominee_name=person.full_name,
                nominee_detail=", ".join(
                    part for part in (person.get_rank_display(), person.position) if part
                ),
                unit_name=person.unit.name,
            )
        )
    DecisionEntry.objects.bulk_create(entries, batch_size=1000)
    return decision


def generate_pdf(user, decision: Decision) -> PdfResult:
    """Ask for the PDF on the decision's page as `user` (a bench.load_users.User signed in
    as the secretariat), wait for the job, download the file and count its pages."""
    from io import BytesIO

    from pypdf import PdfReader

    result = PdfResult(lines=decision.entries.count())
    start = time.perf_counter()
    page = user.get("decision page", f"/decisions/{decision.pk}/").text
    result.page_s = time.perf_counter() - start
    start = time.perf_counter()
    answer = user.post_form(
        "decision: generate",
        f"/decisions/{decision.pk}/documents/",
        page,
        {
            "what": "decision",
            "format": "pdf",
        },
        expect=(302,),
    )
    answered = time.perf_counter()
    result.enqueue_s = answered - start
    job_path = answer.headers["Location"]  # /jobs/<id>/
    running_at = None
    while time.perf_counter() - start < WITHIN:
        state = user.get("job: poll", f"{job_path}?format=json").json()
        now = time.perf_counter()
        if state["status"] != "queued" and running_at is None:
            running_at = now
        if state["status"] in ("done", "failed"):
            result.status = state["status"]
            break
        time.sleep(POLL)
    else:
        result.status = "timed out"
    done_at = time.perf_counter()
    result.total_s = done_at - start
    running_at = running_at or done_at
    result.queued_s = running_at - answered
    result.running_s = done_at - running_at
    job = Job.objects.get(pk=int(job_path.strip("/").split("/")[-1]))
    if job.finished_at:
        result.job_s = (job.finished_at - job.created_at).total_seconds()
    if result.status == "done":
        pdf = user.get("job: download", f"{job_path}download/").content
        result.pdf_bytes = len(pdf)
        result.pages = len(PdfReader(BytesIO(pdf)).pages) if pdf.startswith(b"%PDF") else 0
        result.producer_s = _producer_alone(job)
    return result


def _producer_alone(job: Job) -> float:
    """The job's producer once more, in this process, without queue or storage."""
    from approvals.documents.decisions import decision_documents_produce

    start = time.perf_counter()
    decision_documents_produce(job, lambda done, total: None)
    return time.perf_counter() - start
