"""A double-clicked submit, or a client retrying its POST, creates one nomination, not two.

Simulated: two requests with the same data on two connections (threads) to PostgreSQL, through
the page (`POST /nominations/new/`) and the API (`POST /api/v1/nominations/`). A test hook
holds both at a barrier just after the service's duplicate check (`route_for`, called next)
so that both pass the check before either inserts: the race the check alone cannot win. The
partial unique constraints on Nomination (award, campaign, nominee; live statuses) make the
second insert wait for the first and then fail; the service turns that into its usual
duplicate message, inside a savepoint, so nothing of the second request remains.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from approvals.models import (
    AuditEvent,
    Award,
    Campaign,
    Nomination,
    NominationEvent,
    Person,
    Unit,
)
from approvals.services import nominations as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DUPLICATE = "Đã có đề nghị “Giấy khen” cho đối tượng này trong đợt thi đua."


@pytest.fixture
def both_past_the_check(monkeypatch):
    """Hold each request after the duplicate check until the other has passed it too."""
    barrier = threading.Barrier(2, timeout=20)
    real_route_for = services.route_for

    def route_for(**kwargs):
        barrier.wait()
        return real_route_for(**kwargs)

    monkeypatch.setattr(services, "route_for", route_for)


def _at_once(*requests):
    """Run the requests in threads, each on its own database connection; their responses."""
    responses = [None] * len(requests)
    errors = []

    def run(index, request):
        try:
            responses[index] = request()
        except Exception as error:  # reported below, not lost in the thread
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


def _counts():
    from viewflow.workflow.models import Process

    return (
        Nomination.objects.count(),
        NominationEvent.objects.count(),
        Process.objects.count(),
        AuditEvent.objects.filter(verb="nomination.created").count(),
    )


def _person() -> Person:
    return Person.objects.filter(unit__code="f3").order_by("pk")[5]


def test_a_double_clicked_create_form_makes_one_nomination(
    committed_demo, demo_user, both_past_the_check
):
    person = _person()
    data = {
        "submitting_unit": Unit.objects.get(code="f3").pk,
        "campaign": Campaign.objects.get(code="tdqt-2026").pk,
        "award": Award.objects.get(code="giay-khen").pk,
        "person": person.pk,
        "achievements": "Dẫn đầu phong trào thi đua.",
    }
    clients = [Client(), Client()]  # two tabs, or one browser sending the form twice
    for client in clients:
        client.force_login(demo_user("canbo.f3"))
    before = _counts()

    responses = _at_once(
        *(lambda c=client: c.post(reverse("nomination_create"), data) for client in clients)
    )

    created = Nomination.objects.get(person=person)
    assert sorted(r.status_code for r in responses) == [200, 302]
    (refused,) = [r for r in responses if r.status_code == 200]
    (done,) = [r for r in responses if r.status_code == 302]
    assert done.url == reverse("nomination_detail", args=[created.pk])
    assert DUPLICATE in refused.content.decode()  # the form again, with the reason
    # exactly one of everything: no second process, event or audit row from the loser
    assert _counts() == tuple(n + 1 for n in before)


def test_a_retried_api_create_makes_one_nomination(committed_demo, demo_user, both_past_the_check):
    person = _person()
    payload = {
        "submitting_unit": "f3",
        "award": "giay-khen",
        "campaign": "tdqt-2026",
        "person": person.pk,
        "achievements": "Dẫn đầu phong trào thi đua.",
    }
    clients = [APIClient(), APIClient()]
    for client in clients:
        client.force_login(demo_user("canbo.f3"))
    before = _counts()

    responses = _at_once(
        *(
            lambda c=client: c.post("/api/v1/nominations/", payload, format="json")
            for client in clients
        )
    )

    created = Nomination.objects.get(person=person)
    assert sorted(r.status_code for r in responses) == [201, 400]
    (refused,) = [r for r in responses if r.status_code == 400]
    (done,) = [r for r in responses if r.status_code == 201]
    assert done.json()["id"] == created.pk
    assert refused.json() == {"non_field_errors": [DUPLICATE]}
    assert _counts() == tuple(n + 1 for n in before)


def test_the_database_refuses_a_second_live_nomination_written_directly(committed_demo, demo_user):
    """The constraint itself, past the service: a withdrawn one does not count."""
    from django.db import IntegrityError, transaction

    from tests.approvals.nomination_helpers import nominate

    person = _person()
    first = nominate(demo_user, person=person)
    copy = {
        f.attname: getattr(first, f.attname)
        for f in Nomination._meta.concrete_fields
        if not f.primary_key and f.attname not in ("process_id", "current_task_id")
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Nomination.objects.create(**copy)
    Nomination.objects.filter(pk=first.pk).update(status="withdrawn")
    again = nominate(demo_user, person=person)  # a new one after a withdrawal is allowed
    assert again.pk != first.pk
