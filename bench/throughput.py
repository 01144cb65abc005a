"""Transitions per second through the services, next to pgbench and a bare viewflow flow.

    .venv/bin/python -m bench.throughput            # full: about 2 minutes
    BENCH_SCALE=small .venv/bin/python -m bench.throughput
    .venv/bin/python -m bench.throughput --profile  # and where one worker's time goes

One run measures, one after another on the same database: pgbench's TPC-B-like rate with
1 and 4 clients (PostgreSQL only, in a scratch database: bench.pgbench), a bare viewflow
Start → View → End flow with 2 worker processes (bench.bare_flow), and the product's
services carrying a batch of Giấy khen nominations through their whole route with 2 worker
processes (bench.drive). The tracked figures are the ratios of the product's rate to the
other two. Parameters (environment): BENCH_SCALE=full|small, BENCH_THROUGHPUT_NOMINATIONS,
BENCH_THROUGHPUT_PROCESSES, BENCH_THROUGHPUT_WORKERS, BENCH_PGBENCH_SECONDS, BENCH_DOCS.
See docs/benchmarks.md.
"""

import argparse
import os
import sys
from dataclasses import dataclass
from time import perf_counter

from bench.config import Names, _int, _scale
from bench.run import _check_migrated, _configure, _say

# Targets of issue 7: the product's transitions/s with 2 workers against these.
TARGET_PGBENCH = 0.15  # × pgbench's 4-client TPC-B tps
TARGET_BARE = 1.0  # × the bare viewflow flow's transitions/s

SCALES = {
    "full": {"nominations": 600, "processes": 1000, "seconds": 20},
    "small": {"nominations": 60, "processes": 100, "seconds": 5},
}
LETTER_SIZE = 20  # nominations per letter (tờ trình) when carried a letter at a time
WARM_UP = 3  # nominations carried through the route, untimed, before the measured batch
PROFILED = 60  # nominations carried in-process under cProfile with --profile

# This part's own campaign, unit and people: bench.run's data (left for browsing, and used
# by bench.session_scale) stays untouched.
NAMES = Names(campaign="bench-tp", unit="bench-tp-f3", service_prefix="BENCH-TP-")


@dataclass(frozen=True)
class ThroughputConfig:
    scale: str
    nominations: int  # carried through the whole giay-khen route by the services
    processes: int  # bare-flow processes started and completed
    workers: int
    pgbench_seconds: int
    write_docs: bool


def config_from_env() -> ThroughputConfig:
    scale = _scale()
    preset = SCALES[scale]
    nominations = _int("BENCH_THROUGHPUT_NOMINATIONS", preset["nominations"], minimum=10)
    processes = _int("BENCH_THROUGHPUT_PROCESSES", preset["processes"], minimum=10)
    seconds = _int("BENCH_PGBENCH_SECONDS", preset["seconds"], minimum=1)
    if (nominations, processes, seconds) != tuple(preset.values()):
        scale = "custom"
    docs_default = "1" if scale == "full" else "0"
    return ThroughputConfig(
        scale=scale,
        nominations=nominations,
        processes=processes,
        workers=_int("BENCH_THROUGHPUT_WORKERS", 2, minimum=1),
        pgbench_seconds=seconds,
        write_docs=os.environ.get("BENCH_DOCS", docs_default).strip() == "1",
    )


def _pgbench(config) -> dict:
    """pgbench with 1 and 4 clients in a scratch database, or {"note": why not}."""
    from django.db import DatabaseError, connection

    from bench import pgbench

    if connection.vendor != "postgresql":
        _say("pgbench: PostgreSQL only")
        return {"note": "pgbench: PostgreSQL only"}
    binary = pgbench.find_binary()
    if binary is None:
        _say("pgbench: not found (neither /usr/lib/postgresql/*/bin/pgbench nor on PATH)")
        return {"note": "pgbench: not installed on this machine, no ratio to it"}
    try:
        return _pgbench_runs(config, binary)
    except (RuntimeError, DatabaseError) as exc:  # no right to a scratch place, auth, ...
        _say(f"pgbench: failed: {exc}")
        return {"note": f"pgbench: failed ({str(exc).splitlines()[0][:200]})"}


def _pgbench_runs(config, binary: str) -> dict:
    from bench import pgbench

    with pgbench.scratch_database() as (where, env):
        _say(f"pgbench: initialising scale {pgbench.SCALE} in {where} ({binary})")
        started = perf_counter()
        pgbench.initialise(binary, env)
        init_s = perf_counter() - started
        results = {}
        for clients in (1, 4):
            _say(f"pgbench: {clients} client(s) for {config.pgbench_seconds} s")
            results[clients] = pgbench.measure(
                binary, env, clients=clients, seconds=config.pgbench_seconds
            )
    return {"where": where, "binary": binary, "init_s": init_s, "results": results}


def _bare_flow(config) -> list:
    from bench import bare_flow

    removed = bare_flow.clean()
    if removed:
        _say(f"bare flow: removed {removed} processes an earlier run left")
    try:
        bare_flow.warm_up()
        _say(f"bare flow: {config.processes:,} processes, {config.workers} workers")
        return bare_flow.run(config.processes, workers=config.workers)
    finally:
        bare_flow.clean()


def _nomination_ids(data, person_ids: list[int]) -> list[int]:
    from approvals.models import Nomination

    ids = dict(
        Nomination.objects.filter(
            campaign_id=data.campaign_id, award__code="giay-khen", person_id__in=person_ids
        ).values_list("person_id", "pk")
    )
    return [ids[person_id] for person_id in person_ids if person_id in ids]


def _carry(data, person_ids: list[int], *, workers: int, name: str = "") -> list:
    """Create a nomination for each person, then carry them all through the giay-khen route."""
    from bench import drive, plan

    creates = plan.creates(award_code="giay-khen", person_ids=person_ids, data=data)
    created = drive.run_wave("nomination_create", creates, workers=workers)
    route = plan.full_route("giay-khen", _nomination_ids(data, person_ids))
    (carried,) = drive.run_waves(name, route, workers=workers)
    return [created, carried]


def _letters(data, count: int) -> list[int]:
    """`count` letters of the bench's unit, opened by its officer (setup, not timed)."""
    from approvals.models import Campaign, Unit
    from approvals.services.letters import letter_create
    from bench.drive import user_named
    from bench.plan import UNIT_OFFICER

    unit = Unit.objects.get(pk=data.submitting_unit_id)
    campaign = Campaign.objects.get(pk=data.campaign_id)
    actor = user_named(UNIT_OFFICER)
    return [
        letter_create(actor=actor, unit=unit, campaign=campaign, title=f"Bench {n}").pk
        for n in range(count)
    ]


def _carry_letters(data, person_ids: list[int], *, workers: int, name: str = "") -> list:
    """The same route, a letter of LETTER_SIZE nominations at a time: each office acts on a
    whole letter, the authority issues one decision per letter (a year-end cycle's way)."""
    from bench import drive, plan

    letter_ids = _letters(data, -(-len(person_ids) // LETTER_SIZE))
    in_letter = [letter_ids[index // LETTER_SIZE] for index in range(len(person_ids))]
    creates = plan.creates(
        award_code="giay-khen", person_ids=person_ids, data=data, letter_ids=in_letter
    )
    created = drive.run_wave("nomination_create (into letters)", creates, workers=workers)
    ids = _nomination_ids(data, person_ids)
    letters: dict[int, list[int]] = {}
    for letter_id, nomination_id in zip(in_letter, ids, strict=True):
        letters.setdefault(letter_id, []).append(nomination_id)
    carried = drive.WaveResult(name=name)
    for index, wave in enumerate(plan.letters_route("giay-khen", letters), start=1):
        for call in wave:  # the documents each office adds before acting: not timed
            drive.letter_dossier_complete(call)
        carried.add(drive.run_wave(f"{name} #{index}", wave, workers=workers))
    carried.name = name
    return [created, carried]


def _product(config, *, profile: bool) -> tuple[list, str]:
    """The services with `workers` processes; the cProfile report of one process if asked."""
    from bench import dataset

    dataset.clean(NAMES)
    dataset.load_reference_data()
    extra = PROFILED if profile else 0
    data = dataset.prepare(WARM_UP + config.nominations + extra, NAMES)
    people = data.person_ids
    warm = people[:WARM_UP]
    measured = people[WARM_UP : WARM_UP + config.nominations]
    try:
        _carry(data, warm, workers=1)  # untimed: imports, caches, as bench_flow's warm-up
        _say(f"product: {config.nominations:,} giay-khen nominations, {config.workers} workers")
        results = _carry(data, measured, workers=config.workers, name="giay-khen route (4 stages)")
        dataset.clean(NAMES)
        data = dataset.prepare(WARM_UP + config.nominations + extra, NAMES)
        people = data.person_ids
        _say(f"product: the same, {LETTER_SIZE} nominations per letter")
        results += _carry_letters(
            data,
            people[WARM_UP : WARM_UP + config.nominations],
            workers=config.workers,
            name=f"giay-khen route, letters of {LETTER_SIZE}",
        )
        profiled = _profile(data, people[-extra:]) if profile else ""
    finally:
        dataset.clean(NAMES)
    return results, profiled


def _profile(data, person_ids: list[int]) -> str:
    """The same calls in this one process under cProfile: the top functions by own time and
    by cumulative time (what one worker spends its time on)."""
    import cProfile
    import io
    import pstats

    _say(f"profiling {len(person_ids)} nominations in one process")
    profiler = cProfile.Profile()
    profiler.enable()
    _carry(data, person_ids, workers=1)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return out.getvalue()


def _rate(result) -> float | None:
    """Transitions per second on the wall clock."""
    return (result.moves or result.calls) / result.wall if result.wall else None


def _call_rate(result, workers: int) -> float:
    """Transitions per second of the time spent inside the calls, shared by the workers: the
    rate without what the waves do between calls (the dossier uploads before each approval,
    starting the workers)."""
    busy = sum(result.durations) / workers
    return (result.moves or result.calls) / busy if busy else 0.0


def _ratio_row(what: str, numerator, denominator, target: float) -> list[str]:
    if not numerator or not denominator:
        return [what, "—", f"≥ {target:.2f}", "not measured"]
    ratio = numerator / denominator
    return [what, f"{ratio:.3f}", f"≥ {target:.2f}", "pass" if ratio >= target else "FAIL"]


def render(config, *, db, pg, bare, product, total_s, load_start) -> tuple[str, dict]:
    from bench import report

    bare_total, single, by_letter = bare[-1], product[1], product[3]
    bare_rate, single_rate, letter_rate = _rate(bare_total), _rate(single), _rate(by_letter)
    tps = {clients: result.tps for clients, result in pg.get("results", {}).items()}
    rows = []
    for clients in (1, 4):
        if clients in tps:
            result = pg["results"][clients]
            rows.append(
                [
                    f"pgbench TPC-B, {clients} client(s), -j {result.threads} (tps)",
                    f"{result.tps:,.1f}",
                    "",
                    "",
                ]
            )
        else:
            rows.append([f"pgbench TPC-B, {clients} client(s) (tps)", "—", "", pg.get("note", "")])
    rows += [
        [
            f"bare viewflow flow, {config.workers} workers (transitions/s)",
            f"{bare_rate:,.1f}",
            "",
            "",
        ],
        [
            f"product, giay-khen route, one nomination per call, {config.workers} workers "
            "(transitions/s)",
            f"{single_rate:,.1f}",
            "",
            "",
        ],
        [
            "the same, time inside the calls only (transitions/s)",
            f"{_call_rate(single, config.workers):,.1f}",
            "",
            "",
        ],
        [
            f"product, giay-khen route, letters of {LETTER_SIZE} (letter_act, one decision "
            f"per letter), {config.workers} workers (transitions/s)",
            f"{letter_rate:,.1f}",
            "",
            "",
        ],
        _ratio_row("one per call / pgbench 4 clients", single_rate, tps.get(4), TARGET_PGBENCH),
        _ratio_row("one per call / bare viewflow flow", single_rate, bare_rate, TARGET_BARE),
        _ratio_row("by letter / pgbench 4 clients", letter_rate, tps.get(4), TARGET_PGBENCH),
        _ratio_row("by letter / bare viewflow flow", letter_rate, bare_rate, TARGET_BARE),
    ]
    lines = [
        f"### Throughput: {db.split(' (')[0]} ({config.scale})",
        "",
        f"- Date: {report.today()}; total run {total_s:,.0f} s",
        f"- Machine: {report.machine()}{report.load_text(load_start)}",
        f"- Database: {db}",
        f"- Parameters: {config.nominations:,} giay-khen nominations through 4 stages, "
        f"{config.processes:,} bare-flow processes, {config.workers} worker processes; "
        f"pgbench -s 10, {config.pgbench_seconds} s per run",
    ]
    if "where" in pg:
        lines.append(
            f"- pgbench: {pg['binary']}, tables in the scratch {pg['where']} "
            f"(initialised in {pg['init_s']:,.1f} s, dropped after)"
        )
    elif pg.get("note"):
        lines.append(f"- {pg['note']}")
    lines += [
        "",
        report.table(["figure", "value", "target", "result"], rows),
        "",
        report.table(report.SERVICE_HEADERS, report.service_rows([*bare, *product])),
    ]
    figures = {"bare": bare_rate, "product": single_rate, "letters": letter_rate, "pgbench": tps}
    return "\n".join(lines), figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.throughput", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"then carry {PROFILED} more nominations in one process under cProfile",
    )
    args = parser.parse_args(argv)
    _configure()

    from django.db import connection

    from bench import report

    config = config_from_env()
    _check_migrated()
    started, load_start, db = report.begin("bench.throughput")
    pg = _pgbench(config)
    bare = _bare_flow(config)
    product, profiled = _product(config, profile=args.profile)
    text, _figures = render(
        config,
        db=db,
        pg=pg,
        bare=bare,
        product=product,
        total_s=perf_counter() - started,
        load_start=load_start,
    )
    _say("")
    _say(text)
    errors = [error for result in (bare[-1], *product) for error in result.errors]
    for error in errors[:10]:
        _say(f"error: {error}")
    if "FAIL" in text and not profiled:
        _say("\nbelow a target: `python -m bench.throughput --profile` shows where the time goes")
    if profiled:
        _say("\ncProfile of one process carrying the route (--profile):\n" + profiled)
    if config.write_docs:
        suffix = "" if config.scale == "full" else f"-{config.scale}"
        path = report.write_docs(text, key=f"throughput-{connection.vendor}{suffix}")
        _say(f"\nresults written to {path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
