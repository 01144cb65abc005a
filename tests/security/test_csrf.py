"""Every page and API endpoint refuses a signed-in POST that carries no CSRF token.

The URL conf is enumerated as in tests/test_permission_matrix.py, whose table gives each
endpoint's object, a user who may change it and the data of a change: each is posted without
the token by that user, and must answer 403 for the CSRF reason and change nothing. GET-only
pages are posted too: that no view is exempt from the middleware is the point.
"""

import json
from urllib.parse import urlencode

import pytest
from django.http import HttpResponseForbidden
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils.crypto import get_random_string

from approvals.models import AuditEvent, Notification
from tests.test_permission_matrix import (  # noqa: F401 - fixtures used by name
    MATRIX,
    _names,
    _snapshot,
    bloc_reviews,
    council_sessions,
    decisions,
    world,
)

pytestmark = pytest.mark.django_db

CSRF_REFUSED = f"csrf-refused: {REASON_CSRF_TOKEN_MISSING}".encode()
# sign-in pages outside the matrix (no object, no data); the API's token endpoint is left out:
# it takes a username and password, never the session, so a forged request carries nothing
OUTSIDE_THE_MATRIX = ["login", "logout", "set_language"]
# the Swagger UI page (GET only) renders REST framework's CSRF refusal as the generic 403 page
HTML_API_PAGES = {"api:docs"}


def csrf_refused(request, reason=""):
    """CSRF_FAILURE_VIEW for these tests: marks a refusal as the middleware's, with its reason."""
    return HttpResponseForbidden(f"csrf-refused: {reason}")


def _fixture_for(name: str, row) -> str:
    """The objects the row's URL needs, as the matrix test picks them (they cannot mix)."""
    obj = (row.obj or "") if row else ""
    if obj.startswith("session_"):
        return "council_sessions"
    if obj.startswith("review_"):
        return "bloc_reviews"
    if "decision" in name or obj.startswith("decision"):
        return "decisions"
    return "world"


def _posts(fixture: str):
    rows = [(name, None) for name in OUTSIDE_THE_MATRIX]
    for name, entry in sorted(MATRIX.items()):
        rows += [(name, row) for row in (entry if isinstance(entry, tuple) else (entry,))]
    return [(name, row) for name, row in rows if _fixture_for(name, row) == fixture]


def _state():
    return [
        *_snapshot(),
        AuditEvent.objects.count(),
        Notification.objects.filter(read_at__isnull=True).count(),
    ]


def _refused_for_csrf(name: str, response, api: bool) -> bool:
    if response.status_code != 403:
        return False
    if name in HTML_API_PAGES:
        return True
    if api:  # REST framework's SessionAuthentication checks, in its words and the view's format
        return f"CSRF Failed: {REASON_CSRF_TOKEN_MISSING}".encode() in response.content
    return response.content == CSRF_REFUSED


def test_the_matrix_covers_every_endpoint_posted_here():
    names = _names(get_resolver().url_patterns)
    assert names - set(MATRIX) - set(OUTSIDE_THE_MATRIX) == {"api:token"}


@pytest.mark.parametrize("fixture", ["world", "council_sessions", "decisions", "bloc_reviews"])
def test_every_post_without_the_csrf_token_is_refused_and_changes_nothing(
    fixture, request, demo_user, settings, subtests
):
    settings.CSRF_FAILURE_VIEW = f"{__name__}.csrf_refused"
    objects = request.getfixturevalue(fixture)
    client = Client(enforce_csrf_checks=True)
    # a forged request from another site carries the victim's CSRF cookie, only not the token
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)
    for name, row in _posts(fixture):
        with subtests.test(msg=name):
            side = "own" if row is None or row.own else "other"
            allowed = sorted(getattr(row, side, ()) or ["canbo.f3"])
            client.force_login(demo_user(allowed[0]))
            args = [objects[side][row.obj].pk] if row and row.obj else []
            data = {}
            if row and row.method == "POST":
                data = row.data(objects[side]) if callable(row.data) else row.data
            before = _state()
            url = reverse(name, args=args)
            if row and row.multipart:
                response = client.post(url, data)
            elif row and row.api:
                response = client.post(url, json.dumps(data), "application/json")
            else:
                response = client.post(
                    url, urlencode(data, doseq=True), "application/x-www-form-urlencoded"
                )
            assert _refused_for_csrf(name, response, api=bool(row and row.api)), (
                name,
                response.status_code,
                response.content[:200],
            )
            assert _state() == before
