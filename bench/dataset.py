"""The bench's own rows: one campaign, one unit under Sư đoàn 3 and its people.

Everything the bench creates hangs off these, so `clean()` removes exactly what an earlier
run left (nominations with their events, notifications, decisions, registry records and
viewflow processes) and never touches the demo data or anyone's real nominations. The audit
trail keeps its events: it is append-only and hash-chained, and deleting a row would break
the chain that `manage.py verify_audit` checks. Another part of the bench passes its own
`Names` to keep its rows apart from these.
"""

import datetime
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from approvals.demo.loader import load_demo
from approvals.models import (
    AuditEvent,
    Award,
    AwardRecord,
    Campaign,
    CouncilSession,
    Decision,
    DecisionEntry,
    Nomination,
    NominationEvent,
    Notification,
    Person,
    SubmissionLetter,
    Unit,
    UnitLevel,
)
from approvals.models.people import PersonCategory, Rank, fold_vietnamese
from bench.config import Names
from bench.council import release_voters
from workflows.demo import load_demo_routes

PARENT_UNIT_CODE = "f3"  # canbo.f3 prepares for it, chihuy.f3 approves; Quân khu 1 above
CHUNK = 500

BENCH = Names()


@dataclass(frozen=True)
class BenchData:
    campaign_id: int
    unit_id: int
    submitting_unit_id: int
    person_ids: list[int]


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@transaction.atomic
def _remove_decisions(nomination_ids: list[int]) -> int:
    """The registry records, decision lines and decisions of these nominations (they protect
    the nominations from deletion); returns how many decisions went."""
    decisions: set[int] = set()
    for chunk in _chunks(nomination_ids):
        entries = DecisionEntry.objects.filter(nomination_id__in=chunk)
        decisions |= set(entries.values_list("decision_id", flat=True))
        AwardRecord.objects.filter(nomination_id__in=chunk).delete()
        entries.delete()
    # a decision of the bench holds bench nominations only; any line left would protect it
    Decision.objects.filter(pk__in=decisions, entries__isnull=True).delete()
    return len(decisions)


def clean(names: Names = BENCH) -> dict[str, int]:
    """Remove what earlier bench runs created; returns how many rows of each kind went."""
    unit = Unit.objects.filter(code=names.unit).first()
    nominations = Nomination.objects.filter(campaign__code=names.campaign)
    if unit is not None:
        nominations = Nomination.objects.filter(
            Q(campaign__code=names.campaign)
            | Q(person__unit=unit)
            | Q(nominee_unit=unit)
            | Q(submitting_unit=unit)
        )
    rows = list(nominations.values_list("pk", "process_id"))
    ids = [pk for pk, _process in rows]
    process_ids = [process for _pk, process in rows if process]
    removed = {"nominations": len(ids), "processes": 0, "people": 0}
    removed["decisions"] = _remove_decisions(ids)
    sessions = list(
        CouncilSession.objects.filter(items__nomination_id__in=ids)
        .distinct()
        .values_list("pk", flat=True)
    )
    removed["council sessions"] = len(sessions)
    for chunk in _chunks(sessions):  # their agenda, attendance and ballots cascade
        CouncilSession.objects.filter(pk__in=chunk).delete()
    release_voters()
    for chunk in _chunks(ids):
        Nomination.objects.filter(pk__in=chunk).delete()  # events and notifications cascade
    for chunk in _chunks(process_ids):
        Process.objects.filter(pk__in=chunk).delete()  # its tasks cascade
        removed["processes"] += len(chunk)
    if unit is not None:
        removed["people"] = Person.objects.filter(unit=unit).delete()[0]
        unit.delete()
    removed["letters"] = SubmissionLetter.objects.filter(campaign__code=names.campaign).delete()[0]
    Campaign.objects.filter(code=names.campaign).delete()
    return removed


def _person(index: int, unit: Unit, prefix: str) -> Person:
    name = f"Quân nhân Benchmark {index:05d}"
    return Person(
        service_number=f"{prefix}{index:06d}",
        full_name=name,
        search_name=fold_vietnamese(name),  # bulk_create bypasses save()
        category=PersonCategory.OFFICER,
        rank=Rank.CAPTAIN,
        position="Trợ lý",
        unit=unit,
        gender="male",
        birth_date=datetime.date(1990, 1, 1) + datetime.timedelta(days=index % 3000),
        enlistment_date=datetime.date(2010, 9, 1),
    )


def load_reference_data() -> None:
    """The demo organisation, users and routes (idempotent: adds only what is missing)."""
    load_demo()
    load_demo_routes()
    missing = {"giay-khen", "bk-bqp"} - set(Award.objects.values_list("code", flat=True))
    if missing:
        raise SystemExit(f"demo awards missing after load_demo: {', '.join(sorted(missing))}")


@transaction.atomic
def prepare(people: int, names: Names = BENCH) -> BenchData:
    """Create the bench campaign, the bench unit under f3 and `people` people in it."""
    parent = Unit.objects.get(code=PARENT_UNIT_CODE)
    unit = Unit.objects.create(
        code=names.unit,
        short_name="Đơn vị benchmark",
        name="Đơn vị benchmark (make bench), Sư đoàn 3",
        level=UnitLevel.REGIMENT,
        parent=parent,
    )
    year = timezone.localdate().year
    campaign = Campaign.objects.create(
        code=names.campaign,
        name=f"Benchmark (make bench) {year}",
        kind="yearly",
        year=year,
        start_date=datetime.date(year, 1, 1),
        end_date=datetime.date(year, 12, 31),
        submission_deadline=datetime.date(year, 12, 31),
        is_open=True,
    )
    Person.objects.bulk_create(
        (_person(i + 1, unit, names.service_prefix) for i in range(people)), batch_size=CHUNK
    )
    person_ids = list(
        Person.objects.filter(unit=unit).order_by("service_number").values_list("pk", flat=True)
    )
    return BenchData(
        campaign_id=campaign.pk,
        unit_id=unit.pk,
        submitting_unit_id=parent.pk,
        person_ids=person_ids,
    )


BENCH_TABLES = (Nomination, NominationEvent, Notification, AuditEvent, Person, Unit, Process, Task)


def analyze(models=BENCH_TABLES, *, vacuum: bool = False) -> list[str]:
    """PostgreSQL: refresh the planner's statistics of the tables the bench filled.

    Autovacuum would do it shortly after such a load; doing it now makes the page timings
    repeatable (with `vacuum`, the visibility map too, which index-only scans rely on).
    SQLite is left as Django leaves it (no ANALYZE).
    """
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in models]
    command = "VACUUM (ANALYZE) " if vacuum else "ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(command + ", ".join(connection.ops.quote_name(t) for t in tables))
    return tables
