"""Responses under the production settings: HTTPS only, secure cookies, protective headers.

The settings module is read in a subprocess with DEBUG off (as tests/test_deploy_settings.py
runs `check --deploy`), and what it sets is applied here with override_settings, so these
tests follow project/settings.py rather than restating it.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from approvals.demo.data import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
NAMES = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
]
HTTPS = {"secure": True, "headers": {"host": "tdkt.example.vn"}}


@pytest.fixture(scope="module")
def production():
    """The security settings project/settings.py gives a deployment (DEBUG off)."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": "p8#vZk2!qL0s@X9m$Wd4^rT7&yB1nC6*eF3hJ5(uA8)gK2-oI9+lM0=zQ4_wE7xR",
        "ALLOWED_HOSTS": "tdkt.example.vn",
        "DJANGO_SETTINGS_MODULE": "project.settings",
    }
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)  # the embedded defaults, not this machine's
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    values["ALLOWED_HOSTS"] = ["tdkt.example.vn"]
    return values


def test_production_settings_turn_on_every_protection(production):
    assert production["DEBUG"] is False
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31536000
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


def test_plain_http_is_sent_to_https(client, production):
    with override_settings(**production):
        response = client.get(reverse("login"), headers={"host": "tdkt.example.vn"})
    assert response.status_code == 301
    assert response.headers["Location"] == "https://tdkt.example.vn/login/"


def test_the_proxys_https_header_is_believed(client, production):
    with override_settings(**production):
        response = client.get(
            reverse("login"),
            headers={"host": "tdkt.example.vn", "x-forwarded-proto": "https"},
        )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/login/", "/api/v1/tasks/"])
def test_pages_and_the_api_carry_the_protective_headers(client, demo_user, production, path):
    client.force_login(demo_user("canbo.f3"))
    with override_settings(**production):
        response = client.get(path, **HTTPS)
    assert response.status_code in (200, 302)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def test_signing_in_over_https_sets_secure_http_only_cookies(client, production):
    with override_settings(**production):
        page = client.get(reverse("login"), **HTTPS)
        csrf = page.cookies["csrftoken"]
        response = client.post(
            reverse("login"),
            {
                "username": "canbo.f3",
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": page.context["csrf_token"],
            },
            **HTTPS,
        )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert csrf["secure"]
    assert csrf["samesite"] == "Lax"
