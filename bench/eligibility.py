"""Eligibility for a 500-person unit and one award (part of `make bench`).

    .venv/bin/python -m bench.eligibility                   # 500 people
    BENCH_SCALE=small .venv/bin/python -m bench.eligibility # 100 people (CI smoke run)

Creates, with bulk inserts, a unit under Sư đoàn 3 with its people and the facts the rules
read (registry records over the three previous years and this one, initiatives at several
levels, pending and closed cases, maternity and unpaid leave, a few nominations already in
the campaign), then times `check_candidates` for everyone in the unit for Chiến sĩ thi đua
cơ sở (`cstdcs`) and Chiến sĩ thi đua toàn quân (`cstdtq`), the page's selector, and the
"who could be nominated" page itself as `canbo.f3`: K runs after warm-ups, median and 95th
percentile, and the query count, also for a tenth of the unit (it must not grow).
Everything it creates (unit `bench-elig`, campaign `bench-elig`) is removed at the end
unless BENCH_ELIG_KEEP=1, and before each run.

Parameters (environment): BENCH_SCALE=full|small, BENCH_ELIG_PEOPLE, BENCH_REQUESTS (20 full,
5 small), BENCH_WARMUPS (3), BENCH_ELIG_KEEP=0|1.
"""

import datetime
import os
from time import perf_counter

from bench.run import _check_migrated, _configure, _say

UNIT_CODE = "bench-elig"
CAMPAIGN_CODE = "bench-elig"
SERVICE_PREFIX = "BENCH-EL-"
PEOPLE = {"full": 500, "small": 100}
REQUESTS = {"full": 20, "small": 5}
AWARDS = ("cstdcs", "cstdtq")
PAGE_USER = "canbo.f3"  # prepares for Sư đoàn 3 and its subunits


def clean() -> dict[str, int]:
    """Remove what an earlier run left (the unit's people go with their facts)."""
    from django.db import transaction
    from django.db.models import Q

    from approvals.models import AwardRecord, Campaign, Nomination, Person, Unit

    removed = {}
    with transaction.atomic():
        unit = Unit.objects.filter(code=UNIT_CODE).first()
        nominations = Nomination.objects.filter(campaign__code=CAMPAIGN_CODE)
        if unit is not None:
            nominations = Nomination.objects.filter(
                Q(campaign__code=CAMPAIGN_CODE) | Q(person__unit=unit) | Q(submitting_unit=unit)
            )
        removed["nominations"] = nominations.delete()[0]
        people = Person.objects.filter(service_number__startswith=SERVICE_PREFIX)
        removed["registry records"] = AwardRecord.objects.filter(person__in=people).delete()[0]
        # initiatives, pending cases and service breaks cascade with their person
        removed["rows with the people"] = people.delete()[0]
        if unit is not None:
            unit.delete()
        Campaign.objects.filter(code=CAMPAIGN_CODE).delete()
    return removed


def _person(index: int, unit):
    from approvals.models import Person
    from approvals.models.people import PersonCategory, Rank, fold_vietnamese

    name = f"Quân nhân Đủ điều kiện {index:04d}"
    return Person(
        service_number=f"{SERVICE_PREFIX}{index:05d}",
        full_name=name,
        search_name=fold_vietnamese(name),  # bulk_create bypasses save()
        category=PersonCategory.OFFICER if index % 3 else PersonCategory.PROFESSIONAL,
        rank=Rank.CAPTAIN,
        position="Trợ lý",
        unit=unit,
        gender="female" if index % 4 == 3 else "male",
        birth_date=datetime.date(1985, 1, 1) + datetime.timedelta(days=index * 7),
        enlistment_date=datetime.date(2005 + index % 15, 9, 1),
    )


def prepare(people: int):
    """The unit, the campaign, `people` people and their facts; returns (unit, campaign)."""
    from django.db import transaction

    from approvals.models import (
        Award,
        AwardRecord,
        Campaign,
        Initiative,
        Nomination,
        PendingCase,
        Person,
        ServiceBreak,
        Unit,
        UnitLevel,
    )
    from approvals.models.eligibility import BreakKind, CaseKind, InitiativeLevel
    from approvals.models.people import fold_vietnamese
    from bench.dataset import CHUNK
    from workflows.routes import route_for

    D = datetime.date
    with transaction.atomic():
        unit = Unit.objects.create(
            code=UNIT_CODE,
            short_name="Đơn vị xét điều kiện",
            name="Đơn vị xét điều kiện (make bench), Sư đoàn 3",
            level=UnitLevel.REGIMENT,
            parent=Unit.objects.get(code="f3"),
            strength=people,
        )
        year = datetime.date.today().year
        campaign = Campaign.objects.create(
            code=CAMPAIGN_CODE,
            name=f"Xét điều kiện (make bench) {year}",
            kind="yearly",
            year=year,
            start_date=D(year, 1, 1),
            end_date=D(year, 12, 31),
            submission_deadline=D(year, 12, 31),
            is_open=True,
        )
        Person.objects.bulk_create((_person(i, unit) for i in range(people)), batch_size=CHUNK)
        staff = list(Person.objects.filter(unit=unit).order_by("service_number"))
        awards = {a.code: a for a in Award.objects.filter(code__in=["cstt", "cstdcs", "cstdtq"])}

        def held(person, code: str, on_year: int) -> AwardRecord:
            number = f"{on_year}/QĐ-BENCH"
            return AwardRecord(
                person=person,
                award=awards[code],
                year=on_year,
                decision_number=number,
                decision_date=D(on_year, 12, 20),
                authority="Sư đoàn trưởng Sư đoàn 3",
                holder_unit=unit,
                holder_name=person.full_name,
                search_name=fold_vietnamese(person.full_name),
            )

        records, initiatives, cases, breaks = [], [], [], []
        for i, person in enumerate(staff):
            for back in (3, 2, 1):  # the three previous years: Chiến sĩ tiên tiến for most
                if (i + back) % 5 < 3:
                    records.append(held(person, "cstt", year - back))
            if i % 5 < 2:  # this year's title already in the registry for 40%
                records.append(held(person, "cstt", year))
            if i % 10 == 0:  # three consecutive cstdcs: the prerequisite of cstdtq
                records += [held(person, "cstdcs", year - back) for back in (3, 2, 1)]
            elif i % 10 == 1:  # two only
                records += [held(person, "cstdcs", year - back) for back in (2, 1)]
            level = (
                InitiativeLevel.ARMY
                if i % 25 == 0
                else InitiativeLevel.REGIMENT
                if i % 4 == 0
                else InitiativeLevel.UNIT
                if i % 7 == 0
                else None
            )
            if level is not None:
                initiatives.append(
                    Initiative(
                        person=person,
                        title=f"Sáng kiến {i}",
                        level=level,
                        recognised_on=D(year, 1 + i % 10, 1 + i % 27),
                    )
                )
            if i % 97 in (5, 6):  # a pending case, and a closed one (which no longer counts)
                cases.append(
                    PendingCase(
                        person=person,
                        kind=CaseKind.DISCIPLINE,
                        reference=f"{i}/QĐ-KL",
                        opened_on=D(year, 3, 1),
                        closed_on=D(year, 6, 1) if i % 97 == 6 else None,
                    )
                )
            if person.gender == "female" and i % 8 == 3:
                breaks.append(
                    ServiceBreak(
                        person=person,
                        kind=BreakKind.MATERNITY,
                        start=D(year - 1, 3, 1),
                        end=D(year - 1, 8, 31),
                    )
                )
            elif i % 50 == 9:
                breaks.append(
                    ServiceBreak(
                        person=person,
                        kind=BreakKind.UNPAID_LEAVE,
                        start=D(year - 2, 1, 1),
                        end=D(year - 2, 3, 31),
                    )
                )
        AwardRecord.objects.bulk_create(records, batch_size=CHUNK)
        Initiative.objects.bulk_create(initiatives, batch_size=CHUNK)
        PendingCase.objects.bulk_create(cases)
        ServiceBreak.objects.bulk_create(breaks)
        # a few already nominated in the campaign (a duplicate), and some for this year's
        # Chiến sĩ tiên tiến (pending: decided with it)
        nominations = []
        for code, pick in (("cstdcs", lambda i: i % 50 == 2), ("cstt", lambda i: i % 10 == 7)):
            route = route_for(award=awards[code], campaign=campaign)
            nominations += [
                Nomination(
                    award=awards[code],
                    campaign=campaign,
                    submitting_unit=unit,
                    person=person,
                    nominee_name=person.full_name,
                    search_name=fold_vietnamese(person.full_name),
                    achievements="Hoàn thành xuất sắc nhiệm vụ.",
                    route_version=route,
                )
                for i, person in enumerate(staff)
                if pick(i)
            ]
        Nomination.objects.bulk_create(nominations)
    facts = {
        "registry records": len(records),
        "initiatives": len(initiatives),
        "cases": len(cases),
        "leaves": len(breaks),
        "nominations": len(nominations),
    }
    return unit, campaign, facts


def _time(what: str, run, *, requests: int, warmups: int):
    from bench.pages import Timing, measure

    timing = Timing(what=what, user="")
    outcome = measure(timing, run, requests=requests, warmups=warmups)
    return timing, outcome


def _row(timing, *, rows, queries_small) -> list:
    from bench.report import ms

    return [
        timing.what,
        rows,
        ms(timing.median_ms),
        ms(timing.p95_ms),
        timing.queries,
        queries_small,
    ]


def main() -> int:
    _configure()
    _check_migrated()
    from django.urls import reverse

    from approvals.models import (
        Award,
        AwardRecord,
        Initiative,
        Nomination,
        PendingCase,
        Person,
        ServiceBreak,
    )
    from approvals.selectors.eligible_candidates import eligible_candidates
    from approvals.services.eligibility import Candidate, check_candidates
    from bench import dataset
    from bench.config import _int, _scale
    from bench.pages import Timing, client_for, time_get
    from bench.report import database, load_average, load_text, machine, table, today

    scale = _scale()
    size = _int("BENCH_ELIG_PEOPLE", PEOPLE[scale], minimum=10)
    requests = _int("BENCH_REQUESTS", REQUESTS[scale], minimum=1)
    warmups = _int("BENCH_WARMUPS", 3, minimum=1)
    keep = os.environ.get("BENCH_ELIG_KEEP", "0").strip() == "1"
    started, load_start = perf_counter(), load_average()
    db = database()
    _say(f"bench.eligibility: {db}")
    removed = clean()
    if any(removed.values()):
        _say("removed an earlier run's rows: " + ", ".join(f"{k} {v}" for k, v in removed.items()))
    dataset.load_reference_data()
    unit, campaign, facts = prepare(size)
    _say(f"{size} people in {UNIT_CODE}: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
    dataset.analyze([Person, AwardRecord, Initiative, PendingCase, ServiceBreak, Nomination])

    people = list(
        Person.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("unit__path", "full_name", "pk")
    )
    small = max(1, size // 10)
    rows = []
    for code in AWARDS:
        award = Award.objects.get(code=code)
        candidates = [
            Candidate(award=award, campaign=campaign, submitting_unit=unit, person=person)
            for person in people
        ]
        few, _ = _time("", lambda c=candidates[:small]: check_candidates(c), requests=0, warmups=1)
        timing, verdicts = _time(
            f"check_candidates ({code})",
            lambda c=candidates: check_candidates(c),
            requests=requests,
            warmups=warmups,
        )
        eligible = sum(1 for verdict in verdicts if verdict.eligible)
        rows.append(_row(timing, rows=f"{eligible} / {len(verdicts)}", queries_small=few.queries))

        def select(unit=unit, award=award, campaign=campaign):
            return eligible_candidates(unit=unit, award=award, campaign=campaign)

        timing, listing = _time(
            f"eligible_candidates selector ({code})", select, requests=requests, warmups=warmups
        )
        rows.append(
            _row(timing, rows=f"{listing.eligible_count} / {listing.total}", queries_small="—")
        )

    client = client_for(PAGE_USER)
    url = reverse("eligible_candidates")
    for code, extra in (("cstdcs", ""), ("cstdcs", "&ineligible=on"), ("cstdtq", "")):
        award = Award.objects.get(code=code)
        query = f"?unit={unit.pk}&award={award.pk}&campaign={campaign.pk}{extra}"
        timing = Timing(what=f"page ({code}{', with the ineligible' if extra else ''})", user="")
        time_get(timing, client, url + query, requests=requests, warmups=warmups)
        if timing.status != "200":
            raise SystemExit(f"bench: {url + query} answered {timing.status}")
        listing = eligible_candidates(unit=unit, award=award, campaign=campaign)
        shown = min(100, listing.total if extra else listing.eligible_count)
        rows.append(_row(timing, rows=f"{shown} rows shown", queries_small="—"))

    if not keep:
        clean()
    headers = ["what", "eligible / checked", "median ms", "p95 ms", "queries", f"at {small}"]
    _say("")
    _say(f"### Eligibility, {size} people ({scale}), {db.split(' (')[0]}")
    _say("")
    _say(f"- Date: {today()}; total run {perf_counter() - started:,.0f} s")
    _say(f"- Machine: {machine()}{load_text(load_start)}")
    _say(f"- Database: {db}; K={requests} after {warmups} warm-up(s); page as {PAGE_USER}")
    _say("")
    _say(table(headers, rows))
    _say("")
    _say(
        "check_candidates checks the unit as one batch: each candidate counts the earlier ones "
        "towards the quota (10% of strength for cstdcs), so few pass it; the page's selector "
        "gives every row the quota as it stands with one more nomination."
    )
    if keep:
        _say(f"\nkept unit {UNIT_CODE} and campaign {CAMPAIGN_CODE} (BENCH_ELIG_KEEP=1)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
