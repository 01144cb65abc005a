"""Concurrent users on a real server, peak memory, and a 1,000-line decision's PDF.

    .venv/bin/python -m bench.load                    # 20 users for 60 s, 1,000 lines
    BENCH_SCALE=small .venv/bin/python -m bench.load  # 20 users for 10 s, 100 lines

Starts gunicorn (2 sync workers) and a Celery worker (prefork, one child) on loopback with
production settings (DEBUG off), lets 20 simulated users (bench.load_users) sign in and
work for a bounded time, reads the peak memory of every server process, then asks for the
PDF of a decision with 1,000 lines through the product's document job and times it.

Parameters (environment): BENCH_SCALE=full|small, BENCH_LOAD_USERS, BENCH_LOAD_SECONDS,
BENCH_LOAD_LINES, BENCH_LOAD_PORT (8765), BENCH_LOAD_WEB_WORKERS (2),
BENCH_LOAD_BROKER (redis://127.0.0.1:6379/5), BENCH_LOAD_SEED, BENCH_DOCS=0|1.
See docs/benchmarks.md.
"""

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from time import perf_counter

from bench.run import _check_migrated, _configure, _say

# seconds of load, lines of the decision, and nominations seeded in flight when bench.run
# left nothing to browse
SCALES = {
    "full": {"seconds": 60, "lines": 1000, "seed": 240},
    "small": {"seconds": 10, "lines": 100, "seed": 60},
}
TARGET_USERS = 20


def _settings() -> dict:
    from bench.config import _int, _scale

    scale = _scale()
    preset = SCALES[scale]
    values = {
        "scale": scale,
        "users": _int("BENCH_LOAD_USERS", TARGET_USERS, minimum=1),
        "seconds": _int("BENCH_LOAD_SECONDS", preset["seconds"], minimum=1),
        "lines": _int("BENCH_LOAD_LINES", preset["lines"], minimum=1),
        "port": _int("BENCH_LOAD_PORT", 8765, minimum=1),
        "web_workers": _int("BENCH_LOAD_WEB_WORKERS", 2, minimum=1),
        "seed": _int("BENCH_LOAD_SEED", 2026),
        "seed_nominations": preset["seed"],
        "broker": os.environ.get("BENCH_LOAD_BROKER", "redis://127.0.0.1:6379/5").strip(),
    }
    if (values["seconds"], values["lines"]) != (preset["seconds"], preset["lines"]):
        values["scale"] = "custom"
    docs_default = "1" if values["scale"] == "full" else "0"
    values["write_docs"] = os.environ.get("BENCH_DOCS", docs_default).strip() == "1"
    return values


def _content(size: int) -> str:
    """What the users browse: bench.run's data if it left some, else a modest batch in
    flight created here through the services (bench.drive), as bench.run leaves its own."""
    from django.contrib.auth import get_user_model

    from approvals.models import Nomination
    from bench import dataset, drive, plan
    from bench.load_users import ROSTER

    users = {username for username, _role in ROSTER}
    present = Nomination.objects.filter(campaign__code=dataset.BENCH.campaign).count()
    known = get_user_model().objects.filter(username__in=users).count()
    if present and known == len(users):
        return f"bench.run's data: {present:,} nominations in campaign {dataset.BENCH.campaign}"
    _say(f"no bench data: seeding {size} nominations in flight (services)")
    dataset.clean()
    dataset.load_reference_data()
    data = dataset.prepare(size)
    bk = size // 10
    drive.run_wave(
        "create",
        plan.creates(award_code="giay-khen", person_ids=data.person_ids, data=data)
        + plan.creates(award_code="bk-bqp", person_ids=data.person_ids[:bk], data=data),
    )
    mine = Nomination.objects.filter(campaign_id=data.campaign_id).order_by("pk")
    giay_khen = list(mine.filter(award__code="giay-khen").values_list("pk", flat=True))
    bk_bqp = list(mine.filter(award__code="bk-bqp").values_list("pk", flat=True))
    drive.run_waves("in flight", plan.giay_khen_in_flight(giay_khen))
    drive.run_waves("in flight", plan.bk_bqp_in_flight(bk_bqp))
    return f"seeded here: {size + bk} nominations in flight (campaign bench)"


def _remove_drafts() -> int:
    """The drafts the simulated officers created (marked in their achievements)."""
    from django.db import transaction
    from viewflow.workflow.models import Process

    from approvals.models import Nomination
    from bench.load_users import MARKER

    with transaction.atomic():
        drafts = Nomination.objects.filter(achievements__contains=MARKER)
        rows = list(drafts.values_list("pk", "process_id"))
        Nomination.objects.filter(pk__in=[pk for pk, _process in rows]).delete()
        Process.objects.filter(pk__in=[process for _pk, process in rows if process]).delete()
    return len(rows)


def _ms(values: list[float], pct: float | None = None) -> str:
    from bench.pages import percentile
    from bench.report import ms

    if not values:
        return "—"
    return ms((percentile(values, pct) if pct else statistics.median(values)) * 1000)


def _memory_rows(servers: dict) -> list[list[str]]:
    """One row per process: VmHWM of the master and each child, then their sum and max."""
    from bench.load_processes import mib

    rows = []
    for name, (server, peaks) in servers.items():
        master = peaks.get("master")
        children = peaks.get("children", [])
        rows.append([f"{name}: main process", mib(master)])
        for index, kb in enumerate(children, start=1):
            rows.append([f"{name}: {server['child']} {index}", mib(kb)])
        everything = [kb for kb in [master, *children] if kb]
        if children:
            rows.append([f"{name}: {server['children']}, max", mib(max(children))])
        rows.append([f"{name}: all processes, sum", mib(sum(everything))])
    return rows


def _peaks(server) -> dict:
    from bench.load_processes import peak_kb

    server.remember_children()
    return {
        "master": peak_kb(server.process.pid),
        "children": [server.children_seen[pid] for pid in sorted(server.children_seen)],
    }


def _errors_text(stats) -> str:
    errors = sum(stats.errors.values())
    if not errors:
        return "0 errors"
    kinds = ", ".join(f"{what} on {kind}: {n}" for (kind, what), n in sorted(stats.errors.items()))
    return f"{errors} errors ({kinds})"


def _request_rows(stats, prefix: str = "") -> list[list[str]]:
    return [
        [prefix + kind, f"{len(values):,}", _ms(values), _ms(values, 95), _ms([max(values)])]
        for kind, values in sorted(stats.durations.items())
        if values
    ]


def _probe(web) -> tuple[float, int]:
    """gunicorn's workers' CPU seconds so far, and how far its access log has grown."""
    from bench.load_processes import access_log, cpu_seconds

    log = access_log(web.log_path)
    return cpu_seconds(web.children()), log.stat().st_size if log.exists() else 0


def _server_text(run, web_log) -> str:
    """How much of the users' wait was spent inside gunicorn, and at what CPU cost."""
    from bench.load_processes import inside_seconds

    (cpu_start, since), (cpu_end, until) = run.probes
    cpu = cpu_end - cpu_start
    inside = inside_seconds(web_log, since=since, until=until)
    requests = max(run.work.requests, 1)
    text = (
        f"Inside gunicorn during the window: {len(inside):,} requests, "
        f"median {_ms(inside)} ms, p95 {_ms(inside, 95)} ms (the rest of a user's wait is the "
        f"queue for a free worker). CPU: the workers {cpu:,.1f} s, "
        f"{cpu / requests * 1000:,.0f} ms a request, {cpu / run.work_s:,.2f} of the "
        f"machine's {os.cpu_count()} CPUs; the simulated users {run.client_cpu_s:,.1f} s."
    )
    return text


def _render(
    *, cfg: dict, db: str, content: str, run, server_text, memory, pdf, notes, total_s, load_start
):
    from bench.report import load_text, machine, table, today

    work = run.work
    lines = [
        f"### Concurrent users, {db.split(' (')[0]} ({cfg['scale']})",
        "",
        f"- Date: {today()}; total run {total_s:,.0f} s",
        f"- Machine: {machine()}{load_text(load_start)}",
        f"- Database: {db}",
        f"- Parameters: {cfg['users']} users for {cfg['seconds']} s, think time 0.5–2 s, "
        f"gunicorn {cfg['web_workers']} sync workers, Celery worker prefork ×1, "
        f"decision of {cfg['lines']:,} lines",
        f"- Content: {content}",
        "",
        f"**{run.users} users signed in, then worked for {run.work_s:,.1f} s: "
        f"{work.requests:,} requests, {work.requests / run.work_s:,.1f} requests/s, "
        f"{_errors_text(work)}.** Signing in, all at once beforehand: "
        f"{run.signin_s:,.1f} s, {_errors_text(run.signin)}.",
        "",
        server_text,
        "",
        table(
            ["request", "count", "median ms", "p95 ms", "max ms"],
            _request_rows(work) + _request_rows(run.signin, "(before) "),
        ),
    ]
    if work.outcomes:
        lines += [
            "",
            "Writes: " + ", ".join(f"{name} {n}" for name, n in sorted(work.outcomes.items())),
        ]
    lines += ["", "Peak memory (VmHWM, MiB):", "", table(["process", "peak MiB"], memory)]
    if pdf is not None:
        lines += [
            "",
            f"Decision PDF ({pdf.lines:,} lines, {pdf.pages} pages, "
            f"{pdf.pdf_bytes / 1024:,.0f} KiB, job {pdf.status}):",
            "",
            table(
                ["step", "seconds"],
                [
                    ["the decision's page (GET, all its lines)", f"{pdf.page_s:,.2f}"],
                    ["POST on the decision's page (job enqueued)", f"{pdf.enqueue_s:,.2f}"],
                    [
                        "waiting in the queue (until the page shows it running)",
                        f"{pdf.queued_s:,.2f}",
                    ],
                    ["running (until the page shows it done)", f"{pdf.running_s:,.2f}"],
                    ["**from the POST to done**", f"**{pdf.total_s:,.2f}**"],
                    ["the job's own created → finished", f"{pdf.job_s:,.2f}"],
                    ["the producer alone, in the bench process", f"{pdf.producer_s:,.2f}"],
                ],
            ),
        ]
    if notes:
        lines += ["", *notes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    _configure()
    from bench import load_decision, load_processes, report
    from bench.load_users import User, run_users

    cfg = _settings()
    _check_migrated()
    started, load_start, db = report.begin("bench.load")
    content = _content(cfg["seed_nominations"])
    removed = load_decision.clean() + _remove_drafts()
    if removed:
        _say(f"removed what an earlier run left: {removed} rows")
    _say(content)

    folder = Path(tempfile.mkdtemp(prefix="bench-load-"))
    broker = cfg["broker"] if load_processes.broker_reachable(cfg["broker"]) else ""
    notes = []
    if not broker:
        notes.append(
            f"- No broker at {cfg['broker']}: no Celery worker, no PDF; the web "
            "processes ran their background tasks in-process."
        )
    env = load_processes.server_env(broker=broker, mail_dir=folder / "mail")
    worker = web = None
    servers, pdf, decision = {}, None, None
    try:
        if broker:
            _say("starting a Celery worker (prefork, one child)")
            worker = load_processes.celery_worker(env=env, log_path=folder / "worker.log")
        _say(f"starting gunicorn on 127.0.0.1:{cfg['port']} ({cfg['web_workers']} workers)")
        web = load_processes.gunicorn(
            port=cfg["port"], workers=cfg["web_workers"], env=env, log_path=folder / "gunicorn.log"
        )
        if worker is not None:
            load_processes.worker_ready(worker)
        base = f"http://127.0.0.1:{cfg['port']}"
        _say(f"{cfg['users']} users for {cfg['seconds']} s")
        run = run_users(
            base=base,
            seconds=cfg["seconds"],
            users=cfg["users"],
            seed=cfg["seed"],
            probe=lambda: _probe(web),
        )
        servers["gunicorn"] = ({"child": "worker", "children": "workers"}, _peaks(web))
        if worker is not None:
            servers["celery, after the load"] = (
                {"child": "child", "children": "children"},
                _peaks(worker),
            )
            decision = load_decision.create_decision(cfg["lines"])
            _say(f"decision of {cfg['lines']:,} lines: asking for its PDF (job on the worker)")
            from bench.load_users import Stats

            secretariat = User(
                base=base, username=load_decision.REQUESTER, role="reader", seed=0, stats=Stats()
            )
            secretariat.sign_in()
            pdf = load_decision.generate_pdf(secretariat, decision)
            servers["celery, after the PDF"] = (
                {"child": "child", "children": "children"},
                _peaks(worker),
            )
        samples = run.signin.error_samples + run.work.error_samples
        if samples:
            for trace in load_processes.tracebacks(web.log()):
                notes.append("```\n" + trace.strip()[-3000:] + "\n```")
            notes += [f"- {sample}" for sample in samples[:10]]
    finally:
        for server in (web, worker):
            if server is not None:
                server.stop()
        load_decision.clean()
        drafts = _remove_drafts()
        shutil.rmtree(folder / "mail", ignore_errors=True)  # the e-mails the worker wrote
    memory = _memory_rows(servers)
    text = _render(
        cfg=cfg,
        db=db,
        content=content,
        run=run,
        server_text=_server_text(run, web.log_path),
        memory=memory,
        pdf=pdf,
        notes=notes,
        total_s=perf_counter() - started,
        load_start=load_start,
    )
    _say("")
    _say(text)
    _say(f"\nremoved the {drafts} drafts the users created and the decision; logs in {folder}")
    if cfg["write_docs"]:
        path = report.write_docs(text, key=f"load-{db.split()[0].lower()}")
        _say(f"results written to {path}")
    failed = bool(run.work.errors or run.signin.errors) or (
        pdf is not None and pdf.status != "done"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
