"""Creating and moving demo nominations in tests, through the services."""

from approvals.models import Award, Campaign, Person, Unit
from approvals.services.nominations import Action, nomination_create, stage_act
from tests.approvals.dossier_helpers import complete_dossier


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


def nominate_collective(
    demo_user, nominee_unit, *, achievements="Đơn vị dẫn đầu phong trào thi đua."
):
    """Sư đoàn 3's officer proposes one of its units for the Ministry's emulation flag."""
    return nomination_create(
        actor=demo_user("canbo.f3"),
        submitting_unit=Unit.objects.get(code="f3"),
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements=achievements,
        nominee_unit=nominee_unit,
    )


def approve(user, nomination):
    """Approve at the current stage as the user, who first uploads what the stage requires."""
    complete_dossier(nomination, user)
    return stage_act(actor=user, nomination=nomination, action=Action.APPROVE)


def move(demo_user, nomination, *usernames):
    """Approve at each stage as each user in turn, each uploading the documents their stage
    requires; at the decision stage, the user issues a decision that awards it."""
    from tests.approvals.decision_helpers import decide

    for username in usernames:
        if nomination.current_stage.kind == "decision":
            decide(demo_user, [nomination], by=username)
            nomination.refresh_from_db()
            continue
        nomination = approve(demo_user(username), nomination)
    return nomination
