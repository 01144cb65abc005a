"""What the PostgreSQL server itself reaches: pgbench's TPC-B-like run, in the same run.

The product's transitions per second mean little alone (the machine, its load, the
server's settings all move them); next to the commits per second pgbench reaches on the
same server a minute earlier they become a ratio that travels between machines. pgbench's
tables go into a scratch database `<name>_pgbench` on the same server, created and
dropped by the run, so the product's tables are never touched; a role that may not create
databases gets a scratch schema `pgbench_scratch` in the product's database instead
(pgbench finds its tables through `search_path`), dropped the same way.
"""

import glob
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection

SCALE = 10  # pgbench -i -s: 1,000,000 accounts, about 160 MB
SCHEMA = "pgbench_scratch"
TPS = re.compile(r"tps = ([\d.]+) \((?:without initial connection time|excluding connections)")
LATENCY = re.compile(r"latency average = ([\d.]+) ms")


@dataclass(frozen=True)
class PgbenchResult:
    clients: int
    threads: int
    seconds: int
    tps: float
    latency_ms: float | None
    transactions: int | None


def _server_major() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return str(int(cursor.fetchone()[0]) // 10000)


def find_binary() -> str | None:
    """The pgbench of the server's major version if installed, else the one on PATH."""
    matching = f"/usr/lib/postgresql/{_server_major()}/bin/pgbench"
    if os.access(matching, os.X_OK):
        return matching
    found = shutil.which("pgbench")
    if found:
        return found
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pgbench"),
        key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0,
    )
    return versions[-1] if versions else None


def _environment(database: str, schema: str | None) -> dict[str, str]:
    """libpq's variables for the configured server, pointing at the scratch database."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings.get(key):
            env[variable] = str(settings[key])
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    env["PGDATABASE"] = database
    if schema:
        env["PGOPTIONS"] = f"-c search_path={schema}"
    return env


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _create_scratch(product: str) -> tuple[str, str | None]:
    """A scratch database if the role may create one, else a scratch schema: (db, schema)."""
    scratch = f"{product}_pgbench"[:63]
    try:
        with connection.cursor() as cursor:  # autocommit: CREATE DATABASE needs it
            cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(scratch)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {_quoted(scratch)}")
        return scratch, None
    except DatabaseError:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            cursor.execute(f"CREATE SCHEMA {SCHEMA}")
        return product, SCHEMA


@contextmanager
def scratch_database():
    """Yield (where, libpq environment) for a scratch place on the same server; drop it after."""
    product = str(connection.settings_dict["NAME"])
    database, schema = _create_scratch(product)
    where = f"schema {schema} of {product}" if schema else f"database {database}"
    try:
        yield where, _environment(database, schema)
    finally:
        with connection.cursor() as cursor:
            if schema:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            else:
                cursor.execute(f"DROP DATABASE IF EXISTS {_quoted(database)} WITH (FORCE)")


def _run(binary: str, arguments: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(  # noqa: S603 -- our own pgbench path and fixed arguments
        [binary, *arguments], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"pgbench {' '.join(arguments)} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


def initialise(binary: str, env: dict[str, str]) -> None:
    _run(binary, ["-i", "-s", str(SCALE), "-q"], env)


def measure(binary: str, env: dict[str, str], *, clients: int, seconds: int) -> PgbenchResult:
    """`pgbench -c clients -j min(clients, 2) -T seconds`: its tps without connection time."""
    threads = min(clients, 2)
    output = _run(binary, ["-c", str(clients), "-j", str(threads), "-T", str(seconds)], env)
    tps = TPS.search(output)
    if tps is None:
        raise RuntimeError(f"pgbench printed no tps line:\n{output[-800:]}")
    latency = LATENCY.search(output)
    processed = re.search(r"number of transactions actually processed: (\d+)", output)
    return PgbenchResult(
        clients=clients,
        threads=threads,
        seconds=seconds,
        tps=float(tps.group(1)),
        latency_ms=float(latency.group(1)) if latency else None,
        transactions=int(processed.group(1)) if processed else None,
    )
