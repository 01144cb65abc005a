"""A real `celery worker` subprocess on the Redis broker, for the tests that need one."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
READY_WITHIN = 30  # seconds


def database_url() -> str:
    """The test database (test_…), as a worker process must see it."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


class Worker:
    """`celery -A <app> worker --pool=solo` writing e-mails and files under `folder`."""

    def __init__(self, folder: Path, *, app: str = "project", env: dict | None = None) -> None:
        self.folder = folder
        self.mail_dir = folder / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "worker.log"
        self.app = app
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "project.settings",
            "DATABASE_URL": database_url(),
            "DB_CONN_MAX_AGE": "0",  # no idle connection in the way of flushes
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        command = [
            str(CELERY),
            "-A",
            self.app,
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--hostname=faults-{os.getpid()}-{time.monotonic_ns()}@%h",
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_for(lambda: re.search(r"\bready\.", self.log()), "the worker being ready")
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # warm shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, no message given back to the broker."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def tail(self) -> str:
        return f"\n--- Celery worker log ({self.log_path}) ---\n" + self.log()[-6000:]

    def received(self, task: str) -> int:
        return len(re.findall(rf"Task {re.escape(task)}\[[\w-]+\] received", self.log()))

    def mail_files(self) -> list[Path]:
        return sorted(self.mail_dir.iterdir())

    def wait_for(self, condition, what: str, within: float = 30):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() not in (None, -signal.SIGKILL):
                pytest.fail(f"the worker exited with {self.process.returncode}{self.tail()}")
            result = condition()
            if result:
                return result
            time.sleep(0.2)
        pytest.fail(f"{what} did not happen within {within} s{self.tail()}")
