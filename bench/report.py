"""The results table (printed, and kept in docs/benchmarks.md) and what it ran on."""

import datetime
import os
import platform
import re
import sqlite3
import statistics
from pathlib import Path
from time import perf_counter

from django.conf import settings
from django.db import connection

from bench.pages import percentile

DOCS = Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
RESULTS_HEADING = "## Results"


def _first_line(path: str, prefix: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def machine() -> str:
    cpu = _first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU"
    memory = _first_line("/proc/meminfo", "MemTotal")
    if memory.endswith("kB"):
        memory = f"{int(memory.split()[0]) / 1024 / 1024:.1f} GiB RAM"
    parts = [f"{os.cpu_count()} CPUs ({cpu})", memory, platform.platform()]
    parts.append(f"Python {platform.python_version()}")
    return ", ".join(part for part in parts if part)


def database() -> str:
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        return f"PostgreSQL {version} (database {connection.settings_dict['NAME']})"
    if vendor == "sqlite":
        name = Path(str(connection.settings_dict["NAME"])).name
        return f"SQLite {sqlite3.sqlite_version} ({name}, WAL, IMMEDIATE transactions)"
    return vendor


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A Markdown table, padded so that it also reads well in a terminal."""
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[col]) for row in cells) for col in range(len(headers))]
    numeric = [
        all(re.fullmatch(r"[-\d.,]+", row[col]) or row[col] in ("", "—") for row in cells[1:])
        for col in range(len(headers))
    ]

    def line(row: list[str]) -> str:
        padded = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, right in zip(row, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join("-" * width for width in widths) + " |"
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def service_rows(results) -> list[list[object]]:
    rows = []
    for result in results:
        durations = result.durations
        rows.append(
            [
                result.name,
                f"{result.calls:,}",
                f"{result.wall:,.1f}",
                f"{result.calls / result.wall:,.1f}" if result.wall else "—",
                ms(statistics.median(durations) * 1000 if durations else None),
                ms(percentile(durations, 95) * 1000 if durations else None),
                f"{result.queries / result.calls:,.1f}" if result.calls else "—",
                len(result.errors),
            ]
        )
    return rows


SERVICE_HEADERS = [
    "service calls",
    "calls",
    "wall s",
    "per second",
    "median ms",
    "p95 ms",
    "queries/call",
    "errors",
]
TIMING_HEADERS = ["what", "user", "status", "rows", "median ms", "p95 ms", "queries"]


def timing_rows(timings) -> list[list[object]]:
    return [
        [
            timing.what,
            timing.user,
            timing.status.split(" (", 1)[0],
            "—" if timing.rows is None else timing.rows,
            ms(timing.median_ms),
            ms(timing.p95_ms),
            "—" if timing.queries is None or not timing.durations else timing.queries,
        ]
        for timing in timings
    ]


def _notes(timings) -> list[str]:
    """The full reason behind each shortened status ("page not available yet (...)")."""
    notes = []
    for timing in timings:
        if " (" in timing.status:
            note = f"- {timing.what}: {timing.status}"
            if note not in notes:
                notes.append(note)
    return notes


def begin(title: str) -> tuple[float, float | None, str]:
    """A part's start: its clock, the load average and the database, announced."""
    started, load_start = perf_counter(), load_average()
    db = database()
    print(f"{title}: {db}", flush=True)
    return started, load_start, db


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def today() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")


def load_text(load_start: float | None) -> str:
    """The load average at the start and now: the machine may be shared, and other work
    there slows the bench down."""
    load_end = load_average()
    if load_start is None or load_end is None:
        return ""
    return f"; load average (1 min) {load_start:.2f} at the start, {load_end:.2f} at the end"


def render(
    *, config, db: str, setup: dict, services, pages, selectors, total_s: float, load_start
) -> str:
    lines = [
        f"### {db.split(' (')[0]}, N={config.nominations:,} ({config.scale})",
        "",
        f"- Date: {today()}; total run {total_s:,.0f} s",
        f"- Machine: {machine()}{load_text(load_start)}",
        f"- Database: {db}",
        f"- Parameters: N={config.nominations:,}, workers {config.workers}, "
        f"bk-bqp {config.bk_count:,}, in flight {config.in_flight_count:,} giay-khen + "
        f"{config.bk_in_flight_count:,} bk-bqp, K={config.requests} after "
        f"{config.warmups} warm-up(s)",
    ]
    if setup:
        lines.append("- Setup: " + ", ".join(f"{key} {value}" for key, value in setup.items()))
    if services:
        lines += ["", table(SERVICE_HEADERS, service_rows(services))]
    lines += ["", table(TIMING_HEADERS, timing_rows(pages))]
    notes = _notes(pages)
    if notes:
        lines += ["", *notes]
    lines += [
        "",
        "Selectors alone (the main query, first 50 rows; `inbox_counts` rows = inbox total):",
        "",
        table(TIMING_HEADERS, timing_rows(selectors)),
    ]
    return "\n".join(lines)


def write_docs(text: str, *, key: str) -> Path:
    """Replace this key's results block in docs/benchmarks.md, or add it under Results.

    A new block goes at the end of the Results section (before the next `## ` heading), so
    that other sections of the file stay where they are.
    """
    start, end = f"<!-- bench-results {key} -->", f"<!-- /bench-results {key} -->"
    block = f"{start}\n{text}\n{end}"
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        updated = before + block + rest.split(end, 1)[1]
    else:
        if RESULTS_HEADING not in current:
            current = current.rstrip("\n") + f"\n\n{RESULTS_HEADING}\n"
        heading = current.index(RESULTS_HEADING)
        following = current.find("\n## ", heading + len(RESULTS_HEADING))
        if following == -1:
            updated = current.rstrip("\n") + f"\n\n{block}\n"
        else:
            section = current[:following].rstrip("\n")
            updated = f"{section}\n\n{block}\n{current[following:]}"
    DOCS.write_text(updated, encoding="utf-8")
    return DOCS
