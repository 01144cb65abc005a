"""Page and selector timings: K requests after warm-ups, median and p95, query counts.

Pages go through django.test.Client (middleware, session, templates: everything but the
network and the WSGI server). The query count is that of the last warm-up, captured with
CaptureQueriesContext; the timed requests run without capturing, so capturing costs nothing
in the times. The captured SQL is kept on the result for later use (EXPLAIN of the main
query).
"""

import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from time import perf_counter

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from approvals.selectors.nominations import inbox_counts, inbox_for_user, nominations_for_user

PAGE_USERS = ("chihuy.f3", "canbo.f3", "tth.canbo")
PAGES = ("nomination_inbox", "nomination_list", "nomination_detail")
NOT_AVAILABLE = "page not available yet"


@dataclass
class Timing:
    what: str
    user: str
    durations: list[float] = field(default_factory=list)
    queries: int | None = None
    status: str = ""
    rows: int | None = None
    sql: list[str] = field(default_factory=list)
    sql_seconds: list[float] = field(default_factory=list)  # of each query in `sql`

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.durations) * 1000 if self.durations else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.durations, 95) * 1000 if self.durations else None

    def slowest_sql(self, prefix: str = "") -> tuple[float, str] | None:
        """The slowest captured query (of those starting with `prefix`) and its time in seconds."""
        timed = [
            (seconds, sql)
            for seconds, sql in zip(self.sql_seconds, self.sql, strict=True)
            if sql.lstrip(" (").upper().startswith(prefix.upper())
        ]
        return max(timed, key=lambda pair: pair[0], default=None)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _url(name: str, nomination_id: int | None) -> tuple[str | None, str]:
    """The page's URL, or None and why not (the views and URLconf are still being written)."""
    try:
        if name == "nomination_detail":
            return reverse(name, args=[nomination_id]), ""
        return reverse(name), ""
    except NoReverseMatch:
        return None, NOT_AVAILABLE
    except Exception as exc:  # a URLconf that does not import yet must not stop the bench
        return None, f"{NOT_AVAILABLE} ({type(exc).__name__}: {exc})"


def measure(
    timing: Timing,
    run: Callable[[], object],
    *,
    requests: int,
    warmups: int,
    budget_s: float | None = None,
):
    """Run `run` warmups + requests times; the last warm-up's queries, the requests' times.

    With `budget_s`, a slow target stops early once that many seconds are spent: fewer
    warm-ups, fewer timed requests, and if even the warm-ups overran it, the last warm-up
    as the only timing (so that one slow page cannot hold the whole run up).
    """
    deadline = perf_counter() + budget_s if budget_s else None
    for _ in range(warmups):
        with CaptureQueriesContext(connection) as captured:
            start = perf_counter()
            outcome = run()
            warm = perf_counter() - start
        if deadline and perf_counter() > deadline:
            break
    timing.queries = len(captured.captured_queries)
    timing.sql = [query["sql"] for query in captured.captured_queries]
    timing.sql_seconds = [float(query["time"]) for query in captured.captured_queries]
    for _ in range(requests):
        if deadline and perf_counter() > deadline:
            if not timing.durations:
                timing.durations.append(warm)
            break
        start = perf_counter()
        run()
        timing.durations.append(perf_counter() - start)
    return outcome


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def time_get(
    timing: Timing,
    client: Client,
    url: str,
    *,
    requests: int,
    warmups: int,
    budget_s: float | None = None,
) -> Timing:
    """Time GET `url`; the response's status, or the error, goes into `timing.status`."""
    try:
        response = measure(
            timing,
            partial(client.get, url),
            requests=requests,
            warmups=warmups,
            budget_s=budget_s,
        )
    except Exception as exc:  # a page under construction must not stop the bench
        timing.status = f"error ({type(exc).__name__}: {exc})"
        timing.durations.clear()
        return timing
    timing.status = str(response.status_code)
    return timing


def time_pages(*, detail_id: int, requests: int, warmups: int) -> list[Timing]:
    timings = []
    for username in PAGE_USERS:
        client = client_for(username)
        for name in PAGES:
            timing = Timing(what=name, user=username)
            timings.append(timing)
            url, why_not = _url(name, detail_id)
            if url is None:
                timing.status = why_not
                continue
            time_get(timing, client, url, requests=requests, warmups=warmups)
    return timings


SELECTORS = {
    "inbox_for_user[:50]": lambda user: list(inbox_for_user(user)[:50]),
    "nominations_for_user[:50]": lambda user: list(nominations_for_user(user)[:50]),
    "inbox_counts": lambda user: inbox_counts(user),
}


def time_selectors(*, requests: int, warmups: int) -> list[Timing]:
    """The pages' main queries alone (the user's scope resolved once, as in a request)."""
    User = get_user_model()
    timings = []
    for username in PAGE_USERS:
        user = User.objects.get(username=username)
        for name, select in SELECTORS.items():
            timing = Timing(what=name, user=username)
            result = measure(timing, partial(select, user), requests=requests, warmups=warmups)
            timing.rows = result["total"] if isinstance(result, dict) else len(result)
            timing.status = "ok"
            timings.append(timing)
    return timings
