"""A spread of nominations for the list's filters and the dashboard, made through the services.

Sư đoàn 3 (under Quân khu 1, a member of Khối 2) has one nomination at each point a demo
route reaches and one of each outcome; Quân khu 3 (also in Khối 2) has one at the
secretariat's appraisal, so that each filter has rows that must and must not match.
"""

import datetime

from django.utils import timezone

from approvals.models import Nomination, NominationEvent, Unit
from approvals.selectors.nominations import acting_users
from approvals.services.nominations import (
    ReturnTo,
    nomination_withdraw,
    stage_act,
)
from approvals.services.roles import role_grant
from tests.approvals.nomination_helpers import (
    approve,
    move,
    nominate,
    nominate_collective,
    people_of,
)
from tests.factories.organisation import PersonFactory, UnitFactory, UserFactory


def advance(nomination: Nomination, kind: str) -> Nomination:
    """Approve as whoever acts until the nomination waits at a stage of that kind."""
    while nomination.current_stage.kind != kind:
        nomination = approve(acting_users(nomination).first(), nomination)
    return nomination


def spread(demo_user) -> dict[str, Nomination]:
    f3 = Unit.objects.get(code="f3")
    qk3_commander = UserFactory(username="chihuy.qk3")
    role_grant(
        actor=None, user=qk3_commander, role="unit_commander", unit=Unit.objects.get(code="qk3")
    )
    people = list(people_of("f3")[:12])
    duc = PersonFactory(full_name="Nguyễn Văn Đức", unit=f3)
    regiment = UnitFactory(parent=f3, code="e-dak-to", name="Trung đoàn Bộ binh Đắk Tô")
    n = {
        "draft": nominate(demo_user, person=people[0]),
        "at_unit": move(demo_user, nominate(demo_user, person=people[1]), "canbo.f3"),
        "at_parent": move(demo_user, nominate(demo_user, person=duc), "canbo.f3", "chihuy.f3"),
        "awarded": move(
            demo_user,
            nominate(demo_user, person=people[2]),
            "canbo.f3",
            "chihuy.f3",
            "canbo.qk1",
            "chihuy.qk1",
        ),
        "at_council": advance(
            nominate(demo_user, person=people[3], award="bk-bqp"), "council_vote"
        ),
        "at_appraisal": advance(
            nominate(demo_user, by="canbo.qk3", unit="qk3", award="bk-bqp"), "appraisal"
        ),
    }
    collective = nominate_collective(demo_user, regiment)
    n["at_bloc"] = advance(collective, "bloc_vote")
    rejected = move(demo_user, nominate(demo_user, person=people[4]), "canbo.f3")
    n["rejected"] = stage_act(
        actor=demo_user("chihuy.f3"), nomination=rejected, action="reject", comment="Chưa đạt."
    )
    returned = move(demo_user, nominate(demo_user, person=people[5]), "canbo.f3")
    n["returned"] = stage_act(
        actor=demo_user("chihuy.f3"),
        nomination=returned,
        action="return",
        return_to=ReturnTo.UNIT,
        comment="Bổ sung số liệu.",
    )
    withdrawn = move(demo_user, nominate(demo_user, person=people[6]), "canbo.f3")
    n["withdrawn"] = nomination_withdraw(actor=demo_user("canbo.f3"), nomination=withdrawn)
    # the one at Quân khu 1 is three days late
    Nomination.objects.filter(pk=n["at_parent"].pk).update(
        due_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    return {name: Nomination.objects.get(pk=nomination.pk) for name, nomination in n.items()}


def backdate(nomination: Nomination, *days_ago: int) -> None:
    """Move the nomination's events into the past, oldest first (one age per event)."""
    events = list(
        NominationEvent.objects.filter(nomination=nomination).order_by("created_at", "pk")
    )
    assert len(events) == len(days_ago), [event.action for event in events]
    now = timezone.now()
    for event, days in zip(events, days_ago, strict=True):
        NominationEvent.objects.filter(pk=event.pk).update(
            created_at=now - datetime.timedelta(days=days)
        )
