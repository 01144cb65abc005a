"""Creating and moving demo nominations in tests, through the services."""

from approvals.models import Award, Campaign, Person, Unit
from approvals.services.nominations import Action, nomination_create, stage_act


def people_of(unit_code: str):
    unit = Unit.objects.get(code=unit_code)
    return Person.objects.filter(unit__path__startswith=unit.path).order_by("pk")


def nominate(demo_user, *, by="canbo.f3", unit="f3", award="giay-khen", person=None, index=0):
    submitting = Unit.objects.get(code=unit)
    return nomination_create(
        actor=demo_user(by),
        submitting_unit=submitting,
        award=Award.objects.get(code=award),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Hoàn thành xuất sắc nhiệm vụ năm 2026.",
        person=person or people_of(unit)[index],
    )


def move(demo_user, nomination, *usernames):
    """Approve at each stage as each user in turn; at the decision stage, the user issues a
    decision that awards it."""
    from tests.approvals.decision_helpers import decide

    for username in usernames:
        if nomination.current_stage.kind == "decision":
            decide(demo_user, [nomination], by=username)
            nomination.refresh_from_db()
            continue
        nomination = stage_act(
            actor=demo_user(username), nomination=nomination, action=Action.APPROVE
        )
    return nomination
