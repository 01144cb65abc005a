"""`make bench`: create N nominations, carry them through their routes, time the pages.

    .venv/bin/python -m bench.run               # N=2000 on the configured database
    BENCH_SCALE=small .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --pages-only  # time the pages on what the last run left
    .venv/bin/python -m bench.run --clean       # only remove what earlier runs left

Parameters (environment): BENCH_SCALE=full|small, BENCH_NOMINATIONS, BENCH_WORKERS,
BENCH_REQUESTS, BENCH_WARMUPS, BENCH_BK_SHARE, BENCH_IN_FLIGHT_SHARE, BENCH_KEEP=0|1,
BENCH_DOCS=0|1. See docs/benchmarks.md.
"""

import argparse
import logging
import os
import sys
from collections import Counter
from time import perf_counter


def _configure() -> None:
    """Django as manage.py sets it up, minus anything that would reach the outside world."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    # Thousands of notifications are written: e-mail them in-process into memory, never to
    # a real mail server or a broker whose workers would send them.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log, templates as in production
    # eager Celery still builds a memory:// connection, and kombu warns about its host
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)


def _check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise SystemExit(
            "bench: the database has unapplied migrations; run `make bootstrap` "
            "(or `manage.py migrate`) first"
        )


def _say(message: str) -> None:
    print(message, flush=True)


def _detail_nomination() -> int | None:
    """A Bằng khen waiting for the secretariat's appraisal: readable by all three users."""
    from approvals.models import Nomination
    from bench.dataset import BENCH

    return (
        Nomination.objects.filter(
            campaign__code=BENCH.campaign,
            award__code="bk-bqp",
            status="in_progress",
            current_stage__kind="appraisal",
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def _carry(config, data) -> dict:
    """Steps 3 to 5: create, carry through the routes, leave a batch in flight."""
    from approvals.models import Nomination
    from bench import drive, plan

    people = data.person_ids
    n, bk, in_flight = config.nominations, config.bk_count, config.in_flight_count
    main_people, flight_people = people[:n], people[n : n + in_flight]
    bk_people = people[:bk]
    bk_flight_people = people[bk : bk + config.bk_in_flight_count]

    creates = plan.creates(
        award_code="giay-khen", person_ids=main_people + flight_people, data=data
    ) + plan.creates(award_code="bk-bqp", person_ids=bk_people + bk_flight_people, data=data)
    _say(f"creating {len(creates):,} nominations (nomination_create)")
    created = drive.run_wave("nomination_create", creates, workers=config.workers)
    ids = {
        (person_id, award): pk
        for person_id, award, pk in Nomination.objects.filter(
            campaign_id=data.campaign_id
        ).values_list("person_id", "award__code", "pk")
    }

    def nominations(award: str, person_ids: list[int]) -> list[int]:
        return [ids[(person_id, award)] for person_id in person_ids if (person_id, award) in ids]

    _say(f"giay-khen: {n:,} nominations through 4 stages")
    (giay_khen,) = drive.run_waves(
        "giay-khen full route",
        plan.full_route("giay-khen", nominations("giay-khen", main_people)),
        workers=config.workers,
    )
    _say(f"bk-bqp: {bk:,} nominations through 7 stages, one council session (1 in 10 fails)")
    bk_bqp, *council = drive.run_waves(
        "bk-bqp stages",
        plan.full_route("bk-bqp", nominations("bk-bqp", bk_people), vote_fails_every=10),
        workers=config.workers,
    )
    _say("leaving a batch in flight at every stage")
    (flight,) = drive.run_waves(
        "left in flight",
        plan.giay_khen_in_flight(nominations("giay-khen", flight_people)),
        workers=config.workers,
    )
    (bk_flight,) = drive.run_waves(
        "", plan.bk_bqp_in_flight(nominations("bk-bqp", bk_flight_people)), workers=config.workers
    )
    flight.add(bk_flight)
    # every service call that moves a stage; a council session's own calls (agenda,
    # ballots) move none, the results it applies do
    transitions = drive.WaveResult(name="transitions, all")
    for part in (giay_khen, bk_bqp, *council[1:], flight):
        transitions.add(part)
    statuses = Counter(
        Nomination.objects.filter(campaign_id=data.campaign_id).values_list("status", flat=True)
    )
    return {
        "results": [created, giay_khen, bk_bqp, *council, flight, transitions],
        "errors": created.errors + transitions.errors + (council[0].errors if council else []),
        "left": ", ".join(f"{status} {count:,}" for status, count in sorted(statuses.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--clean", action="store_true", help="remove the bench data and stop")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only time the pages and selectors, on the data the last run left",
    )
    args = parser.parse_args(argv)
    _configure()

    from bench import dataset, pages, report
    from bench.config import config_from_env

    config = config_from_env()
    _check_migrated()
    started, load_start, db = report.begin("bench")
    setup, services, errors = {}, [], []
    if not args.pages_only:
        removed = dataset.clean()
        _say("removed an earlier run's data: " + ", ".join(f"{k} {v}" for k, v in removed.items()))
        if args.clean:
            return 0
        _say("loading the demo organisation, users and routes (idempotent)")
        dataset.load_reference_data()
        data = dataset.prepare(config.people_needed)
        setup = {
            "people": f"{len(data.person_ids):,} in unit {dataset.BENCH.unit}",
            "campaign": dataset.BENCH.campaign,
            "prepared in": f"{perf_counter() - started:,.1f} s",
        }
        carried = _carry(config, data)
        services, errors = carried["results"], carried["errors"]
        setup["left"] = carried["left"]

    if dataset.analyze():
        _say("ANALYZE of the tables the bench filled (PostgreSQL)")
    detail_id = _detail_nomination()
    if detail_id is None:
        raise SystemExit("bench: no bench data to time the pages on; run it without --pages-only")
    _say(f"timing pages: {config.requests} requests each after {config.warmups} warm-up(s)")
    page_timings = pages.time_pages(
        detail_id=detail_id, requests=config.requests, warmups=config.warmups
    )
    selector_timings = pages.time_selectors(requests=config.requests, warmups=config.warmups)

    text = report.render(
        config=config,
        db=db,
        setup=setup,
        services=services,
        pages=page_timings,
        selectors=selector_timings,
        total_s=perf_counter() - started,
        load_start=load_start,
    )
    _say("")
    _say(text)
    for error in errors[:10]:
        _say(f"error: {error}")
    if config.write_docs and not args.pages_only:
        path = report.write_docs(text, key=f"{db.split()[0].lower()}-{config.scale}")
        _say(f"\nresults written to {path}")
    if not config.keep and not args.pages_only:
        dataset.clean()
        _say("bench data removed (BENCH_KEEP=0)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
