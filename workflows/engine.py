"""Running a nomination's viewflow process: start it, complete open stage tasks, claim.

Callers (the nomination services) hold the transaction, have locked the nominations and
checked the actor; these functions only move the processes and return the tasks now open.

Starting goes through viewflow's own activation. Completing a stage is written set-based
for any number of processes at once (`processes_advance`): the rows are those viewflow's
Handle → Switch → Handle | End activations write, one statement per kind of row instead
of about fifteen per process, so a letter of fifty nominations or a decision of a thousand
moves in a handful of statements. `tests/workflows/test_engine.py` checks the rows against
viewflow's own activations, so an upgrade that changes what viewflow writes is caught.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import PROCESS, STATUS

from workflows.flows import NominationFlow


@dataclass(frozen=True)
class Step:
    """Complete `task` (a NominationFlow.stage task, open) with `outcome`; `finished` ends
    the process instead of opening the next stage task."""

    task: Task
    finished: bool
    outcome: str


def _open_stage_task(process_pk: int) -> Task | None:
    return (
        Task.objects.filter(
            process_id=process_pk, flow_task=NominationFlow.stage, status=STATUS.NEW
        )
        .order_by("-pk")
        .first()
    )


def process_start() -> tuple[Process, Task]:
    """Start a process; returns it with its first open stage task."""
    process = NominationFlow.start.run()
    return process, _open_stage_task(process.pk)


def _new_task(flow_task, step: Step, now, **fields) -> Task:
    return Task(
        process_id=step.task.process_id,
        flow_task=flow_task,
        flow_task_type=flow_task.task_type,
        token=step.task.token,
        created=now,
        data={},
        **fields,
    )


def processes_advance(steps: list[Step]) -> dict[int, Task | None]:
    """Complete each step's open stage task: {completed task's pk: the next open stage task,
    or None where the process ended}. PermissionDenied, and nothing written, if any of the
    tasks is no longer open (someone else completed it first).
    """
    if not steps:
        return {}
    now = timezone.now()
    pks = [step.task.pk for step in steps]
    by_outcome: dict[str, list[int]] = {}
    for step in steps:
        by_outcome.setdefault(step.outcome, []).append(step.task.pk)
    done = sum(
        Task.objects.filter(pk__in=outcome_pks, status=STATUS.NEW).update(
            status=STATUS.DONE, started=now, finished=now, data={"outcome": outcome}
        )
        for outcome, outcome_pks in by_outcome.items()
    )
    if done != len(set(pks)):
        raise PermissionDenied(
            _(
                "Đề nghị vừa được người khác xử lý và đã chuyển sang bước khác; thao tác "
                "của đồng chí không được thực hiện."
            )
        )
    switches = [
        _new_task(NominationFlow.route, step, now, status=STATUS.DONE, finished=now)
        for step in steps
    ]
    following = [
        _new_task(NominationFlow.end, step, now, status=STATUS.DONE, started=now, finished=now)
        if step.finished
        else _new_task(NominationFlow.stage, step, now, status=STATUS.NEW)
        for step in steps
    ]
    Task.objects.bulk_create([*switches, *following])
    Previous = Task.previous.through
    Previous.objects.bulk_create(
        [
            *(
                Previous(from_task_id=s.pk, to_task_id=step.task.pk)
                for s, step in zip(switches, steps, strict=True)
            ),
            *(
                Previous(from_task_id=f.pk, to_task_id=s.pk)
                for f, s in zip(following, switches, strict=True)
            ),
        ]
    )
    ended = [step.task for step in steps if step.finished]
    for task in ended:
        process = task.process
        process.data = {**(process.data or {}), "finished": True}
        process.status, process.finished = PROCESS.DONE, now
    if ended:
        Process.objects.bulk_update([t.process for t in ended], ["data", "status", "finished"])
    return {
        step.task.pk: None if step.finished else task
        for step, task in zip(steps, following, strict=True)
    }


def process_advance(*, task: Task, finished: bool, outcome: str) -> Task | None:
    """Complete one open stage task; returns the next open one, or None once the process ended."""
    return processes_advance([Step(task=task, finished=finished, outcome=outcome)])[task.pk]


def task_claim(*, task: Task, user) -> None:
    task.owner = user
    task.save(update_fields=["owner"])


def task_release(*, task: Task) -> None:
    task.owner = None
    task.save(update_fields=["owner"])
