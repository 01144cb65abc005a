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

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.durations) * 1000 if self.durations else None

    @property
    def p95_ms(self) -> float | None:
        return percentile(self.durations, 95) * 1000 if self.durations else None


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


def _measure(timing: Timing, run: Callable[[], object], *, requests: int, warmups: int):
    for _ in range(warmups):
        with CaptureQueriesContext(connection) as captured:
            outcome = run()
    timing.queries = len(captured.captured_queries)
    timing.sql = [query["sql"] for query in captured.captured_queries]
    for _ in range(requests):
        start = perf_counter()
        run()
        timing.durations.append(perf_counter() - start)
    return outcome


def time_pages(*, detail_id: int, requests: int, warmups: int) -> list[Timing]:
    User = get_user_model()
    timings = []
    for username in PAGE_USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for name in PAGES:
            timing = Timing(what=name, user=username)
            timings.append(timing)
            url, why_not = _url(name, detail_id)
            if url is None:
                timing.status = why_not
                continue
            try:
                response = _measure(
                    timing, partial(client.get, url), requests=requests, warmups=warmups
                )
            except Exception as exc:  # a page under construction must not stop the bench
                timing.status = f"error ({type(exc).__name__}: {exc})"
                timing.durations.clear()
                continue
            timing.status = str(response.status_code)
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
            result = _measure(timing, partial(select, user), requests=requests, warmups=warmups)
            timing.rows = result["total"] if isinstance(result, dict) else len(result)
            timing.status = "ok"
            timings.append(timing)
    return timings
