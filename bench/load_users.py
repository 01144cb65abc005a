"""Simulated users of bench.load: threads, each a `requests.Session` signed in as a demo user.

A user signs in through the real login page (the CSRF token read from the form), then
repeats, until the time is up, an action picked by weight for its role, with a random
think time in between. An action is one to a few HTTP requests, each timed on its own under
a kind ("inbox", "create: post", ...). The client plays the TLS-terminating proxy a
production host would have in front of gunicorn: it sends `X-Forwarded-Proto: https` and an
https `Referer` (Django's CSRF check for secure requests wants one) and sends the secure
cookies over loopback http.

An error is a 5xx, a connection error, a timeout or an answer no user would expect (a 403
on a page of their own, a login that fails). A write that the product refuses with its
message (someone else moved the nomination on first, a duplicate nomination, a missing
document) is counted as refused, not as an error.

Locust would do the same but pulls in gevent (it monkey-patches the standard library);
threads with requests are enough for 20 users on loopback.
"""

import random
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape

import requests

from approvals.demo.data import DEMO_PASSWORD as PASSWORD

TIMEOUT = 30  # seconds; a request slower than this is an error
DECISION_STAGE = "Quyết định khen thưởng"  # the stage's label in the inbox (StageKind)
MARKER = "(bench.load)"  # in the achievements of the drafts it creates: removed afterwards
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# 20 users: (username, role); unit officers and commanders of several units, the bloc's
# officer, the Ministry's secretariat and council members
ROSTER = [
    ("canbo.f3", "officer"),
    ("canbo.f3", "officer"),
    ("canbo.f3", "officer"),
    ("canbo.qk1", "officer"),
    ("canbo.qk1", "officer"),
    ("canbo.qk3", "officer"),
    ("canbo.qk3", "officer"),
    ("chihuy.f3", "commander"),
    ("chihuy.f3", "commander"),
    ("chihuy.f3", "commander"),
    ("chihuy.qk1", "commander"),
    ("chihuy.qk1", "commander"),
    ("khoi2.canbo", "reader"),
    ("khoi2.canbo", "reader"),
    ("tth.canbo", "reader"),
    ("tth.canbo", "reader"),
    ("tth.canbo", "reader"),
    ("hd.thuky", "reader"),
    ("hd.uyvien1", "reader"),
    ("bqp.thutruong", "reader"),
]

# action -> weight, by role; every role reads, officers create drafts, commanders approve
READS = {
    "inbox": 20,
    "list": 10,
    "list_filtered": 10,
    "list_searched": 8,
    "nomination": 16,
    "dashboard": 8,
    "registry_search": 8,
    "api_list": 8,
}
MIX = {
    "officer": {**READS, "create": 12},
    "commander": {**READS, "approve": 14},
    "reader": READS,
}
FILTERS = [
    "status=waiting&award=giay-khen",
    "stage=approval",
    "status=draft",
    "award=bk-bqp&status=in_progress",
    "campaign=bench&order=oldest",
]
SEARCHES = ["nguyen", "tran thi", "benchmark 001", "hoang van", "le"]
API_QUERIES = ["", "?status=in_progress", "?award=giay-khen", "?q=nguyen"]


@dataclass
class Stats:
    """Shared by every user thread (one lock)."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)  # (kind, what) -> count
    error_samples: list[str] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)  # "create: saved", "approve: refused"
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.durations[kind].append(seconds)

    def error(self, kind: str, what: str, detail: str) -> None:
        with self.lock:
            self.errors[(kind, what)] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{kind}: {what}: {detail}")

    def outcome(self, name: str) -> None:
        with self.lock:
            self.outcomes[name] += 1

    @property
    def requests(self) -> int:
        """Requests answered, and those that got no answer (timeouts, connection errors)."""
        return sum(len(values) for values in self.durations.values()) + sum(
            count
            for (_kind, what), count in self.errors.items()
            if what in ("timeout", "connection error")
        )


class Failed(Exception):
    """An error already counted: the action stops there."""


def _field(html: str, name: str) -> str | None:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    return unescape(match.group(1)) if match else None


def _options(html: str, name: str) -> list[tuple[str, str]]:
    """(value, label) of a <select name=...>, without the empty choice."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    if not match:
        return []
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))
    return [(value, unescape(label)) for value, label in found if value]


def _selected(html: str, name: str) -> str | None:
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.DOTALL)
    if match:
        chosen = re.search(r'<option value="([^"]+)"[^>]*selected', match.group(1))
        if chosen:
            return chosen.group(1)
    return None


def _ids(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-nomination="(\d+)"', html)]


def _to_approve(html: str) -> list[int]:
    """Nominations in an inbox page that wait at a stage other than a decision (a decision
    is issued on the decisions page, not approved on the nomination's)."""
    rows = re.findall(r'<tr data-nomination="(\d+)"[^>]*>(.*?)</tr>', html, re.DOTALL)
    return [int(pk) for pk, row in rows if DECISION_STAGE not in row]


def _message(html: str) -> str:
    """The product's message on a refused write: the page's message, else the form's."""
    for pattern in (
        r'<ul class="messages"><li class="error">([^<]+)',
        r'<ul class="error"><li>([^<]+)',
        r'<br><span class="error">([^<]+)',
    ):
        match = re.search(pattern, html)
        if match:
            return unescape(match.group(1)).strip()
    return "no message"


def _refused(action: str, html: str) -> str:
    """ "approve: refused (Hồ sơ còn thiếu: …)", cut short so that reasons group together."""
    reason = _message(html)
    return (
        f"{action}: refused ({reason[:50]}…)"
        if len(reason) > 50
        else f"{action}: refused ({reason})"
    )


class User:
    def __init__(self, *, base: str, username: str, role: str, seed: int, stats: Stats):
        self.base, self.username, self.role, self.stats = base, username, role, stats
        self.random = random.Random(seed)  # noqa: S311 - a repeatable mix, not secrets
        self.session = requests.Session()
        self.session.headers.update({"X-Forwarded-Proto": "https"})
        self.seen: list[int] = []  # nominations met in lists, for the nomination page
        actions = MIX[role]
        self.actions, self.weights = list(actions), list(actions.values())

    # one HTTP request, timed and checked --------------------------------------------------
    def request(self, kind: str, method: str, path: str, *, expect=(200,), headers=None, **kw):
        headers = {"Referer": self.base.replace("http://", "https://") + path, **(headers or {})}
        start = time.perf_counter()
        try:
            response = self.session.request(
                method,
                self.base + path,
                headers=headers,
                timeout=TIMEOUT,
                allow_redirects=False,
                **kw,
            )
        except requests.Timeout as error:
            self.stats.error(kind, "timeout", f"{method} {path}: {error}")
            raise Failed from error
        except requests.ConnectionError as error:
            self.stats.error(kind, "connection error", f"{method} {path}: {error}")
            raise Failed from error
        self.stats.timed(kind, time.perf_counter() - start)
        for cookie in self.session.cookies:
            # the session and CSRF cookies are marked Secure: on loopback the bench stands in
            # for the TLS proxy (see the module's docstring), so it sends them over http
            cookie.secure = False
        if response.status_code >= 500:
            self.stats.error(kind, f"HTTP {response.status_code}", f"{method} {path}")
            raise Failed
        if response.status_code not in expect:
            self.stats.error(
                kind, "unexpected answer", f"{method} {path}: HTTP {response.status_code}"
            )
            raise Failed
        return response

    def get(self, kind: str, path: str, **kw):
        return self.request(kind, "GET", path, **kw)

    def post_form(self, kind: str, path: str, page: str, fields: dict, **kw):
        """Post a form of `page` as the browser would: its fields and its CSRF token."""
        token = _field(page, "csrfmiddlewaretoken") or ""
        return self.request(kind, "POST", path, data={"csrfmiddlewaretoken": token, **fields}, **kw)

    # signing in ------------------------------------------------------------------------------
    def sign_in(self) -> None:
        form = self.get("login: page", "/login/")
        token = _field(form.text, "csrfmiddlewaretoken")
        answer = self.request(
            "login: post",
            "POST",
            "/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token or "",
            },
            expect=(302, 200),
        )
        if answer.status_code != 302:
            self.stats.error(
                "login: post", "login refused", f"{self.username}: {_message(answer.text)}"
            )
            raise Failed
        self.get("home", "/")

    # the actions ---------------------------------------------------------------------------------
    def inbox(self) -> None:
        self.seen = _ids(self.get("inbox", "/inbox/").text) or self.seen

    def list(self) -> None:
        self.seen = _ids(self.get("list", "/nominations/").text) or self.seen

    def list_filtered(self) -> None:
        self.get("list: filtered", f"/nominations/?{self.random.choice(FILTERS)}")

    def list_searched(self) -> None:
        query = self.random.choice(SEARCHES).replace(" ", "+")
        self.get("list: searched", f"/nominations/?q={query}")

    def nomination(self) -> None:
        if not self.seen:
            self.list()
        if self.seen:
            self.get("nomination page", f"/nominations/{self.random.choice(self.seen)}/")

    def dashboard(self) -> None:
        self.get("dashboard", "/dashboard/")

    def registry_search(self) -> None:
        self.get("registry: searched", f"/registry/?q={self.random.choice(SEARCHES)}")

    def api_list(self) -> None:
        path = f"/api/v1/nominations/{self.random.choice(API_QUERIES)}"
        answer = self.get("api: nominations", path, headers={"Accept": "application/json"})
        if "results" not in answer.json():
            self.stats.error("api: nominations", "unexpected answer", f"GET {path}: no results")
            raise Failed

    def create(self) -> None:
        """A draft through the page's form: the bench campaign, Chiến sĩ tiên tiến, a person
        of the unit picked at random (a duplicate is refused by the product, not an error)."""
        page = self.get("create: form", "/nominations/new/").text
        campaigns = [value for value, label in _options(page, "campaign") if "make bench" in label]
        awards = [
            value for value, label in _options(page, "award") if label == "Chiến sĩ tiên tiến"
        ]
        units = _options(page, "submitting_unit")
        people = _options(page, "person")
        if not (campaigns and awards and units and people):
            self.stats.outcome("create: nothing to choose")
            return
        answer = self.post_form(
            "create: post",
            "/nominations/new/",
            page,
            {
                "submitting_unit": units[0][0],
                "campaign": campaigns[0],
                "award": awards[0],
                "person": self.random.choice(people)[0],
                "nominee_unit": "",
                "achievements": f"Hoàn thành tốt nhiệm vụ huấn luyện năm nay {MARKER}.",
                "letter": "",
            },
            expect=(302, 200),
        )
        if answer.status_code == 302:
            self.stats.outcome("create: saved")
            self.get("nomination page", answer.headers["Location"])
        else:
            self.stats.outcome(_refused("create", answer.text))

    def approve(self) -> None:
        """From the inbox, open a waiting nomination; where approval is offered, upload the
        documents the stage still needs and approve it through the page's forms."""
        waiting = _to_approve(self.get("inbox", "/inbox/").text)
        if not waiting:
            self.stats.outcome("approve: nothing to approve in the inbox")
            return
        pk = self.random.choice(waiting[:20])
        path = f"/nominations/{pk}/"
        page = self.get("nomination page", path).text
        if 'name="action" value="approve"' not in page:
            self.stats.outcome("approve: not offered (read only)")
            return
        for _upload in range(4):
            if 'data-blocks="yes"' not in page:
                break
            answer = self.post_form(
                "approve: upload",
                f"/nominations/{pk}/attachments/",
                page,
                {
                    "document_type": _selected(page, "document_type") or "",
                    "replaces": "",
                },
                files={"upload": ("ho-so.pdf", PDF, "application/pdf")},
                expect=(302, 400, 403),
            )
            if answer.status_code != 302:
                self.stats.outcome(_refused("approve: upload", answer.text))
                return
            page = self.get("nomination page", path).text
        answer = self.post_form(
            "approve: post",
            f"/nominations/{pk}/act/",
            page,
            {
                "action": "approve",
                "return_to": "previous",
                "comment": "",
            },
            expect=(302, 200, 400, 403),
        )
        if answer.status_code == 302:
            self.stats.outcome("approve: done")
            self.inbox()
        else:
            self.stats.outcome(_refused("approve", answer.text))

    # the loop ----------------------------------------------------------------------------------
    def sign_in_counted(self) -> None:
        self.signed_in = False
        try:
            self.sign_in()
        except Failed:
            return
        self.signed_in = True

    def work(self, until: float, think: tuple[float, float]) -> None:
        """Actions until the time is up; a think time before each (so that users who
        signed in together do not move in step)."""
        while time.monotonic() < until:
            time.sleep(max(0.0, min(self.random.uniform(*think), until - time.monotonic())))
            if time.monotonic() >= until:
                break
            action = self.random.choices(self.actions, self.weights)[0]
            try:
                getattr(self, action)()
            except Failed:
                pass
            except Exception as error:  # a page the parser tripped on: counted, not fatal
                self.stats.error(action, "bench error", repr(error))


@dataclass
class LoadRun:
    signin: Stats  # every user signing in at once, before the timed window
    work: Stats  # the timed window
    signin_s: float
    work_s: float
    users: int
    client_cpu_s: float  # this process's CPU time during the window (all its threads)
    probes: tuple  # what `probe()` gave at the window's start and end


def _together(users: list[User], method: str, *args) -> float:
    start = time.monotonic()
    threads = [threading.Thread(target=getattr(user, method), args=args) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - start


def run_users(
    *, base: str, seconds: float, users: int, seed: int, probe=lambda: None, think=(0.5, 2.0)
) -> LoadRun:
    """`users` simulated users (the ROSTER's, round again if more) first sign in, all at
    once; then, once all are in, they work for `seconds` (the timed window).

    `probe()` runs at the window's start and end (the caller reads the servers' CPU time
    and logs there)."""
    signin, work = Stats(), Stats()
    crowd = [
        User(base=base, username=name, role=role, seed=seed + index, stats=signin)
        for index, (name, role) in enumerate(ROSTER[i % len(ROSTER)] for i in range(users))
    ]
    signin_s = _together(crowd, "sign_in_counted")
    crowd = [user for user in crowd if user.signed_in]
    for user in crowd:
        user.stats = work
    client, start = time.process_time(), probe()
    work_s = _together(crowd, "work", time.monotonic() + seconds, think)
    return LoadRun(
        signin=signin,
        work=work,
        signin_s=signin_s,
        work_s=work_s,
        users=len(crowd),
        client_cpu_s=time.process_time() - client,
        probes=(start, probe()),
    )
