"""Tens of thousands of nominations in realistic states, written in bulk for bench.scale_pages.

The services move about 50 nominations a second, so this writes the rows directly
(bulk_create, in chunks) with the columns a real transition would have set: the mirrored
stage columns (status, stage position and stage, who acts, deadline, when it got there),
the timeline events the dashboard reads, and for awarded nominations their decisions, the
decisions' lines and the registry records, and the dossier documents each needed to get
where it is (rows pointing at one stored placeholder file: bench.dossier). There are no
viewflow processes, notifications or audit rows: the pages timed here read none of them.

Before the first nomination it builds the year's organisation (bench.scale_org: 300 units and
20 blocs in all, and 100,000 people; a smaller one at BENCH_SCALE=small), and after each
seeding it writes the Ministry council's concluded sessions over the nominations it voted
on (bench.scale_sessions), so pages and checks over sessions see a year's worth.

Nomination number i is a pure function of i (bench.scale_plan), so the first
1,000 rows of a 50,000 run are those of a 1,000 run: a run seeds 1,000, counts the pages'
queries, then tops up. Everything hangs off the two campaigns `bench-scale` (this year) and
`bench-scale-prev` (last year), the people whose service number starts with `BSCALE-`, and
the units and blocs whose code starts with `bs-`; `clean()` removes exactly that, FK-safe.
The organisation is the same at every size of one run, so nomination i is too.
"""

import datetime
import itertools
import math
from collections import Counter, defaultdict
from contextlib import contextmanager
from time import perf_counter

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from approvals.demo.data import POSITIONS
from approvals.demo.loader import _fictional_person  # the demo's Vietnamese name generator
from approvals.models import (
    Attachment,
    Award,
    AwardRecord,
    AwardsCouncil,
    BlocMembership,
    Campaign,
    CouncilSession,
    Decision,
    DecisionEntry,
    EventAction,
    Nomination,
    NominationEvent,
    Notification,
    Objection,
    Person,
    RecordSource,
    RuleOverride,
    Unit,
)
from approvals.models.people import fold_vietnamese
from approvals.services.decisions import abbreviation, nominee_detail, nominee_unit_name
from bench import scale_org, scale_sessions
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
MINISTRY = "bqp"  # the members of the blocs it organises nominate themselves for its flag
CHUNK = 5000  # nominations planned and written per transaction
BATCH = 1000  # rows per INSERT
DECISION_SIZE = 500  # at most this many lines per decision
IMPORTED_EVERY = 4  # one person in four has an older award imported into the registry
# people live mostly in the lower units
PERSON_WEIGHT = {"direct": 1, "division": 3, "regiment": 4, "grassroots": 5}


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
        removed["council sessions"] = scale_sessions.remove(_sessions())
        decision_ids = set(entries.values_list("decision_id", flat=True))
        records = AwardRecord.objects.filter(nomination__in=nominations).delete()[0]
        removed["registry records"] = records + _raw_delete(AwardRecord, person__in=people)
        removed["decision lines"] = entries.delete()[0]
        removed["decisions"] = Decision.objects.filter(pk__in=decision_ids).delete()[0]
        removed["events"] = _raw_delete(NominationEvent, nomination__in=nominations)
        removed["attachments"] = _raw_delete(Attachment, nomination__in=nominations)
        for model in (RuleOverride, Notification, Objection):  # none seeded; pages may add
            model.objects.filter(nomination__in=nominations).delete()
        removed["nominations"] = _raw_delete(Nomination, campaign__code__in=CAMPAIGN_CODES)
        # nothing else points to them (the database checks it at commit)
        removed["people"] = _raw_delete(Person, service_number__startswith=SERVICE_PREFIX)
        # load_demo, run while the units were kept, gives them people of its own
        removed["people"] += Person.objects.filter(
            unit__code__startswith=scale_org.PREFIX
        ).delete()[0]
        Campaign.objects.filter(code__in=CAMPAIGN_CODES).delete()
        removed.update(scale_org.clean())
    removed["seconds"] = round(perf_counter() - started, 1)
    return removed


def _raw_delete(model, **conditions) -> int:
    """One DELETE without Django's collector, which would load 100,000 people to delete
    them; for rows that nothing else references."""
    rows = model.objects.filter(**conditions)
    return rows._raw_delete(rows.db)


def _sessions():
    """The sessions seeded over the bench's nominations."""
    return CouncilSession.objects.filter(
        items__nomination__campaign__code__in=CAMPAIGN_CODES
    ).distinct()


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
    memberships = BlocMembership.objects.filter(bloc__organiser__code=MINISTRY, bloc__kind="bloc")
    regions = [
        units[unit_id]
        for unit_id in memberships.order_by("bloc__code", "unit__code")
        .values_list("unit_id", flat=True)
        .distinct()
    ]
    return Context(timezone.now(), campaigns, awards, routes, units, regions)


def _homes(ctx: Context) -> tuple[list[Unit], list[int]]:
    """Where people live: every unit below the Ministry but the other benches' own."""
    homes = [
        unit
        for unit in ctx.units.values()
        if unit.level in PERSON_WEIGHT and not unit.code.startswith(scale_org.BENCH_UNITS)
    ]
    homes.sort(key=lambda unit: unit.code)  # codes, unlike ids, are the same in every database
    return homes, [PERSON_WEIGHT[unit.level] for unit in homes]


def _load_people(ctx: Context, people: int, nominated: int) -> int:
    """Create people 0 .. people-1 that are missing (and their imported awards); load the
    first `nominated` of them, those the nominations name."""
    existing = set(
        Person.objects.filter(service_number__startswith=SERVICE_PREFIX).values_list(
            "service_number", flat=True
        )
    )
    homes, weights = _homes(ctx)
    cumulative = list(itertools.accumulate(weights))  # what choices() computes on every call
    created = 0
    for first in range(0, people, CHUNK * 4):  # bounded memory at 100,000 people
        new = []
        for index in range(first, min(first + CHUNK * 4, people)):
            number = f"{SERVICE_PREFIX}{index:06d}"
            if number in existing:
                continue
            rng = seeded_random("person", index)
            unit = rng.choices(homes, cum_weights=cumulative)[0]
            person = _fictional_person(rng, number, unit, rng.choice(POSITIONS[unit.level]))
            person.search_name = fold_vietnamese(person.full_name)  # bulk_create skips save()
            new.append(person)
        with transaction.atomic():
            _insert(Person, new)
            records = [_imported(p, ctx) for p in new if _index(p) % IMPORTED_EVERY == 0]
            _insert(AwardRecord, records)
        created += len(new)
    wanted = Person.objects.filter(
        service_number__startswith=SERVICE_PREFIX,
        service_number__lt=f"{SERVICE_PREFIX}{nominated:06d}",
    )
    for person in wanted.only("pk", "service_number", "full_name", "rank", "position", "unit_id"):
        person.unit = ctx.units[person.unit_id]
        ctx.people[_index(person)] = person
    return created


def _insert(model, rows: list) -> None:
    """bulk_create, or on PostgreSQL a COPY, three times faster for 100,000 people: Django
    prepares every value of a bulk INSERT in Python. With COPY the rows get no primary key
    back, so people get theirs from their service numbers."""
    if connection.vendor != "postgresql" or not rows:
        with _given_timestamps():
            model.objects.bulk_create(rows, batch_size=BATCH)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row([getattr(row, field.attname) for field in fields])
    if model is Person:
        numbers = [person.service_number for person in rows]
        ids = dict(
            Person.objects.filter(service_number__in=numbers).values_list("service_number", "pk")
        )
        for person in rows:
            person.pk = ids[person.service_number]


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


def organisation_scale() -> str:
    """The organisation a run builds: the small one for a run of at most 1,000 nominations."""
    from bench.config import SCALE_PAGES, scale_config_from_env

    small = scale_config_from_env().nominations <= SCALE_PAGES["small"]
    return "small" if small else "full"


def _people_wanted(organisation, nominated: int) -> int:
    """BSCALE- people to reach the organisation's head count (the other benches' left out)."""
    others = Person.objects.exclude(
        Q(service_number__startswith=SERVICE_PREFIX) | Q(service_number__startswith="BENCH-")
    ).count()
    return max(organisation.people - others, nominated)


def seed(total: int, *, scale: str | None = None) -> dict:
    """Top the bench's nominations up to `total` (after `clean()`, or after a smaller seed).

    The first call builds the organisation for `scale` (default: organisation_scale()) and
    its people; later calls of the run find it there. After the nominations, the Ministry
    council's sessions over them are written again. Returns what was written, by kind, and
    the seconds it took.
    """
    started = perf_counter()
    organisation = scale_org.organisation_for(scale or organisation_scale())
    added = scale_org.ensure(organisation, timezone.localdate().year)
    ctx = context()
    have = seeded()
    nominated = math.ceil(max(total - ctx.collective, 0) / 2)
    people = _load_people(ctx, _people_wanted(organisation, nominated), nominated)
    organised_s = perf_counter() - started
    written = Counter()
    for start in range(have, total, CHUNK):
        written += _write(ctx, range(start, min(start + CHUNK, total)))
    sessions_started = perf_counter()
    written += _seed_sessions()
    return {
        "nominations": max(total - have, 0),
        "people": people,
        **added,
        **written,
        "organisation seconds": organised_s,
        "sessions seconds": perf_counter() - sessions_started,
        "seconds": perf_counter() - started,
    }


def _seed_sessions() -> Counter:
    """The Ministry council's concluded sessions over the nominations it voted on (again)."""
    council = AwardsCouncil.objects.filter(unit__code=MINISTRY).first()
    if council is None:
        return Counter()
    scale_sessions.remove(_sessions())
    NominationEvent.objects.filter(  # the vote events named the sessions just removed
        nomination__campaign__code__in=CAMPAIGN_CODES,
        action=EventAction.VOTED,
        waiting_kind_before="council_vote",
    ).exclude(comment="").update(comment="")
    specs = scale_sessions.from_votes(CAMPAIGN_CODES)
    written = scale_sessions.write(council, specs, seed="ministry")
    return Counter({f"session {kind}": count for kind, count in written.items()})
