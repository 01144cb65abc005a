"""What viewflow alone reaches on this database: a bare Start → View → End flow.

The product's transitions are measured against this floor (bench.throughput), so it runs
the way bench.drive runs the service calls: in waves, every start and then every
completion, shared among forked worker processes with one database connection each, each
call timed and its SQL statements counted. No HTTP: the calls use viewflow's activation
API as its own views do once a form is valid.

- a start (`workflows.bench_flow.BareFlow.start`, a human start) creates the process,
  completes the start task and opens the View task: one transaction, as the start view's
  POST;
- a completion looks the open View task up, then, under the flow's select-for-update lock
  and in one transaction, assigns it to the bench user, starts and executes it, which
  opens and runs the End: as a task form's POST by a user who takes the task in the same
  click (a separate "assign" request would be a third transaction).

Both count as one transition each, so N processes make 2N transitions. The processes, their
tasks and the bench user are removed afterwards (`clean`).
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from time import perf_counter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection, connections, transaction
from viewflow.fsm import TransitionNotAllowed
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from bench.drive import QueryCounter, WaveResult
from workflows.bench_flow import BareFlow

USERNAME = "bench.bareflow"
START, COMPLETE = "start", "complete"


@dataclass(frozen=True)
class _Request:
    """What `activation.start(request)` reads of a request: its user."""

    user: object


def bench_user():
    """The user who starts and completes every bench process (created for the run)."""
    user, _created = get_user_model().objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Benchmark", "is_active": True}
    )
    return user


def clean() -> int:
    """Remove every process of the bare flow (their tasks cascade) and the bench user."""
    with transaction.atomic():
        removed = (
            Process.objects.filter(flow_class=BareFlow).delete()[1].get(Process._meta.label, 0)
        )
        get_user_model().objects.filter(username=USERNAME).delete()
    return removed


def start_process(user) -> int:
    """Start one process, as the start view does on a valid POST; returns its pk."""
    node = BareFlow.start
    activation = node.activation_class.create(node, None, None)
    if not node.can_execute(user, activation.task):
        raise PermissionDenied("may not start the bare flow")
    with transaction.atomic():
        activation.start(_Request(user))
        activation.execute()
    return activation.process.pk


def complete_task(user, process_id: int) -> None:
    """Take and complete the process's open View task, as a task form's POST would."""
    task = Task.objects.get(process_id=process_id, flow_task=BareFlow.approve, status=STATUS.NEW)
    node = BareFlow.approve
    with task.activation() as activation:  # the flow's lock, one transaction, task re-read
        if not node.can_assign(user, activation.task):
            raise PermissionDenied("may not take this task")
        activation.assign(user)
        activation.start(_Request(user))
        activation.execute()


def _work(kind: str, items: list[int]) -> tuple[WaveResult, list[int]]:
    """One worker's share of a wave: starts (items are only counted) or completions."""
    user = bench_user()
    result, started = WaveResult(name="", calls=len(items)), []
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for item in items:
            start = perf_counter()
            try:
                if kind == START:
                    started.append(start_process(user))
                else:
                    complete_task(user, item)
            except (PermissionDenied, TransitionNotAllowed, FlowLockFailed) as exc:
                result.errors.append(f"bare flow {kind} {item}: {exc!r}")
            result.durations.append(perf_counter() - start)
    result.queries = counter.count
    return result, started


def _wave(name: str, kind: str, items: list[int], workers: int) -> tuple[WaveResult, list[int]]:
    """Run a wave, split among forked workers as bench.drive.run_wave does, on the wall clock."""
    start = perf_counter()
    if workers <= 1 or len(items) < 2 * workers:
        result, out = _work(kind, items)
    else:
        connections.close_all()  # each forked worker opens its own connection
        chunks = [items[index::workers] for index in range(workers)]
        context = multiprocessing.get_context("fork")
        result, out = WaveResult(name=""), []
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for part, part_out in pool.map(_work, [kind] * workers, chunks):
                result.add(part)
                out += part_out
    result.name = name
    result.wall = perf_counter() - start
    return result, out


def warm_up(count: int = 5) -> None:
    """A few untimed processes first: imports, flow set-up, caches; removed by `clean`."""
    user = bench_user()
    for _ in range(count):
        complete_task(user, start_process(user))


def run(processes: int, *, workers: int) -> list[WaveResult]:
    """Start `processes` processes, then complete them; rows: starts, completions, both."""
    starts, process_ids = _wave("bare flow: start", START, list(range(processes)), workers)
    completions, _ = _wave("bare flow: complete View", COMPLETE, process_ids, workers)
    total = WaveResult(name="bare flow transitions")
    total.add(starts)
    total.add(completions)
    return [starts, completions, total]
