"""The API fuzzed from its own OpenAPI schema (schemathesis): no input makes it fail with 5xx.

The schema is read from /api/schema/ as each demo user sees it, and every operation is called
with a bounded, derandomised set of generated inputs (valid and invalid) under the user's
token. Path ids are mapped onto rows the user may read, and the codes and ids of a new
nomination's body onto real awards, campaigns, units and people, so that generated bodies
reach the services (and create nominations) and not only the 404 or the 400 of an unknown
code. What an operation changes is rolled back before the next.
"""

import time
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from approvals.models import Award, Campaign, Person, Unit
from approvals.selectors.decisions import decisions_for_user
from approvals.selectors.nominations import acting_users, nominations_for_user
from approvals.services.nominations import nomination_create
from tests.approvals.decision_helpers import decide
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import approve, move, nominate
from tests.approvals.voting_helpers import decide_by_council

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

# a unit officer (prepares F3's nominations) and the secretariat (reads all, acts at its level)
ROLES = ["canbo.f3", "tth.canbo"]
# every operation of the schema: a new endpoint fails the test until it is listed here
OPERATIONS = [
    "POST /api/v1/token/",
    "GET /api/v1/nominations/",
    "POST /api/v1/nominations/",
    "GET /api/v1/nominations/{id}/",
    "POST /api/v1/nominations/{id}/act/",
    "POST /api/v1/nominations/{id}/attachments/",
    "POST /api/v1/nominations/{id}/claim/",
    "GET /api/v1/nominations/{id}/eligibility/",
    "POST /api/v1/nominations/{id}/release/",
    "POST /api/v1/nominations/{id}/submit/",
    "POST /api/v1/nominations/{id}/vote-result/",
    "POST /api/v1/nominations/{id}/withdraw/",
    "GET /api/v1/tasks/",
    "GET /api/v1/decisions/",
    "GET /api/v1/decisions/{id}/",
]
MAX_EXAMPLES = 50

CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.response_schema_conformance,
]


@pytest.fixture
def _requests_keep_the_connection():
    """The WSGI handler's request_started and request_finished would close the connection
    inside the test's transaction (on PostgreSQL); Django's test client disconnects them the
    same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def _cheap_password_checks(settings):
    """Generated sign-ins name unknown users, whose dummy check runs the first hasher: a cheap
    one keeps the token endpoint's examples fast (the demo users' hashes still verify)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


def _to_stage(nomination, kind: str):
    while nomination.current_stage.kind != kind:
        nomination = approve(acting_users(nomination).first(), nomination)
    return nomination


@pytest.fixture
def fuzz_world(demo_user):
    """F3's nominations at each kind of stage, and a Minister's decision, for the ids."""
    draft = nominate(demo_user, index=3)
    complete_dossier(draft, demo_user("canbo.f3"))  # ready to send
    move(demo_user, nominate(demo_user, index=0), "canbo.f3")  # at the commander's
    _to_stage(nominate(demo_user, index=2, award="bk-bqp"), "council_vote")
    f3 = Unit.objects.get(code="f3")
    at_bloc = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=f3,
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị dẫn đầu.",
        nominee_unit=f3,
    )
    move(demo_user, at_bloc, "canbo.f3", "chihuy.f3")
    waiting = _to_stage(nominate(demo_user, index=8, award="bk-bqp"), "council_vote")
    (decided,) = decide_by_council(demo_user, [waiting], agree=100)
    decide(demo_user, [decided], by="bqp.thutruong")


@pytest.fixture(params=ROLES)
def fuzz_user(request, demo_user, fuzz_world, _cheap_password_checks):
    """The demo user the API is fuzzed as, with their token, and the rows they may read."""
    user = demo_user(request.param)
    token, _created = Token.objects.get_or_create(user=user)
    return {
        "headers": {"Authorization": f"Token {token.key}"},
        "may_prepare": request.param == "canbo.f3",
        "nominations": list(
            nominations_for_user(user).order_by("pk").values_list("pk", flat=True)[:50]
        ),
        "decisions": list(decisions_for_user(user).order_by("pk").values_list("pk", flat=True)),
        # what a new nomination's body names, mapped from the generated values
        "references": {
            "submitting_unit": ["f3"],
            "award": list(
                Award.objects.filter(routes__isnull=False)
                .distinct()
                .order_by("code")
                .values_list("code", flat=True)
            ),
            "campaign": list(
                Campaign.objects.filter(is_open=True)
                .order_by("code")
                .values_list("code", flat=True)
            ),
            "person": list(
                Person.objects.filter(unit__code="f3").order_by("pk").values_list("pk", flat=True)
            ),
            "nominee_unit": list(
                Unit.objects.filter(path__startswith=Unit.objects.get(code="f3").path)
                .order_by("pk")
                .values_list("pk", flat=True)
            ),
            "letter": [None],  # a new letter for each nomination
        },
    }


@pytest.fixture
def api_schema(fuzz_user, _requests_keep_the_connection):
    """The schema /api/schema/ serves the user, its calls going to the project's WSGI app."""
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", get_wsgi_application(), headers=fuzz_user["headers"]
    )


def _readable_id(case, fuzz_user) -> None:
    """Map a generated non-negative id onto a row the user may read (negative ids stay 404s)."""
    generated = (case.path_parameters or {}).get("id")
    if not isinstance(generated, int) or isinstance(generated, bool) or generated < 0:
        return
    rows = fuzz_user["decisions" if "/decisions/" in case.path else "nominations"]
    if rows:
        case.path_parameters["id"] = rows[generated % len(rows)]


def _real_references(case, fuzz_user) -> None:
    """Map the generated codes and ids of a new nomination's body onto real ones, keeping
    their type: any string becomes an existing code, any non-negative integer an F3 person or
    unit (a letter id: none), so that valid bodies get past "unknown code" to the service's
    own checks."""
    if case.method != "POST" or case.path != "/api/v1/nominations/":
        return
    if not isinstance(case.body, dict):
        return
    for name, choices in fuzz_user["references"].items():
        generated = case.body.get(name)
        wanted = int if name in ("person", "nominee_unit", "letter") else str
        if not choices or not isinstance(generated, wanted) or isinstance(generated, bool):
            continue
        if wanted is int and generated < 0:
            continue
        key = generated if wanted is int else len(generated)
        case.body[name] = choices[key % len(choices)]
    if case.body.get("person") is None and case.body.get("nominee_unit") is None:
        # the schema cannot say "one of the two": name a person, as the form requires
        people = fuzz_user["references"]["person"]
        case.body["person"] = people[len(str(case.body.get("achievements"))) % len(people)]


def _fuzz(operation, fuzz_user) -> Counter:
    """Call the operation with generated inputs, valid and invalid; the statuses answered."""
    statuses = Counter()

    @given(
        case=st.one_of(
            operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )
    )
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,  # the same inputs on every run
        database=None,  # no examples saved and replayed between runs
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case):
        _readable_id(case, fuzz_user)
        _real_references(case, fuzz_user)
        response = case.call_and_validate(headers=fuzz_user["headers"], checks=CHECKS)
        statuses[response.status_code] += 1

    call()
    return statuses


def test_no_generated_input_makes_the_api_fail(api_schema, fuzz_user, subtests):
    labels = [result.ok().label for result in api_schema.get_all_operations()]
    assert sorted(labels) == sorted(OPERATIONS), "a new operation: add it to OPERATIONS"
    for label in OPERATIONS:
        method, path = label.split(" ", 1)
        with subtests.test(msg=label), transaction.atomic():
            started = time.monotonic()
            statuses = _fuzz(api_schema[path][method], fuzz_user)
            print(f"{label}: {dict(statuses)} in {time.monotonic() - started:.1f}s")
            if label == "POST /api/v1/nominations/" and fuzz_user["may_prepare"]:
                assert statuses[201], "no generated nomination got past validation"
            transaction.set_rollback(True)  # what one operation changed, the next does not see
