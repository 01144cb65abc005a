"""Two people completing the same stage at the same moment: one wins, nothing is doubled."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from approvals.models import Nomination, NominationEvent
from approvals.services.nominations import Action, stage_act
from tests.approvals.nomination_helpers import move, nominate

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_reloaded():
    yield
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    # a transactional test empties the database when it ends; put the demo back
    load_demo()
    load_demo_routes()


def test_concurrent_approvals_of_one_stage_let_exactly_one_through(demo_user, demo_reloaded):
    from approvals.demo.loader import load_demo
    from workflows.demo import load_demo_routes

    load_demo()
    load_demo_routes()
    nomination = move(demo_user, nominate(demo_user), "canbo.f3")
    commander = demo_user("chihuy.f3")
    barrier = threading.Barrier(2)
    outcomes = []

    def approve():
        try:
            barrier.wait()
            stage_act(actor=commander, nomination=nomination, action=Action.APPROVE)
            outcomes.append("done")
        except PermissionDenied:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["done", "refused"]
    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.stage_position == 3
    assert NominationEvent.objects.filter(nomination=nomination, action="approved").count() == 1
    open_tasks = nomination.process.task_set.filter(status="NEW").count()
    assert open_tasks == 1
