"""Every page the load issue names, at 50,000 nominations (the third part of `make bench`).

    .venv/bin/python -m bench.scale_pages                 # 50,000 nominations
    BENCH_SCALE=small .venv/bin/python -m bench.scale_pages   # 1,000 (CI smoke run)

Seeds nominations in bulk (bench.scale_data), then times, for a secretariat officer and a
unit officer, the inbox, the queue (the waiting nominations, longest waiting first: the
dashboard's "oldest waiting" list), the nomination list (plain, searched without
diacritics, filtered by unit), a nomination's page (one from the user's inbox with the
longest timeline), the dashboard, the registry (plain, searched) and the API's lists
(`/api/v1/nominations/` and the API inbox `/api/v1/tasks/`, first page, JSON, session
auth): K requests after warm-ups, median and 95th percentile, and the query count.

Query counts must not grow: at full size the pages' queries are counted at 1,000
nominations first, and every page is timed again with its user holding 2,000 guardian
object permissions (bench.permissions_load) instead of their two. On PostgreSQL each page's
main query (the one reading its rows or counts: the slowest SELECT from its main table that
is neither the paginator's COUNT nor the fetch of a page of ids) and the lists' COUNT get
an EXPLAIN (ANALYZE, BUFFERS); every other SELECT a plain EXPLAIN; sequential scans of the
big tables are reported per query, and with BENCH_DOCS=1 the plans go to docs/bench-explain/.

Parameters (environment): BENCH_SCALE=full|small, BENCH_SCALE_NOMINATIONS, BENCH_REQUESTS
(20; 5 small), BENCH_PERMS_REQUESTS (5; 1 small: the timed requests with 2,000 permissions,
after at most 2 warm-ups, 1 small), BENCH_WARMUPS (3; 2 small), BENCH_PAGE_BUDGET (30 s per
page and user, a sixth of it with 2,000 permissions: a slower page gets fewer requests, down
to one),
BENCH_DOCS=0|1 (1 for full), BENCH_SCALE_KEEP=0|1 (0: the seeded rows are removed at the end,
as they would weigh on bench.run's page figures).
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
NOMINATIONS, RECORDS = "approvals_nomination", "approvals_awardrecord"
SESSIONS, AGENDA = "approvals_councilsession", "approvals_agendaitem"
FLAGGED_TABLES = (
    NOMINATIONS,
    "approvals_nominationevent",
    RECORDS,
    "approvals_person",
    "viewflow_task",
)
# targets from the load issue, at 50,000 nominations on PostgreSQL
LIST_P95_MS, DASHBOARD_P95_MS, MAX_QUERIES = 100, 250, 12
PERMS = 2000  # object permissions held in the second timing of every page


@dataclass(frozen=True)
class Page:
    slug: str  # names its EXPLAIN file
    url_name: str
    table: str  # what its main query reads
    target_ms: float | None = LIST_P95_MS  # p95 target from the load issue
    query: tuple[tuple[str, str], ...] = ()
    unit_filter: bool = False  # adds the user's unit filter (USERS)
    api: bool = False  # asked for JSON
    detail: str = ""  # "nomination" or "session": the URL takes the user's one (`targets`)
    counts: bool = False  # its main query is the GROUP BY counting the most (the dashboard)

    def params(self, username: str) -> dict[str, str]:
        params = dict(self.query)
        if self.unit_filter:
            params["unit"] = USERS[username]
        return params

    def url(self, username: str, details: dict[tuple[str, str], int]) -> str:
        from django.urls import reverse

        args = [details[(self.detail, username)]] if self.detail else []
        query = urlencode(self.params(username))
        return (
            f"{reverse(self.url_name, args=args)}?{query}"
            if query
            else reverse(self.url_name, args=args)
        )

    def label(self, username: str) -> str:
        if self.api:
            return self.url("", {})
        query = urlencode(self.params(username))
        name = {
            "nomination": "nomination_detail (longest timeline)",
            "session": "session_detail (longest agenda)",
        }.get(self.detail, self.url_name)
        return f"{name}?{query}" if query else name


PAGES = (
    Page("nomination_inbox", "nomination_inbox", NOMINATIONS),
    # the queue: what waits anywhere in the user's scope, longest waiting first
    Page(
        "nomination_list-queue",
        "nomination_list",
        NOMINATIONS,
        query=(("status", "waiting"), ("order", "oldest")),
    ),
    Page("nomination_list", "nomination_list", NOMINATIONS),
    Page("nomination_list-q", "nomination_list", NOMINATIONS, query=(("q", SEARCH),)),
    Page("nomination_list-unit", "nomination_list", NOMINATIONS, unit_filter=True),
    Page(
        "nomination_detail", "nomination_detail", NOMINATIONS, target_ms=None, detail="nomination"
    ),
    # its counts: the one query grouping every visible nomination
    Page("dashboard", "dashboard", NOMINATIONS, target_ms=DASHBOARD_P95_MS, counts=True),
    Page("registry_list", "registry_list", RECORDS),
    Page("registry_list-q", "registry_list", RECORDS, query=(("q", SEARCH),)),
    Page("api_nominations", "api:nomination-list", NOMINATIONS, api=True),
    Page("api_tasks", "api:task-list", NOMINATIONS, api=True),
    # the council's side (bench.scale_sessions): its sessions, and the agenda of the largest
    Page("session_list", "session_list", SESSIONS),
    Page("session_detail", "session_detail", AGENDA, target_ms=None, detail="session"),
)


# --- what each page shows -------------------------------------------------------------


def targets(usernames, chosen: dict | None = None) -> dict[tuple[str, str], int]:
    """What the detail pages show, by (kind, username): the seeded nomination the user would
    open from their inbox with the longest timeline (any they may read if their inbox is
    empty), kept from `chosen` so that it is the same nomination at every size; and the
    seeded council session with the longest agenda they may see (none: the page is not
    timed for them), chosen again at each size as the seeding rewrites the sessions."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from approvals.selectors.nominations import inbox_for_user, nominations_for_user
    from approvals.selectors.voting import sessions_for_user
    from bench.scale_data import CAMPAIGN_CODES

    chosen = {key: pk for key, pk in (chosen or {}).items() if key[0] == "nomination"}
    for user in get_user_model().objects.filter(username__in=usernames):
        for nominations in (inbox_for_user(user), nominations_for_user(user)):
            if ("nomination", user.username) in chosen:
                break
            pk = (
                nominations.filter(campaign__code__in=CAMPAIGN_CODES)
                .select_related(None)
                .annotate(events_count=Count("events"))
                .order_by("-events_count", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if pk is not None:
                chosen[("nomination", user.username)] = pk
        session = (
            sessions_for_user(user)
            .filter(items__nomination__campaign__code__in=CAMPAIGN_CODES)
            .select_related(None)
            .annotate(items_count=Count("items", distinct=True))
            .order_by("-items_count", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if session is not None:
            chosen[("session", user.username)] = session
    missing = {user for user in usernames if ("nomination", user) not in chosen}
    if missing:
        raise SystemExit(f"bench.scale_pages: no seeded nomination visible to {missing}")
    return chosen


def _rows(page: Page, user, details: dict[tuple[str, str], int]) -> int:
    """How many nominations (registry records, timeline events, sessions, agenda items) the
    page lists or counts."""
    from approvals.models import AgendaItem, NominationEvent
    from approvals.selectors.nominations import inbox_for_user, nominations_filtered
    from approvals.selectors.registry import registry_search
    from approvals.selectors.voting import sessions_for_user

    if page.detail == "nomination":
        pk = details[("nomination", user.username)]
        return NominationEvent.objects.filter(nomination_id=pk).count()
    if page.detail == "session":
        return AgendaItem.objects.filter(session_id=details[("session", user.username)]).count()
    if page.table == SESSIONS:
        return sessions_for_user(user).count()
    if page.table == RECORDS:
        return registry_search(user, page.params(user.username)).count()
    if page.url_name in ("nomination_inbox", "api:task-list"):
        return inbox_for_user(user).count()
    return nominations_filtered(user, page.params(user.username)).count()


def _count_rows(timed: list, details: dict[tuple[str, str], int]) -> list:
    from django.contrib.auth import get_user_model

    users = {user.username: user for user in get_user_model().objects.filter(username__in=USERS)}
    for page, timing in timed:
        timing.rows = _rows(page, users[timing.user], details)
    return timed


def time_pages(
    details: dict[tuple[str, str], int],
    *,
    requests: int,
    warmups: int,
    budget_s: float | None = None,
) -> list[tuple[Page, object]]:
    """Every page for every user: (page, Timing); requests=0 only counts the queries."""
    from bench.pages import Timing, client_for, time_get

    timed = []
    for username in USERS:
        client, api = client_for(username), client_for(username)
        api.defaults["HTTP_ACCEPT"] = "application/json"  # not the browsable API's HTML
        for page in PAGES:
            if page.detail and (page.detail, username) not in details:
                continue  # nothing of that kind for this user to open
            timing = Timing(what=page.label(username), user=username)
            time_get(
                timing,
                api if page.api else client,
                page.url(username, details),
                requests=requests,
                warmups=warmups,
                budget_s=budget_s,
            )
            timed.append((page, timing))
            if requests:
                _say(f"  {timing.what} ({username}): median {timing.median_ms or 0:,.1f} ms")
    return timed


# --- EXPLAIN --------------------------------------------------------------------------


def _flags(plan: str) -> list[str]:
    return [
        f"Seq Scan on {table}"
        for table in FLAGGED_TABLES
        if re.search(rf"Seq Scan on {table}\b", plan)
    ]


def top_table(sql: str) -> str | None:
    """The table the statement's outermost FROM reads (not a subquery's)."""
    depth, quoted, upper = 0, False, sql.upper()
    for index, char in enumerate(sql):
        if quoted:
            quoted = char != "'"
        elif char == "'":
            quoted = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and upper.startswith(" FROM ", index):
            found = re.match(r'\s*"?(\w+)"?', sql[index + 6 :])
            return found.group(1) if found else None
    return None


def _is_select(sql: str) -> bool:
    return sql.lstrip(" (").upper().startswith("SELECT")


def _is_count(sql: str) -> bool:
    return bool(re.match(r'\s*SELECT COUNT\(\*\) AS "__count"', sql, re.IGNORECASE))


def _by_ids(sql: str, table: str) -> bool:
    """Fetching a page of rows already chosen by primary key (in_bulk)."""
    return bool(re.search(rf'WHERE "{table}"\."id" IN \(', sql))


def main_queries(page: Page, timing) -> tuple[int | None, int | None]:
    """Indexes in timing.sql of the page's main query and of its paginator COUNT (or None).

    The main query is the slowest SELECT whose outermost FROM is the page's table, leaving
    out the paginator's COUNT and a fetch by ids (for the dashboard: the GROUP BY with the
    most COUNTs); None when the page read nothing from its table.
    """
    selects = [
        (seconds, index, sql)
        for index, (seconds, sql) in enumerate(zip(timing.sql_seconds, timing.sql, strict=True))
        if _is_select(sql)
    ]
    own = [item for item in selects if top_table(item[2]) == page.table]
    counts = [item for item in own if _is_count(item[2])]
    rows = [item for item in own if not _is_count(item[2]) and not _by_ids(item[2], page.table)]
    if page.counts:  # the query computing the most figures, whatever its time
        grouped = [item for item in rows if "GROUP BY" in item[2].upper()]
        rows = [max(grouped or rows, key=lambda item: (item[2].upper().count("COUNT("), item[0]))]
    main = max(rows or own, default=None)  # none: the page read nothing of its table
    count = max(counts, default=None)
    return (main[1] if main else None), (count[1] if count else None)


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


def _timing_ms(plan: str) -> tuple[float, float] | None:
    """(planning, execution) ms of an EXPLAIN ANALYZE: planning ten joins can cost more than
    running the query, and the page pays both."""
    found = [re.search(rf"{kind} Time: ([\d.]+) ms", plan) for kind in ("Planning", "Execution")]
    return (float(found[0].group(1)), float(found[1].group(1))) if all(found) else None


def _ms_text(times: tuple[float, float] | None) -> str:
    return "not analyzed" if times is None else f"plan {times[0]:,.1f} + run {times[1]:,.1f} ms"


def _short(sql: str, size: int = 140) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= size else text[:size] + "…"


@dataclass
class Explained:
    """What the EXPLAINs of one page (for one user) found."""

    main: int | None  # 0-based index of the main query in the page's SQL
    main_ms: tuple[float, float] | None  # its planning and execution under EXPLAIN ANALYZE
    main_flags: list[str]
    count: int | None
    count_ms: tuple[float, float] | None
    count_flags: list[str]
    others: list[tuple[int, list[str], str]]  # (index, flags, shortened SQL): flagged only

    @property
    def seq_scans(self) -> bool:
        return bool(self.main_flags or self.count_flags or self.others)


def explain(
    page: Page, timing, *, header: str, limit_s: float, save: bool, suffix: str = ""
) -> Explained | None:
    """PostgreSQL: EXPLAIN (ANALYZE, BUFFERS) of the page's main query and paginator COUNT,
    plain EXPLAIN of its other SELECTs; saved under docs/bench-explain/ when `save`."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "postgresql" or not timing.sql:
        return None
    main, count = main_queries(page, timing)
    if main is None:
        return None
    kind, plan = _analyzed(timing.sql[main], limit_s)
    count_plan = _analyzed(timing.sql[count], limit_s)[1] if count is not None else ""
    slowest = timing.sql.index(timing.slowest_sql("SELECT")[1])
    slowest_plan = (
        _analyzed(timing.sql[slowest], limit_s)[1] if slowest not in (main, count) else ""
    )
    others, listing = [], []
    with connection.cursor() as cursor:
        for index, sql in enumerate(timing.sql):
            if index in (main, count) or not _is_select(sql):
                continue
            flags = _flags(_explain(cursor, sql, analyze=False))
            if flags:
                others.append((index, flags, _short(sql)))
            ms_then = timing.sql_seconds[index] * 1000
            listing.append(
                f"- #{index + 1}, {ms_then:.0f} ms: {', '.join(flags) or 'no flagged scan'} — "
                f"{_short(sql, 160)}"
            )
    found = Explained(
        main,
        _timing_ms(plan),
        _flags(plan),
        count,
        _timing_ms(count_plan),
        _flags(count_plan),
        others,
    )
    if save:
        directory = Path(settings.BASE_DIR) / "docs" / "bench-explain"
        directory.mkdir(parents=True, exist_ok=True)
        lines = [
            f"{timing.what} as {timing.user}{suffix}: query #{main + 1} of {timing.queries}, "
            f"the main query (reads {page.table}; {timing.sql_seconds[main] * 1000:,.0f} ms "
            "when the page ran it)",
            header,
            "Flagged: " + (", ".join(found.main_flags) or "none"),
            "",
            "Query:",
            timing.sql[main],
            "",
            f"{kind}:",
            plan,
        ]
        if slowest_plan:
            lines += [
                "",
                f"The page's slowest query, #{slowest + 1} "
                f"({timing.sql_seconds[slowest] * 1000:,.0f} ms when the page ran it):",
                timing.sql[slowest],
                "",
                slowest_plan,
            ]
        if count is not None:
            lines += [
                "",
                f"The paginator's COUNT, query #{count + 1}; flagged: "
                + (", ".join(found.count_flags) or "none"),
                timing.sql[count],
                "",
                count_plan,
            ]
        lines += [
            "",
            "The page's other SELECTs (time when the page ran them; flags from plain EXPLAIN):",
            *listing,
            "",
        ]
        name = f"{page.slug}-{timing.user}{suffix.replace(' ', '-')}.txt"
        (directory / name).write_text("\n".join(lines), encoding="utf-8")
    return found


# --- the report -----------------------------------------------------------------------


def _over_target(page: Page, timing) -> bool:
    return (
        page.target_ms is not None and timing.p95_ms is not None and timing.p95_ms > page.target_ms
    )


def _queries(count) -> str:
    if count is None:
        return "—"
    return f"{count} ⚠" if count > MAX_QUERIES else str(count)


def _p95(page: Page, timing) -> str:
    from bench.report import ms

    return ms(timing.p95_ms) + (" ⚠" if _over_target(page, timing) else "")


def _table(*, config, timed, loaded, small_counts) -> str:
    from bench.report import ms, table

    full, small = f"{config.nominations:,}", f"{config.sizes[0]:,}"
    perms = f"{PERMS:,} perms"
    headers = ["page", "user", "status", "rows", "n", "median ms", "p95 ms", "main SQL ms"]
    headers += [f"queries at {small}"] if small_counts else []
    headers += [
        f"queries at {full}" if small_counts else "queries",
        f"median ms, {perms}",
        f"p95 ms, {perms}",
        f"queries with {perms}",
    ]
    rows = []
    for page, timing in timed:
        other = loaded.get((page.slug, timing.user))
        main, _count = main_queries(page, timing) if timing.sql else (None, None)
        row = [
            timing.what,
            timing.user,
            timing.status.split(" (", 1)[0],
            "—" if timing.rows is None else f"{timing.rows:,}",
            len(timing.durations),
            ms(timing.median_ms),
            _p95(page, timing),
            ms(timing.sql_seconds[main] * 1000 if main is not None else None),
        ]
        if small_counts:
            row.append(_queries(small_counts.get((page.slug, timing.user), (None,))[0]))
        row.append(_queries(timing.queries))
        if other is None:
            row += ["—", "—", "—"]
        else:
            differs = " ≠" if other.queries != timing.queries else ""
            row += [ms(other.median_ms), _p95(page, other), _queries(other.queries) + differs]
        rows.append(row)
    return table(headers, rows)


def _size_notes(timed, small_counts, small: str, full: str) -> list[str]:
    grew, empty = [], []
    for page, timing in timed:
        queries, rows_then = small_counts.get((page.slug, timing.user), (None, None))
        if queries != timing.queries:
            # a page with nothing to list skips the query for the rows
            note = (
                f"{timing.what} ({timing.user}): {queries} at {small}, {timing.queries} at {full}"
            )
            (empty if 0 in (rows_then, timing.rows) else grew).append(note)
    lines = []
    if grew:
        lines.append("**Query counts differ between the sizes:** " + "; ".join(grew))
    else:
        same = f"Query counts are the same at {small} and {full} nominations"
        if empty:
            same += (
                ", except where a list was empty at one size and so skipped the query for its "
                "rows: " + "; ".join(empty)
            )
        lines.append(same + ".")
    if grew and empty:
        lines.append("Lists empty at one size (no query for their rows): " + "; ".join(empty))
    return lines


def _perm_notes(timed, loaded) -> list[str]:
    differ, rows_differ = [], []
    for page, timing in timed:
        other = loaded.get((page.slug, timing.user))
        if other is None:
            continue
        if other.queries != timing.queries:
            differ.append(f"{timing.what} ({timing.user}): {timing.queries} → {other.queries}")
        if other.rows != timing.rows:
            rows_differ.append(f"{timing.what} ({timing.user}): {timing.rows} → {other.rows}")
    if not loaded:
        return []
    if differ:
        lines = [f"**Query counts change with {PERMS:,} permissions:** " + "; ".join(differ)]
    else:
        lines = [f"Query counts are the same with 2 and with {PERMS:,} object permissions held."]
    if rows_differ:
        lines.append("Rows differ with the extra permissions: " + "; ".join(rows_differ))
    return lines


def _slower_notes(timed, loaded, factor: float = 1.5) -> list[str]:
    """Where the time goes on pages that got `factor` times slower with the permissions: the
    SQL's share of one request (the last warm-up) and its slowest query."""
    lines = []
    for _page, timing in timed:
        other = loaded.get((_page.slug, timing.user))
        if not (other and other.median_ms and timing.median_ms and other.sql):
            continue
        if other.median_ms < factor * timing.median_ms:
            continue
        seconds, sql = other.slowest_sql()
        lines.append(
            f"- {timing.what} ({timing.user}): median {timing.median_ms:,.0f} → "
            f"{other.median_ms:,.0f} ms; SQL {sum(timing.sql_seconds) * 1000:,.0f} → "
            f"{sum(other.sql_seconds) * 1000:,.0f} ms of a request; slowest "
            f"#{other.sql.index(sql) + 1}, {seconds * 1000:,.0f} ms: {_short(sql, 110)}"
        )
    if lines:
        lines.insert(0, f"Pages {factor}× slower or more with {PERMS:,} permissions:")
    return lines


def _scans(found: Explained) -> list[str]:
    """The flagged scans, by query: main, COUNT, and the others' numbers."""
    scans = [f"main: {flag}" for flag in found.main_flags]
    scans += [f"COUNT: {flag}" for flag in found.count_flags]
    return scans + [f"#{index + 1}: {', '.join(flags)}" for index, flags, _sql in found.others]


def _explain_notes(timed, explained, loaded_explained) -> list[str]:
    lines = []
    for page, timing in timed:
        found = explained.get((page.slug, timing.user))
        if found is None:
            continue
        main = f"main #{found.main + 1} ({_ms_text(found.main_ms)}): " + (
            ", ".join(found.main_flags) or "no seq scan"
        )
        parts = [main]
        if found.count is not None:
            parts.append(
                f"COUNT #{found.count + 1} ({_ms_text(found.count_ms)}): "
                + (", ".join(found.count_flags) or "no seq scan")
            )
        parts += [f"#{index + 1}: {', '.join(flags)} ({sql})" for index, flags, sql in found.others]
        other = loaded_explained.get((page.slug, timing.user))
        if other is not None and _scans(other) != _scans(found):
            parts.append(f"with {PERMS:,} perms: " + ("; ".join(_scans(other)) or "no seq scan"))
        mark = "⚠ " if found.seq_scans or (other and other.seq_scans) else ""
        lines.append(f"- {mark}{timing.what} ({timing.user}): " + "; ".join(parts))
    return lines


def render(
    *,
    config,
    db,
    seeding,
    left,
    timed,
    loaded,
    small_counts,
    explained,
    loaded_explained,
    total_s,
    load_start,
) -> str:
    from bench.report import load_text, machine, today

    full, small = f"{config.nominations:,}", f"{config.sizes[0]:,}"
    seeded = ", ".join(
        f"{stats['nominations']:,} in {stats['seconds']:,.1f} s" for stats in seeding
    )
    written = Counter()
    for stats in seeding:
        written.update({k: v for k, v in stats.items() if k in ("events", "records", "decisions")})
        written["people"] += stats.get("people", 0)
    lines = [
        f"### Pages at {full} nominations, {db.split(' (')[0]}",
        "",
        "`python -m bench.scale_pages`, the third part of `make bench`: nominations written in "
        "bulk in realistic states (bench/scale_data.py), then each page timed with "
        "django.test.Client as a secretariat officer (tth.canbo) and a unit officer "
        f"(canbo.f3), first with their own role (2 object permissions), then holding {PERMS:,} "
        "(bench/permissions_load.py). On PostgreSQL the EXPLAIN (ANALYZE, BUFFERS) of each "
        "page's main query is in docs/bench-explain/.",
        "",
        f"- Date: {today()}; total run {total_s:,.0f} s",
        f"- Machine: {machine()}{load_text(load_start)}",
        f"- Database: {db}",
        f"- Parameters: {full} nominations ({config.scale}), K={config.requests} "
        f"after {config.warmups} warm-up(s) ({perms_requests(config)} after "
        f"{perms_warmups(config)} with {PERMS:,} permissions); "
        f"unit filter qk1 (tth.canbo), f3-e1 (canbo.f3); search “{SEARCH}”",
        f"- Seeded in bulk (bench.scale_data): {seeded}; with {written['events']:,} events, "
        f"{written['decisions']:,} decisions, {written['records']:,} registry records, "
        f"{written['people']:,} people; left {left}",
        "",
        _table(config=config, timed=timed, loaded=loaded, small_counts=small_counts),
        "",
        "Rows: what the page lists or counts for that user (a nomination's page: its timeline "
        "events; a session's page, shown to the secretariat only: its agenda items); n: timed "
        "requests (fewer than K when a page used up its "
        f"{config.budget_s:.0f} s budget). Main SQL: the page's main query (see below) in the "
        "last warm-up. ⚠ on p95: over the load issue's targets for 50,000 nominations "
        f"(inbox, queue and lists {LIST_P95_MS} ms, dashboard {DASHBOARD_P95_MS} ms); ⚠ on "
        f"queries: over {MAX_QUERIES}; ≠: the count changed with {PERMS:,} permissions.",
    ]
    if small_counts:
        lines += ["", *_size_notes(timed, small_counts, small, full)]
    lines += ["", *_perm_notes(timed, loaded), *_slower_notes(timed, loaded)]
    if explained:
        lines += [
            "",
            "EXPLAIN of each page's main query (reading its rows, or the dashboard's counts) "
            "and the lists' paginator COUNT, with ANALYZE; plain EXPLAIN of its other SELECTs. "
            f"Sequential scans of {', '.join(FLAGGED_TABLES)}:",
            *_explain_notes(timed, explained, loaded_explained),
        ]
    return "\n".join(lines)


def perms_requests(config) -> int:
    from bench.config import _int

    return _int("BENCH_PERMS_REQUESTS", 1 if config.scale == "small" else 5, minimum=1)


def perms_warmups(config) -> int:
    return 1 if config.scale == "small" else min(config.warmups, 2)


def with_permissions(details, *, config) -> tuple[dict, dict[str, int]]:
    """Every page again, its user holding PERMS object permissions: {(slug, user): Timing}."""
    from django.contrib.auth import get_user_model

    from approvals.models import RoleAssignment, Unit, UnitUserObjectPermission
    from bench import dataset, permissions_load

    held = {}
    for user in get_user_model().objects.filter(username__in=USERS):
        permissions_load.grant(user, PERMS)
        held[user.username] = permissions_load.held(user)
    dataset.analyze((Unit, RoleAssignment, UnitUserObjectPermission))
    _say(
        "timing pages again with "
        + ", ".join(f"{user} holding {count:,} object permissions" for user, count in held.items())
    )
    timed = _count_rows(
        time_pages(
            details,
            requests=perms_requests(config),
            warmups=perms_warmups(config),
            budget_s=config.budget_s / 6,
        ),
        details,
    )
    return {(page.slug, timing.user): timing for page, timing in timed}, held


def _loaded(timed, details, *, config, header) -> tuple[dict, dict]:
    """The pages timed and explained with their users holding PERMS permissions."""
    loaded, _held = with_permissions(details, config=config)
    loaded_explained = {}
    for page, timing in timed:
        other = loaded.get((page.slug, timing.user))
        if other is None:
            continue
        found = explain(
            page,
            other,
            header=header + f"; the user holding {PERMS:,} object permissions",
            limit_s=config.budget_s,
            save=config.write_docs,
            suffix=f" {PERMS}perms",
        )
        if found is not None:
            loaded_explained[(page.slug, timing.user)] = found
    return loaded, loaded_explained


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
    from bench import dataset, permissions_load, report, scale_data
    from bench.config import scale_config_from_env

    config = scale_config_from_env()
    started, load_start, db = report.begin(f"bench.scale_pages, {config.nominations:,}")
    # the permission units first: seeding would put people in them
    units_removed = permissions_load.clean()
    removed = scale_data.clean()
    _say(
        "removed an earlier run's rows: "
        + ", ".join(f"{k} {v}" for k, v in removed.items())
        + f", permission units {units_removed}"
    )
    dataset.load_reference_data()
    tables = (Nomination, NominationEvent, AwardRecord, Decision, DecisionEntry, Person, Unit)
    seeding, small_counts, details = [], {}, {}
    for size in config.sizes:
        stats = scale_data.seed(size)
        seeding.append(stats)
        rate = stats["nominations"] / stats["seconds"] if stats["seconds"] else 0
        _say(
            f"seeded {stats['nominations']:,} nominations ({stats.get('events', 0):,} events, "
            f"{stats.get('records', 0):,} registry records, {stats.get('people', 0):,} people) in "
            f"{stats['seconds']:,.1f} s ({rate:,.0f} nominations/s)"
        )
        if dataset.analyze(tables, vacuum=True):
            _say("VACUUM (ANALYZE) of the seeded tables (PostgreSQL)")
        details = targets(USERS, details)
        if size != config.sizes[-1]:
            _say(f"counting each page's queries at {size:,} nominations")
            for page, timing in _count_rows(time_pages(details, requests=0, warmups=2), details):
                small_counts[(page.slug, timing.user)] = (timing.queries, timing.rows)
    _say("detail pages timed: " + ", ".join(f"{k} {u} #{pk}" for (k, u), pk in details.items()))
    # the units the extra permissions are held on exist in both timings: only the roles differ
    permissions_load.units(PERMS // 2)
    dataset.analyze((Unit,))
    _say(f"timing pages: {config.requests} requests each after {config.warmups} warm-up(s)")
    phase = perf_counter()
    timed = _count_rows(
        time_pages(
            details, requests=config.requests, warmups=config.warmups, budget_s=config.budget_s
        ),
        details,
    )
    _say(f"pages timed in {perf_counter() - phase:,.0f} s")
    phase = perf_counter()
    header = f"{db}; {config.nominations:,} nominations; {report.today()}"
    explained = {}
    for page, timing in timed:
        found = explain(
            page, timing, header=header, limit_s=config.budget_s, save=config.write_docs
        )
        if found is not None:
            explained[(page.slug, timing.user)] = found
    _say(f"EXPLAINs in {perf_counter() - phase:,.0f} s")
    phase = perf_counter()
    try:
        loaded, loaded_explained = _loaded(timed, details, config=config, header=header)
    finally:
        _say(f"permission units removed: {permissions_load.clean()}")
    _say(f"with {PERMS:,} permissions, timed and explained in {perf_counter() - phase:,.0f} s")
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
        loaded=loaded,
        small_counts=small_counts,
        explained=explained,
        loaded_explained=loaded_explained,
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
    timings = [timing for _page, timing in timed] + list(loaded.values())
    errors = [timing for timing in timings if timing.status != "200"]
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
