"""The set-based stage completion writes the rows viewflow's own activations write.

workflows.engine.processes_advance completes stage tasks in bulk instead of running
viewflow's Handle → Switch → Handle | End activations one process at a time. These tests run
both on twin processes and compare every row, so a viewflow upgrade that changes what its
activations write fails here rather than in a year-end cycle.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from workflows.engine import Step, process_start, processes_advance
from workflows.flows import NominationFlow

pytestmark = pytest.mark.django_db


def _shape(process_pk: int) -> dict:
    """A process's rows as viewflow wrote them, without ids and times."""
    tasks = list(Task.objects.filter(process_id=process_pk).order_by("pk"))
    position = {task.pk: index for index, task in enumerate(tasks)}
    process = tasks[0].process
    process.refresh_from_db()
    return {
        "process": (process.flow_class, process.status, process.finished is None, process.data),
        "tasks": [
            (
                task.flow_task,
                task.flow_task_type,
                task.status,
                task.token,
                task.data,
                task.started is None,
                task.finished is None,
                task.owner_id,
                sorted(position[previous.pk] for previous in task.previous.all()),
            )
            for task in tasks
        ],
    }


def _open_task(process_pk: int) -> Task:
    return Task.objects.select_related("process").get(
        process_id=process_pk, flow_task=NominationFlow.stage, status=STATUS.NEW
    )


def _by_viewflow(steps: list[tuple[bool, str]]) -> dict:
    process, _task = process_start()
    for finished, outcome in steps:
        NominationFlow.stage.run(_open_task(process.pk), finished=finished, outcome=outcome)
    return _shape(process.pk)


def _by_engine(steps: list[tuple[bool, str]]) -> dict:
    process, _task = process_start()
    for finished, outcome in steps:
        task = _open_task(process.pk)
        opened = processes_advance([Step(task=task, finished=finished, outcome=outcome)])
        assert (opened[task.pk] is None) == finished
    return _shape(process.pk)


@pytest.mark.parametrize(
    "steps",
    [
        [(False, "approve"), (False, "return"), (False, "approve"), (True, "approve")],
        [(False, "approve"), (True, "reject")],
        [(True, "withdraw")],
    ],
    ids=["awarded after a return", "rejected", "withdrawn"],
)
def test_engine_writes_what_viewflow_writes(steps):
    with transaction.atomic():
        expected = _by_viewflow(steps)
    with transaction.atomic():
        assert _by_engine(steps) == expected
    assert expected["process"][1] == "DONE"


def test_many_processes_move_in_one_call_and_each_gets_its_own_next_task():
    with transaction.atomic():
        started = [process_start() for _ in range(5)]
        steps = [
            Step(task=task, finished=index == 4, outcome="approve")
            for index, (_process, task) in enumerate(started)
        ]
        opened = processes_advance(steps)
    for index, (process, task) in enumerate(started):
        if index == 4:
            assert opened[task.pk] is None
            continue
        assert opened[task.pk].process_id == process.pk
        assert opened[task.pk].status == STATUS.NEW
        assert _open_task(process.pk).pk == opened[task.pk].pk


def test_a_task_completed_meanwhile_refuses_the_whole_batch():
    with transaction.atomic():
        started = [process_start() for _ in range(3)]
    first = started[0][1]
    rows_before = Task.objects.filter(process_id=started[1][0].pk).count()
    processes_advance([Step(task=first, finished=False, outcome="approve")])
    steps = [Step(task=task, finished=False, outcome="approve") for _process, task in started]
    with pytest.raises(PermissionDenied), transaction.atomic():
        processes_advance(steps)
    for process, task in started[1:]:  # nothing half-done: the other two still wait
        assert _open_task(process.pk).pk == task.pk
        assert Task.objects.filter(process_id=process.pk).count() == rows_before
