"""Tens of thousands of nominations in realistic states, written in bulk for bench.scale_pages.

The services move about 50 nominations a second, so this writes the rows directly
(bulk_create, in chunks) with the columns a real transition would have set: the mirrored
stage columns (status, stage position and stage, who acts, deadline, when it got there),
the timeline events the dashboard reads, and for awarded nominations their decisions, the
decisions' lines and the registry records, and the dossier documents each needed to get
where it is (rows pointing at one stored placeholder file: bench.dossier). There are no
viewflow processes, notifications or audit rows: the pages timed here read none of them.

Nomination number i is a pure function of i (bench.scale_plan), so the first
1,000 rows of a 50,000 run are those of a 1,000 run: a run seeds 1,000, counts the pages'
queries, then tops up. Everything hangs off the two campaigns `bench-scale` (this year) and
`bench-scale-prev` (last year) and the people whose service number starts with `BSCALE-`;
`clean()` removes exactly that.
"""

import datetime
import math
from collections import Counter, defaultdict
from contextlib import contextmanager
from time import perf_counter

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from approvals.demo.data import POSITIONS
from approvals.demo.loader import _fictional_person  # the demo's Vietnamese name generator
from approvals.models import (
    Attachment,
    Award,
    AwardRecord,
    BlocMembership,
    Campaign,
    Decision,
    DecisionEntry,
    Nomination,
    NominationEvent,
    Person,
    RecordSource,
    Unit,
)
from approvals.models.people import fold_vietnamese
from approvals.services.decisions import abbreviation, nominee_detail, nominee_unit_name
from bench.dossier import dossier_rows
from bench.scale_plan import (
    CAMPAIGN_CODES,
    COLLECTIVE_AWARD,
    CURRENT,
    INDIVIDUAL_AWARDS,
    PREVIOUS,
    Context,
    Planned,
    Route,
    plan,
    seeded_random,
)
from workflows.routes import route_for

SERVICE_PREFIX = "BSCALE-"
BLOC_CODE = "khoi-2"  # its member regions nominate themselves for the Ministry's flag
CHUNK = 5000  # nominations planned and written per transaction
BATCH = 1000  # rows per INSERT
DECISION_SIZE = 500  # at most this many lines per decision
IMPORTED_EVERY = 4  # one person in four has an older award imported into the registry
# people live mostly in the lower units
PERSON_WEIGHT = {"direct": 1, "division": 3, "regiment": 4, "grassroots": 4}


@contextmanager
def _given_timestamps():
    """Let bulk_create keep the creation times we give (auto_now_add would stamp now)."""
    fields = [
        Nomination._meta.get_field("created_at"),
        NominationEvent._meta.get_field("created_at"),
        AwardRecord._meta.get_field("recorded_at"),
        Decision._meta.get_field("issued_at"),
    ]
    for model_field in fields:
        model_field.auto_now_add = False
    try:
        yield
    finally:
        for model_field in fields:
            model_field.auto_now_add = True


def clean() -> dict[str, int]:
    """Remove what earlier runs seeded; returns how many rows of each kind went."""
    started = perf_counter()
    nominations = Nomination.objects.filter(campaign__code__in=CAMPAIGN_CODES)
    people = Person.objects.filter(service_number__startswith=SERVICE_PREFIX)
    entries = DecisionEntry.objects.filter(nomination__in=nominations)
    removed = {}
    with transaction.atomic():
        decision_ids = set(entries.values_list("decision_id", flat=True))
        removed["registry records"] = AwardRecord.objects.filter(
            Q(nomination__in=nominations) | Q(person__in=people)
        ).delete()[0]
        removed["decision lines"] = entries.delete()[0]
        removed["decisions"] = Decision.objects.filter(pk__in=decision_ids).delete()[0]
        removed["events"] = NominationEvent.objects.filter(nomination__in=nominations).delete()[0]
        removed["attachments"] = Attachment.objects.filter(nomination__in=nominations).delete()[0]
        ids = list(nominations.values_list("pk", flat=True))
        removed["nominations"] = len(ids)
        for start in range(0, len(ids), CHUNK):
            Nomination.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
        removed["people"] = people.delete()[0]
        Campaign.objects.filter(code__in=CAMPAIGN_CODES).delete()
    removed["seconds"] = round(perf_counter() - started, 1)
    return removed


def _campaign(code: str, year: int, *, is_open: bool) -> Campaign:
    campaign, _created = Campaign.objects.get_or_create(
        code=code,
        defaults={
            "name": f"Thi đua Quyết thắng {year} (make bench, quy mô lớn)",
            "kind": "yearly",
            "year": year,
            "start_date": datetime.date(year, 1, 1),
            "end_date": datetime.date(year, 12, 31),
            "submission_deadline": datetime.date(year, 12, 10),
            "is_open": is_open,
        },
    )
    return campaign


def context() -> Context:
    year = timezone.localdate().year
    campaigns = {
        CURRENT: _campaign(CURRENT, year, is_open=True),
        PREVIOUS: _campaign(PREVIOUS, year - 1, is_open=False),
    }
    codes = [code for code, _weight in INDIVIDUAL_AWARDS] + [COLLECTIVE_AWARD]
    awards = {award.code: award for award in Award.objects.filter(code__in=codes)}
    routes = {}
    for campaign in campaigns.values():
        for code in codes:
            version = route_for(award=awards[code], campaign=campaign)
            if version is None:
                raise SystemExit(f"bench: no published route for {code}; run `make bootstrap`")
            stages = {stage.position: stage for stage in version.stages.all()}
            routes[(campaign.code, code)] = Route(version_id=version.pk, stages=stages)
    units = {unit.pk: unit for unit in Unit.objects.all()}
    for unit in units.values():  # unit.parent without a query
        unit.parent = units.get(unit.parent_id)
    regions = [
        units[unit_id]
        for unit_id in BlocMembership.objects.filter(bloc__code=BLOC_CODE)
        .order_by("unit__path")
        .values_list("unit_id", flat=True)
        .distinct()
    ]
    return Context(timezone.now(), campaigns, awards, routes, units, regions)


def _load_people(ctx: Context, needed: int) -> int:
    """Create people 0 .. needed-1 that are missing (and their imported awards); load them."""
    existing = set(
        Person.objects.filter(service_number__startswith=SERVICE_PREFIX).values_list(
            "service_number", flat=True
        )
    )
    homes = [unit for unit in ctx.units.values() if unit.level in PERSON_WEIGHT]
    weights = [PERSON_WEIGHT[unit.level] for unit in homes]
    new = []
    for index in range(needed):
        number = f"{SERVICE_PREFIX}{index:06d}"
        if number in existing:
            continue
        rng = seeded_random("person", index)
        unit = rng.choices(homes, weights)[0]
        person = _fictional_person(rng, number, unit, rng.choice(POSITIONS[unit.level]))
        person.search_name = fold_vietnamese(person.full_name)  # bulk_create skips save()
        new.append(person)
    Person.objects.bulk_create(new, batch_size=BATCH)
    records = [_imported(person, ctx) for person in new if _index(person) % IMPORTED_EVERY == 0]
    with _given_timestamps():
        AwardRecord.objects.bulk_create(records, batch_size=BATCH)
    people = Person.objects.filter(service_number__startswith=SERVICE_PREFIX)
    for person in people.only("pk", "service_number", "full_name", "rank", "position", "unit_id"):
        person.unit = ctx.units[person.unit_id]
        ctx.people[_index(person)] = person
    return len(new)


def _index(person: Person) -> int:
    return int(person.service_number.removeprefix(SERVICE_PREFIX))


def _imported(person: Person, ctx: Context) -> AwardRecord:
    """An award from before the system, entered from the archives."""
    rng = seeded_random("imported", _index(person))
    year = rng.randint(2019, 2023)
    issuer = ctx.units.get(person.unit.parent_id) or person.unit
    return AwardRecord(
        person=person,
        award=ctx.awards["giay-khen"],
        year=year,
        decision_number=f"{rng.randint(1, 999)}/QĐ-{abbreviation(issuer)}",
        decision_date=datetime.date(year, 12, rng.randint(1, 28)),
        authority=f"Thủ trưởng {issuer.name}",
        source=RecordSource.IMPORTED,
        holder_unit=person.unit,
        holder_name=person.full_name,
        search_name=fold_vietnamese(person.full_name),
        note="Nhập từ hồ sơ lưu trữ (make bench)",
        recorded_at=ctx.now - datetime.timedelta(days=rng.randint(30, 400)),
    )


def _issuer(authority: Unit, permission: str) -> str:
    if permission == "act_secretariat":  # an order the President grants, entered by the Ministry
        return "Chủ tịch nước"
    if authority.level == "ministry":
        return "Bộ trưởng Bộ Quốc phòng"
    return f"Thủ trưởng {authority.name}"


def _decide(ctx: Context, planned: list[Planned]) -> tuple[list, list, list]:
    """Decisions of at most DECISION_SIZE lines per authority, campaign and quarter.

    Each awarded nomination takes its decision's moment as the moment it was awarded.
    Returns the decisions, their lines and the registry records, linked but unsaved.
    """
    groups = defaultdict(list)
    for item in planned:
        if item.decided_by:
            moment = item.nomination.finished_at
            groups[(*item.decided_by, moment.year, (moment.month - 1) // 3)].append(item)
    decisions, entries, records = [], [], []
    for (authority_id, permission, _campaign, *_quarter), items in groups.items():
        items.sort(key=lambda item: item.nomination.finished_at)
        for start in range(0, len(items), DECISION_SIZE):
            chunk = items[start : start + DECISION_SIZE]
            moment = chunk[-1].nomination.finished_at
            authority = ctx.units[authority_id]
            signed_on = timezone.localtime(moment).date()
            decision = Decision(
                authority=authority,
                issuer_title=_issuer(authority, permission),
                permission=permission,
                # the first line's index: unique, and the S keeps clear of other numbers
                number=f"{chunk[0].index + 1}S/QĐ-{abbreviation(authority)}",
                year=signed_on.year,  # bulk_create skips save(), which sets it
                signed_on=signed_on,
                signer_name="Benchmark",
                signer_title="Thủ trưởng",
                title="Về việc tặng thưởng (make bench, quy mô lớn)",
                grounds="Căn cứ Luật Thi đua, khen thưởng năm 2022;",
                issued_at=moment,
            )
            decisions.append(decision)
            for line, item in enumerate(chunk, start=1):
                nomination = item.nomination
                nomination.finished_at = moment
                item.decision = decision
                item.events[-1].created_at = moment
                item.events[-1].data = {"decision": decision.number}
                entry = DecisionEntry(
                    decision=decision,
                    line=line,
                    nomination=nomination,
                    person=nomination.person,
                    unit=nomination.nominee_unit,
                    award=nomination.award,
                    nominee_name=nomination.nominee_name,
                    nominee_detail=nominee_detail(nomination),
                    unit_name=nominee_unit_name(nomination),
                )
                entries.append(entry)
                holder = nomination.person.unit if nomination.person else nomination.nominee_unit
                records.append(
                    AwardRecord(
                        person=nomination.person,
                        unit=nomination.nominee_unit,
                        award=nomination.award,
                        year=nomination.campaign.year,
                        nomination=nomination,
                        decision=decision,
                        entry=entry,
                        decision_number=decision.number,
                        decision_date=signed_on,
                        authority=decision.issuer_title,
                        holder_unit=holder,
                        holder_name=nomination.nominee_name,
                        search_name=fold_vietnamese(nomination.nominee_name),
                        recorded_at=moment,
                    )
                )
    return decisions, entries, records


@transaction.atomic
def _write(ctx: Context, indexes: range) -> Counter:
    planned = [plan(index, ctx) for index in indexes]
    decisions, entries, records = _decide(ctx, planned)
    with _given_timestamps():
        Nomination.objects.bulk_create([p.nomination for p in planned], batch_size=BATCH)
        Decision.objects.bulk_create(decisions, batch_size=BATCH)
        for item in planned:  # the awarded event names its decision, as decision_issue does
            if item.decision is not None:
                item.events[-1].data["decision_id"] = item.decision.pk
        DecisionEntry.objects.bulk_create(entries, batch_size=BATCH)
        AwardRecord.objects.bulk_create(records, batch_size=BATCH)
        events = [event for item in planned for event in item.events]
        NominationEvent.objects.bulk_create(events, batch_size=BATCH)
    attachments = dossier_rows([p.nomination for p in planned])
    Attachment.objects.bulk_create(attachments, batch_size=BATCH)
    written = Counter(p.nomination.status for p in planned)
    written.update(
        events=len(events),
        decisions=len(decisions),
        records=len(records),
        attachments=len(attachments),
    )
    return written


def seeded() -> int:
    return Nomination.objects.filter(campaign__code__in=CAMPAIGN_CODES).count()


def seed(total: int) -> dict:
    """Top the bench's nominations up to `total` (after `clean()`, or after a smaller seed).

    Returns what was written, by kind, and the seconds it took.
    """
    started = perf_counter()
    ctx = context()
    have = seeded()
    people = _load_people(ctx, math.ceil(max(total - ctx.collective, 0) / 2))
    written = Counter()
    for start in range(have, total, CHUNK):
        written += _write(ctx, range(start, min(start + CHUNK, total)))
    return {
        "nominations": max(total - have, 0),
        "people": people,
        **written,
        "seconds": perf_counter() - started,
    }
