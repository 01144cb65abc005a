"""Sessions end: after SESSION_COOKIE_AGE, and with the browser (no persistent cookie)."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from approvals.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _sign_in(client, username="canbo.f3"):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content
    return response


def test_sessions_last_at_most_a_working_day_and_end_with_the_browser():
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600  # 8 hours unless the deployment says less
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_the_session_cookie_is_not_kept_after_the_browser_closes(client):
    response = _sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""
    assert cookie["httponly"]


def test_the_server_ends_the_session_after_its_age(client):
    started = timezone.now()
    _sign_in(client)
    session = Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)
    age = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs(session.expire_date - started - age) < datetime.timedelta(minutes=1)


def test_an_expired_session_is_sent_to_the_login_page(client):
    _sign_in(client)
    assert client.get(reverse("home")).status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response.headers["Location"] == f"{reverse('login')}?next={reverse('home')}"
    # and the API does not take it either
    assert client.get("/api/v1/tasks/").status_code == 403
