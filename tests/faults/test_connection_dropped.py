"""The database connection drops in the middle of a request: that request fails cleanly (a
503 with Retry-After saying nothing was saved, JSON on the API; nothing half-written) and the
next one works; a connection that died while idle is
replaced without an error (CONN_HEALTH_CHECKS).

Simulated: a test hook runs inside `nomination_create` after the viewflow process, its task
and the nomination have been inserted (just before the timeline and audit events), and
terminates the request's PostgreSQL backend from another connection
(`pg_terminate_backend`, waiting until it is gone), as a database restart or a failover
would. The test client does not call Django's close_old_connections() around requests as a
WSGI server does (request_started / request_finished); the test calls it where the server
would, on the same persistent connection (CONN_MAX_AGE > 0).
"""

import psycopg
import pytest
from django.conf import settings
from django.db import close_old_connections, connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient
from viewflow.workflow.models import Process

from approvals.models import AuditEvent, Award, Campaign, Nomination, Person, Unit
from approvals.services import nominations as services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _terminate(pid: int) -> None:
    """From another connection, end the backend and wait (up to 5 s) until it has exited."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        autocommit=True,
    ) as other:
        (ended,) = other.execute("SELECT pg_terminate_backend(%s, 5000)", [pid]).fetchone()
    assert ended


@pytest.fixture
def drop_mid_create(monkeypatch):
    """Terminate the request's connection once nomination_create has written its first rows."""
    real_event_record = services.event_record
    dropped = []

    def event_record(nomination, **kwargs):
        if not dropped:
            assert Nomination.objects.filter(pk=nomination.pk).exists()  # written, uncommitted
            dropped.append(_backend_pid())
            _terminate(dropped[0])
        return real_event_record(nomination, **kwargs)

    monkeypatch.setattr(services, "event_record", event_record)
    return dropped


def _counts():
    return (
        Nomination.objects.count(),
        Process.objects.count(),
        AuditEvent.objects.count(),
    )


def _form_post(client, person):
    return client.post(
        reverse("nomination_create"),
        {
            "submitting_unit": Unit.objects.get(code="f3").pk,
            "campaign": Campaign.objects.get(code="tdqt-2026").pk,
            "award": Award.objects.get(code="giay-khen").pk,
            "person": person.pk,
            "achievements": "Dẫn đầu phong trào thi đua.",
        },
    )


def _api_post(client, person):
    payload = {
        "submitting_unit": "f3",
        "award": "giay-khen",
        "campaign": "tdqt-2026",
        "person": person.pk,
        "achievements": "Dẫn đầu phong trào thi đua.",
    }
    return client.post("/api/v1/nominations/", payload, format="json")


@pytest.mark.parametrize(
    ("client_class", "post", "created_status"),
    [(Client, _form_post, 302), (APIClient, _api_post, 201)],
    ids=["page", "api"],
)
def test_a_connection_dropped_mid_request_fails_cleanly_and_the_next_request_works(
    committed_demo, demo_user, drop_mid_create, client_class, post, created_status
):
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0  # a connection lives on
    person = Person.objects.filter(unit__code="f3").order_by("pk")[11]
    client = client_class(raise_request_exception=False)
    client.force_login(demo_user("canbo.f3"))
    before = _counts()
    close_old_connections()  # request_started, as the server sends it

    response = post(client, person)
    close_old_connections()  # request_finished: the broken connection is dropped here

    assert drop_mid_create, "the hook did not run"
    assert response.status_code == 503  # the user is told to retry, not shown a crash
    assert response["Retry-After"]
    assert b"Traceback" not in response.content and b"pg_terminate" not in response.content
    if client_class is APIClient:
        assert "cơ sở dữ liệu" in response.json()["detail"]
    else:
        assert "chưa được lưu" in response.content.decode()
    assert _counts() == before  # nothing of the request was kept
    assert not Nomination.objects.filter(person=person).exists()
    assert _backend_pid() != drop_mid_create[0]  # a new connection

    close_old_connections()
    response = post(client, person)  # the user tries again
    close_old_connections()
    assert response.status_code == created_status
    assert Nomination.objects.filter(person=person).count() == 1


def test_a_connection_that_died_while_idle_is_replaced_without_an_error(committed_demo, client_for):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    client = client_for("canbo.f3")
    close_old_connections()
    assert client.get(reverse("nomination_inbox")).status_code == 200
    close_old_connections()
    idle = _backend_pid()
    _terminate(idle)  # between two requests: a restart, a failover, an idle timeout

    close_old_connections()  # request_started: the next query checks the connection first
    assert client.get(reverse("nomination_inbox")).status_code == 200
    close_old_connections()
    assert _backend_pid() != idle
