"""Two people act on the same task at the same moment: one wins, the other is told, nothing
is half-done.

Simulated: the unit's commander and a second commander of the same unit approve the same
submitted nomination at once, each in their own session and database connection (threads,
PostgreSQL), through the page (`POST /nominations/<id>/act/`) and the API
(`POST /api/v1/nominations/<id>/act/`). A test hook holds both requests at a barrier just
before the service locks the nomination, so both have loaded the same stage before either
moves it. (tests/approvals/test_nomination_concurrency.py covers the service alone.)
"""

import threading

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from viewflow.workflow.models import Task

from approvals.models import AuditEvent, Nomination, NominationEvent, Notification, Unit
from approvals.services import nominations as services
from approvals.services.roles import role_grant
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import move, nominate
from tests.factories.organisation import PersonFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ALREADY_MOVED = (
    "Đề nghị vừa được người khác xử lý và đã chuyển sang bước khác; thao tác của đồng chí "
    "không được thực hiện."
)


@pytest.fixture
def both_at_the_lock(monkeypatch):
    """Hold each request just before it locks the nomination until the other is there too."""
    barrier = threading.Barrier(2, timeout=20)
    real_locked = services._locked

    def locked(nomination):
        barrier.wait()
        return real_locked(nomination)

    monkeypatch.setattr(services, "_locked", locked)


@pytest.fixture
def submitted(committed_demo, demo_user):
    """A nomination waiting at the commander's approval, with its documents in place, and a
    second commander of the same unit."""
    f3 = Unit.objects.get(code="f3")
    deputy = UserFactory(username="phochihuy.f3")
    PersonFactory(unit=f3, user=deputy)
    role_grant(actor=None, user=deputy, role="unit_commander", unit=f3)
    nomination = move(demo_user, nominate(demo_user, index=7), "canbo.f3")
    complete_dossier(nomination, demo_user("chihuy.f3"))
    return nomination


def _at_once(*requests):
    responses, errors = [None] * len(requests), []

    def run(index, request):
        try:
            responses[index] = request()
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return responses


def _last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _moved_once(nomination: Nomination, last_notification: int) -> None:
    nomination = Nomination.objects.get(pk=nomination.pk)
    assert nomination.stage_position == 3
    assert NominationEvent.objects.filter(nomination=nomination, action="approved").count() == 1
    audit = AuditEvent.objects.filter(verb="nomination.approved", object_id=str(nomination.pk))
    assert audit.count() == 1
    assert Task.objects.filter(process=nomination.process_id, status="NEW").count() == 1
    # the next stage's actors are told once, not once per click
    told = list(
        Notification.objects.filter(nomination=nomination, pk__gt=last_notification).values_list(
            "recipient_id", flat=True
        )
    )
    assert told and len(told) == len(set(told))


def test_two_commanders_approving_on_the_page_at_once(submitted, demo_user, both_at_the_lock):
    last_notification = _last_notification()
    clients = [Client(), Client()]
    clients[0].force_login(demo_user("chihuy.f3"))
    clients[1].force_login(demo_user("phochihuy.f3"))
    url = reverse("nomination_act", args=[submitted.pk])

    responses = _at_once(*(lambda c=c: c.post(url, {"action": "approve"}) for c in clients))

    assert sorted(r.status_code for r in responses) == [302, 403]
    (refused,) = [r for r in responses if r.status_code == 403]
    # the loser sees the nomination as it is now, with the reason, not a bare "Forbidden"
    assert [str(m) for m in get_messages(refused.wsgi_request)] == [ALREADY_MOVED]
    html = refused.content.decode()
    assert ALREADY_MOVED in html and submitted.nominee_name in html
    _moved_once(submitted, last_notification)


def test_two_commanders_approving_through_the_api_at_once(submitted, demo_user, both_at_the_lock):
    last_notification = _last_notification()
    clients = [APIClient(), APIClient()]
    clients[0].force_login(demo_user("chihuy.f3"))
    clients[1].force_login(demo_user("phochihuy.f3"))
    url = f"/api/v1/nominations/{submitted.pk}/act/"

    responses = _at_once(
        *(lambda c=c: c.post(url, {"action": "approve"}, format="json") for c in clients)
    )

    assert sorted(r.status_code for r in responses) == [200, 403]
    (refused,) = [r for r in responses if r.status_code == 403]
    assert refused.json() == {"detail": ALREADY_MOVED}
    _moved_once(submitted, last_notification)
