"""Every page and API endpoint × every demo role × an object of their own unit and of another.

The URL conf is enumerated, so an endpoint added without a row here fails the suite. For each
endpoint the table lists exactly who succeeds; everyone else must be refused (403, 404, 400 with
a message, or
sent to the login page when anonymous), and a refused change must change nothing.
"""

from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from approvals.models import (
    AwardsCouncil,
    Campaign,
    EmulationBloc,
    Nomination,
    Person,
    SubmissionLetter,
    Unit,
)
from approvals.selectors.nominations import acting_users
from approvals.services.letters import letter_create
from approvals.services.nominations import nomination_claim, stage_act
from approvals.services.roles import role_grant
from tests.approvals.nomination_helpers import move, nominate
from tests.factories.organisation import UserFactory

pytestmark = pytest.mark.django_db

USERS = [
    "canbo.f3",
    "chihuy.f3",
    "canbo.qk1",
    "chihuy.qk1",
    "canbo.qk3",
    "khoi2.canbo",
    "hd.chutich",
    "hd.thuky",
    "hd.uyvien1",
    "tth.canbo",
    "bqp.thutruong",
    "quantri",
    "chihuy.qk3",  # made by the fixture: QK3's commander, so that QK3's nominations move
    None,  # anonymous
]
EVERYONE = frozenset(u for u in USERS if u)
PREPARERS = frozenset({"canbo.f3", "canbo.qk1", "canbo.qk3"})
COUNCIL = frozenset({"hd.chutich", "hd.thuky", "hd.uyvien1"})
F3_RECORDS = frozenset({"canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1", "tth.canbo", "quantri"})
QK3_RECORDS = frozenset({"canbo.qk3", "chihuy.qk3", "tth.canbo", "quantri"})
# URL names outside the product's own pages and API: Django's admin, login and language switch
NOT_PRODUCT = {"login", "logout", "set_language"}


@dataclass(frozen=True)
class Row:
    """Who succeeds on an endpoint, for the object of F3 ("own") and of QK3 ("other")."""

    method: str
    obj: str | None = None  # the kind of object the URL takes
    own: frozenset = frozenset()
    other: frozenset = frozenset()
    data: dict = field(default_factory=dict)


def everyone(method="GET"):
    return Row(method, None, EVERYONE, EVERYONE)


MATRIX: dict[str, Row] = {
    "home": everyone(),
    "unit_list": everyone(),
    "people_list": everyone(),
    "bloc_list": everyone(),
    "council_list": everyone(),
    "award_list": everyone(),
    "campaign_list": everyone(),
    "nomination_inbox": everyone(),
    "nomination_list": everyone(),
    "letter_list": everyone(),
    "notification_list": everyone(),
    "notification_read_all": everyone("POST"),
    "nomination_create": Row("GET", None, PREPARERS, PREPARERS),
    "letter_create": Row("GET", None, PREPARERS, PREPARERS),
    "person_detail": Row("GET", "person", F3_RECORDS, QK3_RECORDS),
    "bloc_detail": Row(
        "GET",
        "bloc",
        frozenset(
            {
                "khoi2.canbo",
                "canbo.qk1",
                "chihuy.qk1",
                "canbo.qk3",
                "chihuy.qk3",
                "tth.canbo",
                "quantri",
            }
        ),
        frozenset({"tth.canbo", "quantri"}),
    ),
    "council_detail": Row(
        "GET", "council", COUNCIL | {"tth.canbo", "quantri"}, frozenset({"tth.canbo", "quantri"})
    ),
    "nomination_detail": Row("GET", "submitted", F3_RECORDS, QK3_RECORDS),
    "nomination_edit": Row(
        "GET", "draft", frozenset({"canbo.f3", "canbo.qk1"}), frozenset({"canbo.qk3"})
    ),
    "nomination_act": Row(
        "POST",
        "submitted",
        frozenset({"chihuy.f3"}),
        frozenset({"chihuy.qk3"}),
        {"action": "approve"},
    ),
    "nomination_claim": Row(
        "POST", "submitted", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"})
    ),
    "nomination_release": Row(
        "POST", "claimed", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"})
    ),
    "nomination_withdraw": Row(
        "POST", "submitted", frozenset({"canbo.f3", "canbo.qk1"}), frozenset({"canbo.qk3"})
    ),
    "nomination_vote": Row(
        "POST",
        "council_vote",
        frozenset({"hd.thuky", "hd.chutich"}),
        frozenset({"hd.thuky", "hd.chutich"}),
        {"agree": 12},
    ),
    "letter_detail": Row("GET", "letter", F3_RECORDS, QK3_RECORDS),
    "letter_act": Row(
        "POST", "letter", frozenset({"chihuy.f3"}), frozenset({"chihuy.qk3"}), {"action": "approve"}
    ),
}


def _names(patterns, prefix="") -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = str(pattern.pattern)
            if route.startswith(("admin/", "i18n/")):
                continue
            names |= _names(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return names


def test_every_endpoint_has_a_row_in_the_matrix():
    endpoints = _names(get_resolver().url_patterns) - NOT_PRODUCT
    assert endpoints - set(MATRIX) == set(), "add these endpoints to the matrix"
    assert set(MATRIX) - endpoints == set(), "these rows name no endpoint"


@pytest.fixture
def world(demo_user):
    """F3's and QK3's nominations at the stages the matrix needs, and their letters."""
    qk3 = Unit.objects.get(code="qk3")
    commander = UserFactory(username="chihuy.qk3")
    role_grant(actor=None, user=commander, role="unit_commander", unit=qk3)
    campaign = Campaign.objects.get(code="tdqt-2026")
    other_bloc = EmulationBloc.objects.create(
        code="khoi-thu", name="Khối thử", organiser=Unit.objects.get(code="bqp")
    )
    objects = {"own": {}, "other": {}}
    for side, unit, officer, chief in (
        ("own", "f3", "canbo.f3", "chihuy.f3"),
        ("other", "qk3", "canbo.qk3", "chihuy.qk3"),
    ):
        letter = letter_create(
            actor=demo_user(officer),
            unit=Unit.objects.get(code=unit),
            campaign=campaign,
            title="Tờ trình thử",
        )
        submitted = move(demo_user, nominate(demo_user, by=officer, unit=unit, index=0), officer)
        Nomination.objects.filter(pk=submitted.pk).update(letter=letter)
        claimed = move(demo_user, nominate(demo_user, by=officer, unit=unit, index=1), officer)
        nomination_claim(actor=demo_user(chief), nomination=claimed)
        at_vote = nominate(demo_user, by=officer, unit=unit, index=2, award="bk-bqp")
        while at_vote.current_stage.kind != "council_vote":
            at_vote = stage_act(
                actor=acting_users(at_vote).first(), nomination=at_vote, action="approve"
            )
        objects[side] = {
            "draft": nominate(demo_user, by=officer, unit=unit, index=3),
            "submitted": submitted,
            "claimed": claimed,
            "council_vote": at_vote,
            "letter": letter,
            "person": Person.objects.filter(unit__code=unit).first(),
        }
    objects["own"]["bloc"] = EmulationBloc.objects.get(code="khoi-2")
    objects["other"]["bloc"] = other_bloc
    objects["own"]["council"] = AwardsCouncil.objects.get(unit__code="bqp")
    objects["other"]["council"] = AwardsCouncil.objects.get(unit__code="qk3")
    return objects


def _outcome(response, method: str) -> str:
    location = response.headers.get("Location", "")
    if response.status_code == 302 and "/login/" in location:
        return "login"
    if (method == "GET" and response.status_code == 200) or (
        method == "POST" and response.status_code == 302
    ):
        return "ok"
    # 400: a letter with nothing waiting for this user is refused with a message
    assert response.status_code in (400, 403, 404), (response.status_code, location)
    return "refused"


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_only_the_listed_roles_succeed(name, world, client, demo_user):
    row = MATRIX[name]
    sides = ("own", "other") if row.obj else ("own",)
    for side in sides:
        expected = row.own if side == "own" else row.other
        url = reverse(name, args=[world[side][row.obj].pk] if row.obj else [])
        succeeded = set()
        for username in USERS:
            client.logout()
            if username:
                client.force_login(demo_user(username))
            with transaction.atomic():
                before = _snapshot()
                response = client.generic(row.method, url, _encode(row.data), _FORM)
                outcome = _outcome(response, row.method)
                if outcome == "ok":
                    succeeded.add(username)
                else:
                    assert _snapshot() == before, f"{username} was refused but changed data"
                    if username is None:
                        assert outcome == "login"
                transaction.set_rollback(True)
        assert succeeded == set(expected), f"{name} on {side}'s object"


_FORM = "application/x-www-form-urlencoded"


def _encode(data: dict) -> str:
    from urllib.parse import urlencode

    return urlencode(data)


def _snapshot():
    rows = Nomination.objects.order_by("pk").values_list(
        "pk", "status", "stage_position", "claimed_by_id"
    )
    return [*rows, SubmissionLetter.objects.count()]
