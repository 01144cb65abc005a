"""Repeated refused sign-ins lock the username for a while, on the page and the API alike."""

import pytest
from django.urls import reverse

from approvals.demo.data import DEMO_PASSWORD
from approvals.models import AuditEvent

pytestmark = pytest.mark.django_db


def sign_in(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_five_failures_lock_the_username_even_with_the_right_password(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(5):
        assert sign_in(client, "canbo.f3", "sai").status_code == 200
    refused = sign_in(client, "canbo.f3", DEMO_PASSWORD)
    assert refused.status_code == 200
    assert "tài khoản tạm khóa 15 phút" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    # the API's token endpoint refuses too
    token = client.post(reverse("api:token"), {"username": "canbo.f3", "password": DEMO_PASSWORD})
    assert token.status_code == 400
    # another username is not affected
    assert sign_in(client, "chihuy.f3", DEMO_PASSWORD).status_code == 302


def test_four_failures_do_not_lock(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    for _ in range(4):
        sign_in(client, "canbo.f3", "sai")
    assert sign_in(client, "canbo.f3", DEMO_PASSWORD).status_code == 302


def test_the_lock_lifts_when_the_failures_are_older_than_the_period(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        sign_in(client, "canbo.f3", "sai")
    assert sign_in(client, "canbo.f3", DEMO_PASSWORD).status_code == 200
    settings.LOGIN_LOCK_MINUTES = 0  # the period has passed
    assert sign_in(client, "canbo.f3", DEMO_PASSWORD).status_code == 302
    assert AuditEvent.objects.filter(verb="auth.login_failed").count() == 2
