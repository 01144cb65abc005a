"""The secretariat's pages at 50,000 nominations (the third part of `make bench`).

    .venv/bin/python -m bench.scale_pages                 # 50,000 nominations
    BENCH_SCALE=small .venv/bin/python -m bench.scale_pages   # 1,000 (CI smoke run)

Seeds nominations in bulk (bench.scale_data), then times the dashboard, the nomination list
(plain, searched without diacritics, filtered by unit) and the registry (plain, searched)
for a secretariat officer and a unit officer: K requests after warm-ups, median and 95th
percentile, and the query count. At full size it seeds 1,000 first and counts each page's
queries there too: they must not grow with the data. On PostgreSQL it saves the EXPLAIN
(ANALYZE, BUFFERS) of each page's slowest query under docs/bench-explain/ and flags
sequential scans of the big tables.

Parameters (environment): BENCH_SCALE=full|small, BENCH_SCALE_NOMINATIONS, BENCH_REQUESTS
(20), BENCH_WARMUPS (3), BENCH_PAGE_BUDGET (30 s per page and user: a slower page gets fewer
requests, down to one), BENCH_DOCS=0|1 (1 for full), BENCH_SCALE_KEEP=0|1 (0: the seeded
rows are removed at the end, as they would weigh on bench.run's page figures).
"""

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from urllib.parse import urlencode

from bench.run import _check_migrated, _configure, _say

USERS = {"tth.canbo": "qk1", "canbo.f3": "f3-e1"}  # user -> the unit their unit filter picks
SEARCH = "nguyen van"
FLAGGED_TABLES = ("approvals_nomination", "approvals_awardrecord", "viewflow_task")
# targets from the load issue, at 50,000 nominations on PostgreSQL
TARGET_P95_MS = {"nomination_list": 100, "registry_list": 100, "dashboard": 250}


@dataclass(frozen=True)
class Page:
    url_name: str
    variant: str = ""  # "", "q" or "unit": the query string added

    def params(self, username: str) -> dict[str, str]:
        return {"": {}, "q": {"q": SEARCH}, "unit": {"unit": USERS[username]}}[self.variant]

    def label(self, username: str) -> str:
        query = urlencode(self.params(username))
        return f"{self.url_name}?{query}" if query else self.url_name

    @property
    def slug(self) -> str:
        return f"{self.url_name}-{self.variant}" if self.variant else self.url_name


PAGES = (
    Page("dashboard"),
    Page("nomination_list"),
    Page("nomination_list", "q"),
    Page("nomination_list", "unit"),
    Page("registry_list"),
    Page("registry_list", "q"),
)


def _rows(page: Page, user) -> int:
    """How many nominations (registry records) the page lists or counts."""
    from approvals.selectors.nominations import nominations_filtered
    from approvals.selectors.registry import registry_search

    if page.url_name == "registry_list":
        return registry_search(user, page.params(user.username)).count()
    return nominations_filtered(user, page.params(user.username)).count()


def _count_rows(timed: list) -> list:
    from django.contrib.auth import get_user_model

    users = {user.username: user for user in get_user_model().objects.filter(username__in=USERS)}
    for page, timing in timed:
        timing.rows = _rows(page, users[timing.user])
    return timed


def time_pages(
    *, requests: int, warmups: int, budget_s: float | None = None
) -> list[tuple[Page, object]]:
    """Every page for every user: (page, Timing); requests=0 only counts the queries."""
    from django.urls import reverse

    from bench.pages import Timing, client_for, time_get

    timed = []
    for username in USERS:
        client = client_for(username)
        for page in PAGES:
            url = reverse(page.url_name)
            query = urlencode(page.params(username))
            timing = Timing(what=page.label(username), user=username)
            time_get(
                timing,
                client,
                f"{url}?{query}" if query else url,
                requests=requests,
                warmups=warmups,
                budget_s=budget_s,
            )
            timed.append((page, timing))
            if requests:
                _say(f"  {timing.what} ({username}): median {timing.median_ms or 0:,.1f} ms")
    return timed


def _flags(plan: str) -> list[str]:
    return [
        f"Seq Scan on {table}"
        for table in FLAGGED_TABLES
        if re.search(rf"Seq Scan on {table}\b", plan)
    ]


def _explain(cursor, sql: str, *, analyze: bool) -> str:
    options = "ANALYZE, BUFFERS" if analyze else "COSTS"
    # the SQL is what the page itself ran, captured with its parameters
    cursor.execute(f"EXPLAIN ({options}) {sql}")
    return "\n".join(row[0] for row in cursor.fetchall())


def _analyzed(sql: str, limit_s: float) -> tuple[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS), or plain EXPLAIN when the query runs over `limit_s`."""
    from django.db import OperationalError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = {round(limit_s * 1000)}")
            return "EXPLAIN (ANALYZE, BUFFERS)", _explain(cursor, sql, analyze=True)
    except OperationalError:  # cancelled by the timeout
        with connection.cursor() as cursor:
            kind = f"EXPLAIN (not ANALYZE: the query ran over {limit_s:.0f} s)"
            return kind, _explain(cursor, sql, analyze=False)


def explain(
    page: Page, timing, *, header: str, limit_s: float, save: bool
) -> tuple[Path | None, list[str] | None]:
    """PostgreSQL: the EXPLAIN (ANALYZE, BUFFERS) of the page's slowest SELECT, saved under
    docs/bench-explain/ when `save` (with BENCH_DOCS, as the results are).

    The file also lists every other SELECT of the page with its time and the flagged
    sequential scans of its plan (plain EXPLAIN). Returns the file and the main plan's flags
    (None, None on SQLite).
    """
    from django.conf import settings
    from django.db import connection

    slowest = timing.slowest_sql("SELECT")
    if connection.vendor != "postgresql" or slowest is None:
        return None, None
    seconds, sql = slowest
    kind, plan = _analyzed(sql, limit_s)
    others = []
    with connection.cursor() as cursor:
        main = timing.sql.index(sql)
        for index, (other_s, other) in enumerate(zip(timing.sql_seconds, timing.sql, strict=True)):
            if index != main and other.lstrip(" (").upper().startswith("SELECT"):
                scans = _flags(_explain(cursor, other, analyze=False))
                summary = " ".join(other.split())[:160]
                flagged = ", ".join(scans) or "no flagged scan"
                others.append(f"- #{index + 1}, {other_s * 1000:.0f} ms: {flagged} — {summary}…")
    flags = _flags(plan)
    if not save:
        return None, flags
    directory = Path(settings.BASE_DIR) / "docs" / "bench-explain"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{page.slug}-{timing.user}.txt"
    path.write_text(
        "\n".join(
            [
                f"{timing.what} as {timing.user}: query #{main + 1}, the slowest of its "
                f"{timing.queries} queries ({seconds * 1000:,.0f} ms when the page ran it)",
                header,
                "Flagged: " + (", ".join(flags) or "none"),
                "",
                "Query:",
                sql,
                "",
                f"{kind}:",
                plan,
                "",
                "The page's other SELECTs (time when the page ran them; flags from plain EXPLAIN):",
                *others,
                "",
            ]
        ),
        encoding="utf-8",
    )
    return path, flags


def _over_target(page: Page, timing) -> bool:
    target = TARGET_P95_MS.get(page.url_name)
    return target is not None and timing.p95_ms is not None and timing.p95_ms > target


def render(
    *, config, db, seeding, left, timed, small_counts, explained, total_s, load_start
) -> str:
    from bench.report import load_text, machine, ms, table, today

    full, small = f"{config.nominations:,}", f"{config.sizes[0]:,}"
    headers = ["page", "user", "status", "rows", "n", "median ms", "p95 ms", "slowest SQL ms"]
    headers += [f"queries at {small}", f"queries at {full}"] if small_counts else ["queries"]
    rows = []
    for page, timing in timed:
        slowest = timing.slowest_sql()
        row = [
            timing.what,
            timing.user,
            timing.status.split(" (", 1)[0],
            f"{timing.rows:,}",
            len(timing.durations),
            ms(timing.median_ms),
            ms(timing.p95_ms) + (" ⚠" if _over_target(page, timing) else ""),
            ms(slowest[0] * 1000 if slowest else None),
        ]
        if small_counts:
            row.append(small_counts.get((timing.what, timing.user), ("—",))[0])
        row.append(timing.queries)
        rows.append(row)
    seeded = ", ".join(
        f"{stats['nominations']:,} in {stats['seconds']:,.1f} s" for stats in seeding
    )
    written = Counter()
    for stats in seeding:
        written.update({k: v for k, v in stats.items() if k in ("events", "records", "decisions")})
        written["people"] += stats["people"]
    lines = [
        f"### Pages at {full} nominations, {db.split(' (')[0]}",
        "",
        "`python -m bench.scale_pages`, the third part of `make bench`: nominations written in "
        "bulk in realistic states (bench/scale_data.py), then each page timed with "
        "django.test.Client as a secretariat officer (tth.canbo) and a unit officer "
        "(canbo.f3). On PostgreSQL the EXPLAIN (ANALYZE, BUFFERS) of each page's slowest "
        "query is in docs/bench-explain/.",
        "",
        f"- Date: {today()}; total run {total_s:,.0f} s",
        f"- Machine: {machine()}{load_text(load_start)}",
        f"- Database: {db}",
        f"- Parameters: {full} nominations ({config.scale}), K={config.requests} after "
        f"{config.warmups} warm-up(s); unit filter qk1 (tth.canbo), f3-e1 (canbo.f3); "
        f"search “{SEARCH}”",
        f"- Seeded in bulk (bench.scale_data): {seeded}; with {written['events']:,} events, "
        f"{written['decisions']:,} decisions, {written['records']:,} registry records, "
        f"{written['people']:,} people; left {left}",
        "",
        table(headers, rows),
        "",
        "Rows: what the page lists or counts for that user; n: timed requests (fewer than K "
        f"when a page used up its {config.budget_s:.0f} s budget). Slowest SQL: the page's "
        "slowest query in the last warm-up. ⚠: p95 over the load issue's targets for "
        "50,000 nominations on PostgreSQL (lists 100 ms, dashboard 250 ms).",
    ]
    if small_counts:
        grew, empty = [], []
        for _page, timing in timed:
            queries, rows_then = small_counts.get((timing.what, timing.user), (None, None))
            if queries != timing.queries:
                # a page with nothing to list skips the query for the rows
                counts = f"{queries} at {small}, {timing.queries} at {full}"
                note = f"{timing.what} ({timing.user}): {counts}"
                (empty if 0 in (rows_then, timing.rows) else grew).append(note)
        if grew:
            lines += ["", "**Query counts differ between the sizes:** " + "; ".join(grew)]
        else:
            same = f"Query counts are the same at {small} and {full} nominations"
            if empty:
                same += (
                    ", except where a list was empty at one size and so skipped the query for "
                    "its rows: " + "; ".join(empty)
                )
            lines += ["", same + "."]
        if grew and empty:
            lines.append("Lists empty at one size (no query for their rows): " + "; ".join(empty))
    if explained:
        lines += [
            "",
            "EXPLAIN (ANALYZE, BUFFERS) of each page's slowest query (saved in "
            "docs/bench-explain/ with BENCH_DOCS=1):",
        ]
        for (what, user), flags in explained.items():
            if flags:
                lines.append(f"- {what} ({user}): {', '.join(flags)}")
        if not any(explained.values()):
            lines.append(f"- no sequential scan of {', '.join(FLAGGED_TABLES)} in them")
    return "\n".join(lines)


def main() -> int:
    _configure()
    _check_migrated()
    from approvals.models import (
        AwardRecord,
        Decision,
        DecisionEntry,
        Nomination,
        NominationEvent,
        Person,
        Unit,
    )
    from bench import dataset, report, scale_data
    from bench.config import scale_config_from_env

    config = scale_config_from_env()
    started, load_start = perf_counter(), report.load_average()
    db = report.database()
    _say(f"bench.scale_pages: {db}, {config.nominations:,} nominations")
    removed = scale_data.clean()
    _say("removed an earlier run's rows: " + ", ".join(f"{k} {v}" for k, v in removed.items()))
    dataset.load_reference_data()
    tables = (Nomination, NominationEvent, AwardRecord, Decision, DecisionEntry, Person, Unit)
    seeding, small_counts = [], {}
    for size in config.sizes:
        stats = scale_data.seed(size)
        seeding.append(stats)
        rate = stats["nominations"] / stats["seconds"] if stats["seconds"] else 0
        _say(
            f"seeded {stats['nominations']:,} nominations ({stats['events']:,} events, "
            f"{stats['records']:,} registry records, {stats['people']:,} people) in "
            f"{stats['seconds']:,.1f} s ({rate:,.0f} nominations/s)"
        )
        if dataset.analyze(tables, vacuum=True):
            _say("VACUUM (ANALYZE) of the seeded tables (PostgreSQL)")
        if size != config.sizes[-1]:
            _say(f"counting each page's queries at {size:,} nominations")
            for _page, timing in _count_rows(time_pages(requests=0, warmups=2)):
                small_counts[(timing.what, timing.user)] = (timing.queries, timing.rows)
    _say(f"timing pages: {config.requests} requests each after {config.warmups} warm-up(s)")
    timed = _count_rows(
        time_pages(requests=config.requests, warmups=config.warmups, budget_s=config.budget_s)
    )
    explained = {}
    for page, timing in timed:
        header = f"{db}; {config.nominations:,} nominations; {report.today()}"
        _path, flags = explain(
            page, timing, header=header, limit_s=config.budget_s, save=config.write_docs
        )
        if flags is not None:
            explained[(timing.what, timing.user)] = flags
    left = Counter(
        Nomination.objects.filter(campaign__code__in=scale_data.CAMPAIGN_CODES).values_list(
            "status", flat=True
        )
    )
    text = render(
        config=config,
        db=db,
        seeding=seeding,
        left=", ".join(f"{status} {count:,}" for status, count in sorted(left.items())),
        timed=timed,
        small_counts=small_counts,
        explained=explained,
        total_s=perf_counter() - started,
        load_start=load_start,
    )
    _say("")
    _say(text)
    if config.write_docs:
        key = f"{db.split()[0].lower()}-pages-{config.scale}"
        _say(f"\nresults written to {report.write_docs(text, key=key)}")
    if not config.keep:
        removed = scale_data.clean()
        _say(f"seeded rows removed in {removed['seconds']} s (BENCH_SCALE_KEEP=1 keeps them)")
    errors = [timing for _page, timing in timed if timing.status != "200"]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
