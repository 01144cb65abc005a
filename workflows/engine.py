"""Running a nomination's viewflow process: start it, complete the open stage task, claim.

Callers (the nomination services) hold the transaction and have already checked the actor;
these functions only move the process and return the task now open, if any.
"""

from viewflow.workflow.models import Process, Task
from viewflow.workflow.status import STATUS

from workflows.flows import NominationFlow


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


def process_advance(*, task: Task, finished: bool, outcome: str) -> Task | None:
    """Complete the open stage task; returns the next open one, or None once the process ended."""
    NominationFlow.stage.run(task, finished=finished, outcome=outcome)
    return None if finished else _open_stage_task(task.process_id)


def task_claim(*, task: Task, user) -> None:
    task.owner = user
    task.save(update_fields=["owner"])


def task_release(*, task: Task) -> None:
    task.owner = None
    task.save(update_fields=["owner"])
