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


def test_two_decisions_over_the_same_nominations_at_once_award_them_once(demo_user, demo_reloaded):
    from django.core.exceptions import ValidationError

    from approvals.demo.loader import load_demo
    from approvals.models import AwardRecord, Decision, NominationStatus
    from tests.approvals.decision_helpers import decide
    from workflows.demo import load_demo_routes

    load_demo()
    load_demo_routes()
    nominations = [
        move(demo_user, nominate(demo_user, index=i), "canbo.f3", "chihuy.f3", "canbo.qk1")
        for i in range(3)
    ]
    barrier = threading.Barrier(2)
    outcomes = []

    def issue(chosen, number):
        try:
            barrier.wait()
            decide(demo_user, chosen, by="chihuy.qk1", number=number)
            outcomes.append("issued")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=issue, args=(nominations[:2], "1/QĐ-QK1")),
        threading.Thread(target=issue, args=(nominations[1:], "2/QĐ-QK1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["issued", "refused"]  # they share one nomination
    decision = Decision.objects.get()
    awarded = set(decision.entries.values_list("nomination_id", flat=True))
    assert len(awarded) == 2
    assert AwardRecord.objects.count() == 2  # nothing of the refused decision remains
    for nomination in nominations:
        status = Nomination.objects.get(pk=nomination.pk).status
        expected = NominationStatus.AWARDED if nomination.pk in awarded else "in_progress"
        assert status == expected
