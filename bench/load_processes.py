"""The real server processes bench.load runs: gunicorn and a Celery worker, on loopback.

Each runs as a subprocess with the bench's database and the settings a production host
would give it (DEBUG off, a secret key, secure cookies, HSTS), its output kept in a log file
so that a 500's traceback can be shown. Their peak memory is read from the kernel
(`VmHWM` in /proc/<pid>/status: the most resident memory the process ever had).
"""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings

BIN = Path(sys.executable).parent
READY_WITHIN = 60  # seconds: two workers import Django on a busy two-core machine


def database_url() -> str:
    """The database this process uses, as a URL for the subprocesses."""
    from urllib.parse import quote

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{db['HOST'] or ''}{port}/{quote(db['NAME'], safe='')}"


def server_env(*, broker: str, mail_dir: Path) -> dict[str, str]:
    """Production-like settings through the environment (project/settings.py reads them).

    DEBUG off turns on secure cookies, HSTS and the redirect to https; the bench's client
    plays the TLS-terminating proxy and sends `X-Forwarded-Proto: https` (the header the
    settings trust), so nothing has to be weakened for plain http on loopback. E-mails go
    to files in a temporary folder, never to a mail server.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("BENCH_")}
    env.pop("CELERY_BROKER_URL", None)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": database_url(),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
            "LOG_LEVEL": "WARNING",  # 500s are logged with their traceback
            "PYTHONUNBUFFERED": "1",
        }
    )
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def broker_reachable(url: str) -> bool:
    """True when the Redis broker answers; its default queue is then emptied, so that a
    message an earlier, interrupted run left does not run during this one."""
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1)
            connection.default_channel.queue_purge("celery")
    except Exception:  # any failure means "no broker": the worker part is skipped
        return False
    return True


@dataclass
class Server:
    """A subprocess with its log; `stop()` ends it (and its children) gracefully."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    children_seen: dict[int, int] = field(default_factory=dict)  # pid -> last VmHWM kB

    def start(self) -> "Server":
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own binaries, fixed arguments
                self.command,
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped without the bench
            )
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until(self, condition, what: str, within: float = READY_WITHIN) -> None:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not self.alive():
                raise SystemExit(f"bench.load: {self.name} exited\n{self.log()[-4000:]}")
            if condition():
                return
            time.sleep(0.25)
        raise SystemExit(f"bench.load: {what} did not happen within {within:.0f} s")

    def children(self) -> list[int]:
        return children_of(self.process.pid) if self.process else []

    def remember_children(self) -> None:
        """Note each child's peak now: a child that exits (a recycled worker) keeps its
        figure for the report."""
        for pid in self.children():
            peak = peak_kb(pid)
            if peak:
                self.children_seen[pid] = max(peak, self.children_seen.get(pid, 0))

    def stop(self) -> None:
        if not self.alive():
            return
        self.process.send_signal(signal.SIGTERM)  # graceful for both gunicorn and celery
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


ACCESS_FORMAT = "%(m)s %(U)s %(s)s %(M)s"  # method, path, status, milliseconds inside


def gunicorn(*, port: int, workers: int, env: dict, log_path: Path) -> Server:
    """gunicorn with an access log (next to `log_path`) that records how long each request
    took inside the worker: the rest of what a user waits is the queue in front of it."""
    command = [
        str(BIN / "gunicorn"),
        "project.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--error-logfile",
        "-",
        "--no-control-socket",  # gunicorn 27's admin socket: not needed, and shared by default
        "--access-logfile",
        str(access_log(log_path)),
        "--access-logformat",
        ACCESS_FORMAT,
    ]
    server = Server("gunicorn", command, env, log_path).start()
    url = f"http://127.0.0.1:{port}/login/"

    def answers() -> bool:
        try:
            response = requests.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=5)
        except requests.RequestException:
            return False
        return response.status_code == 200 and len(server.children()) >= workers

    server.wait_until(answers, f"gunicorn answering on {url}")
    return server


def celery_worker(*, env: dict, log_path: Path) -> Server:
    """Started, not yet ready: `worker_ready(worker)` waits (gunicorn starts meanwhile)."""
    command = [
        str(BIN / "celery"),
        "-A",
        "project",
        "worker",
        "--pool=prefork",
        "--concurrency=1",
        "--loglevel=info",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname=bench-load-{os.getpid()}@%h",
    ]
    return Server("celery worker", command, env, log_path).start()


def worker_ready(worker: Server) -> None:
    worker.wait_until(lambda: re.search(r"\bready\.", worker.log()), "the Celery worker ready")


def access_log(log_path: Path) -> Path:
    return log_path.with_name("access.log")


def inside_seconds(log_path: Path, *, since: int, until: int) -> list[float]:
    """Seconds inside gunicorn of each request logged between two sizes of its access log."""
    path = access_log(log_path)
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(since)
        lines = handle.read(max(until - since, 0)).decode(errors="replace").splitlines()
    return [float(line.rsplit(" ", 1)[1]) / 1000 for line in lines if line.count(" ") >= 3]


def children_of(pid: int) -> list[int]:
    """The direct children of `pid`, from /proc (Linux)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces, so split after its ")"
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)


def peak_kb(pid: int) -> int | None:
    """VmHWM of a live process in kB: the peak resident set size."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU time the processes used so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def mib(kb: int | None) -> str:
    return "—" if kb is None else f"{kb / 1024:,.1f}"


def tracebacks(log: str, limit: int = 3) -> list[str]:
    """The last few tracebacks in a server log (Django logs a 500 with its traceback), each
    with the line before it (the request that failed)."""
    found, lines = [], log.splitlines()
    for index, line in enumerate(lines):
        if not line.startswith("Traceback (most recent call last)"):
            continue
        end = index + 1
        while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
            end += 1
        found.append("\n".join(lines[max(index - 1, 0) : end + 1]))
    return found[-limit:]
