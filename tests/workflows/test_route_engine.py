"""One flow runs every route: a route made only of data carries a nomination to the end."""

import datetime

import pytest
from viewflow.workflow.models import Task

from approvals.models import Award, Campaign, Nomination, NominationStatus, Unit
from approvals.selectors.nominations import acting_users, timeline
from approvals.services.nominations import nomination_create
from approvals.services.roles import role_grant
from tests.approvals.decision_helpers import decide
from tests.approvals.nomination_helpers import approve, people_of
from tests.approvals.test_registry import record
from tests.approvals.voting_helpers import MEETING, decide_by_council
from tests.factories.organisation import UserFactory
from workflows.flows import NominationFlow
from workflows.models import Route
from workflows.routes import route_version_draft, route_version_publish

pytestmark = pytest.mark.django_db

STAGES = [
    ("prepare", "unit", "unit_officer", 5, {}),
    ("approval", "unit", "unit_commander", 3, {}),
    ("appraisal", "direct", "secretariat_officer", 5, {}),
    ("posting", "direct", "secretariat_officer", 10, {"posting_working_days": 10}),
    ("council_vote", "direct", "council_chair", 5, {"threshold_percent": 90}),
    ("decision", "direct", "deciding_authority", 5, {}),
]


def _publish(route, stages):
    version = route_version_draft(
        actor=None,
        route=route,
        stages=[
            {"kind": k, "level": lv, "acting_role": r, "time_limit_working_days": d, "settings": s}
            for k, lv, r, d, s in stages
        ],
    )
    return route_version_publish(actor=None, version=version)


def test_a_route_created_as_data_carries_a_nomination_to_the_decision(demo_user):
    qk1 = Unit.objects.get(code="qk1")
    secretariat, chair = UserFactory(username="tt.qk1"), UserFactory(username="ct.hd.qk1")
    role_grant(actor=None, user=secretariat, role="secretariat_officer", unit=qk1)
    role_grant(actor=None, user=chair, role="council_chair", council=qk1.council)
    # a route of this campaign only: it takes precedence over the award's general route
    route = Route.objects.create(
        code="cstdcs-qk",
        name="CSTĐCS do Tư lệnh quân khu quyết định",
        award=Award.objects.get(code="cstdcs"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
    )
    _publish(route, STAGES)
    # eligible: Chiến sĩ tiên tiến this year, and a regiment-level initiative (demo data)
    record(people_of("f3")[0], award="cstt", year=2026)

    nomination = nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=Unit.objects.get(code="f3"),
        award=Award.objects.get(code="cstdcs"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Chiến sĩ thi đua cơ sở năm 2026.",
        person=people_of("f3")[0],
    )
    seen = []
    while nomination.is_active:
        users = list(acting_users(nomination))
        seen.append((nomination.current_stage.kind, sorted(u.username for u in users)))
        if nomination.current_stage.kind == "council_vote":
            members = qk1.council.roster_on(MEETING).count()
            (nomination,) = decide_by_council(
                demo_user, [nomination], agree=members, council=qk1.council, chair=chair
            )
        else:
            if nomination.current_stage.kind == "posting":  # the posting period has run out
                Nomination.objects.filter(pk=nomination.pk).update(
                    posted_until=datetime.date(2026, 1, 1)
                )
                nomination.refresh_from_db()
            if nomination.current_stage.kind == "decision":
                decide(demo_user, [nomination], by=users[0].username)
                nomination.refresh_from_db()
                continue
            nomination = approve(users[0], nomination)

    assert nomination.status == NominationStatus.AWARDED
    assert seen == [
        ("prepare", ["canbo.f3", "canbo.qk1"]),
        ("approval", ["chihuy.f3"]),
        ("appraisal", ["tt.qk1"]),
        ("posting", ["tt.qk1"]),
        ("council_vote", ["ct.hd.qk1"]),
        ("decision", ["chihuy.qk1"]),
    ]
    # the one flow ran it: a stage task per stage, then the end
    tasks = Task.objects.filter(process=nomination.process).order_by("pk")
    assert [t.flow_task for t in tasks].count(NominationFlow.stage) == len(STAGES)
    assert tasks.last().flow_task == NominationFlow.end
    assert nomination.process.status == "DONE"
    assert len(timeline(nomination)) == len(STAGES) + 1


def test_a_nomination_keeps_the_route_version_it_started_on(demo_user):
    from tests.approvals.nomination_helpers import move, nominate

    started = move(demo_user, nominate(demo_user, index=0), "canbo.f3")
    route = Route.objects.get(code="giay-khen")
    # the new version lets the commander decide directly
    _publish(
        route,
        [
            ("prepare", "unit", "unit_officer", 5, {}),
            ("approval", "unit", "unit_commander", 3, {}),
            ("decision", "parent", "deciding_authority", 5, {}),
        ],
    )
    later = move(demo_user, nominate(demo_user, index=1), "canbo.f3", "chihuy.f3")
    assert later.current_stage.kind == "decision"

    started = move(demo_user, started, "chihuy.f3")
    assert started.current_stage.kind == "review"  # still on the first version's third stage
    assert started.route_version.number == 1 and later.route_version.number == 2
