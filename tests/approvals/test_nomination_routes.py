"""A nomination carried end to end through each demo route, as the people who act on it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from approvals.models import Award, Campaign, NominationStatus, Person, Unit
from approvals.selectors.nominations import acting_users, inbox_for_user, timeline
from approvals.services.nominations import (
    Action,
    ReturnTo,
    VoteResult,
    nomination_create,
    nomination_withdraw,
    stage_act,
    stage_record_vote_result,
)
from tests.approvals.decision_helpers import decide
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.voting_helpers import decide_by_council

pytestmark = pytest.mark.django_db


def _actors(nomination) -> set[str]:
    return set(acting_users(nomination).values_list("username", flat=True))


def _person_of(unit_code: str) -> Person:
    return Person.objects.filter(unit__code=unit_code).order_by("pk").first()


@pytest.fixture
def start(demo_user):
    def create(award_code: str, *, by: str, unit: str, collective: bool = False):
        submitting = Unit.objects.get(code=unit)
        return nomination_create(
            actor=demo_user(by),
            submitting_unit=submitting,
            award=Award.objects.get(code=award_code),
            campaign=Campaign.objects.get(code="tdqt-2026"),
            achievements="Hoàn thành xuất sắc nhiệm vụ huấn luyện năm 2026.",
            person=None if collective else _person_of(unit),
            nominee_unit=submitting if collective else None,
        )

    return create


def _act(demo_user, username, nomination, action=Action.APPROVE, **kwargs):
    if action == Action.APPROVE:
        complete_dossier(nomination, demo_user(username))
    return stage_act(actor=demo_user(username), nomination=nomination, action=action, **kwargs)


def test_giay_khen_goes_to_the_parent_command_and_is_awarded(start, demo_user):
    nomination = start("giay-khen", by="canbo.f3", unit="f3")
    assert nomination.status == NominationStatus.DRAFT
    # Quân khu 1's officer manages its sub-units' nominations too (the unit's setting)
    assert _actors(nomination) == {"canbo.f3", "canbo.qk1"}

    nomination = _act(demo_user, "canbo.f3", nomination)
    assert (nomination.stage_position, _actors(nomination)) == (2, {"chihuy.f3"})
    assert nomination in inbox_for_user(demo_user("chihuy.f3"))

    nomination = _act(demo_user, "chihuy.f3", nomination)
    assert (nomination.stage_position, nomination.acting_unit.code) == (3, "qk1")
    assert _actors(nomination) == {"canbo.qk1"}

    nomination = _act(demo_user, "canbo.qk1", nomination)
    assert _actors(nomination) == {"chihuy.qk1"}
    with pytest.raises(ValidationError):  # awarded only by a numbered decision
        _act(demo_user, "chihuy.qk1", nomination, comment="Đồng ý tặng Giấy khen.")
    decision = decide(demo_user, [nomination], by="chihuy.qk1", issuer_title="Tư lệnh Quân khu 1")
    nomination.refresh_from_db()

    assert nomination.status == NominationStatus.AWARDED
    assert not _actors(nomination)
    assert nomination.process.status == "DONE"
    record = nomination.award_records.get()  # the award enters the registry with the award
    assert (record.person, record.award.code, record.year, record.authority) == (
        nomination.person,
        "giay-khen",
        2026,
        "Tư lệnh Quân khu 1",
    )
    assert (record.decision, record.decision_number) == (decision, decision.number)
    assert decision.authority == Unit.objects.get(code="qk1")
    steps = [
        (e.action, e.from_position, e.to_position, e.actor.username) for e in timeline(nomination)
    ]
    assert steps == [
        ("created", None, 1, "canbo.f3"),
        ("submitted", 1, 2, "canbo.f3"),
        ("approved", 2, 3, "chihuy.f3"),
        ("approved", 3, 4, "canbo.qk1"),
        ("awarded", 4, None, "chihuy.qk1"),
    ]


def test_bang_khen_returned_to_the_unit_resumes_at_the_stage_that_returned_it(start, demo_user):
    nomination = start("bk-bqp", by="canbo.f3", unit="f3")
    for username in ("canbo.f3", "chihuy.f3", "canbo.qk1", "chihuy.qk1"):
        nomination = _act(demo_user, username, nomination)
    assert (nomination.current_stage.kind, _actors(nomination)) == ("appraisal", {"tth.canbo"})

    with pytest.raises(ValidationError):
        _act(demo_user, "tth.canbo", nomination, Action.RETURN, return_to=ReturnTo.UNIT)
    nomination.refresh_from_db()
    assert nomination.stage_position == 5  # a refused return leaves it where it was

    nomination = _act(
        demo_user,
        "tth.canbo",
        nomination,
        Action.RETURN,
        return_to=ReturnTo.UNIT,
        comment="Bổ sung báo cáo thành tích có xác nhận.",
    )
    assert nomination.status == NominationStatus.RETURNED
    assert (nomination.stage_position, _actors(nomination)) == (1, {"canbo.f3", "canbo.qk1"})

    nomination = _act(demo_user, "canbo.f3", nomination, comment="Đã bổ sung.")
    assert nomination.current_stage.kind == "appraisal"
    assert _actors(nomination) == {"tth.canbo"}

    nomination = _act(demo_user, "tth.canbo", nomination)
    assert _actors(nomination) == {"hd.thuky"}
    with pytest.raises(ValidationError):
        _act(demo_user, "hd.thuky", nomination)  # a vote stage moves only on a vote result
    with pytest.raises(ValidationError):  # a council's result only comes from its session
        stage_record_vote_result(
            actor=demo_user("hd.thuky"),
            nomination=nomination,
            result=VoteResult(passed=True, agree=15, members=17, required=9),
        )
    (nomination,) = decide_by_council(demo_user, [nomination], agree=15)
    assert _actors(nomination) == {"bqp.thutruong"}
    decide(demo_user, [nomination], by="bqp.thutruong")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.AWARDED

    actions = [e.action for e in timeline(nomination)]
    assert actions == [
        "created",
        "submitted",
        "approved",
        "approved",
        "approved",
        "returned",
        "submitted",
        "approved",
        "voted",
        "awarded",
    ]
    returned = timeline(nomination).get(action="returned")
    assert returned.comment == "Bổ sung báo cáo thành tích có xác nhận."
    assert (returned.from_position, returned.to_position) == (5, 1)


def test_co_thi_dua_goes_through_the_bloc_and_is_rejected_by_the_council_vote(start, demo_user):
    nomination = start("co-bqp", by="canbo.qk1", unit="qk1", collective=True)
    nomination = _act(demo_user, "canbo.qk1", nomination)
    nomination = _act(demo_user, "chihuy.qk1", nomination)
    assert nomination.current_stage.kind == "bloc_vote"
    assert nomination.acting_bloc.code == "khoi-2"
    assert _actors(nomination) == {"khoi2.canbo"}

    nomination = stage_record_vote_result(
        actor=demo_user("khoi2.canbo"),
        nomination=nomination,
        result=VoteResult(passed=True, agree=3, members=3, required=2),
    )
    nomination = _act(demo_user, "tth.canbo", nomination)
    (nomination,) = decide_by_council(demo_user, [nomination], agree=8)
    assert nomination.status == NominationStatus.REJECTED
    assert not hasattr(nomination, "award_record")  # nothing enters the registry
    last = timeline(nomination).last()
    assert "8/17" in last.comment and last.data == {"agree": 8, "members": 17, "required": 9}
    assert last.actor.username == "hd.chutich"  # the chair's conclusion moved it


def test_a_rejection_needs_a_reason_and_ends_the_process(start, demo_user):
    nomination = start("giay-khen", by="canbo.f3", unit="f3")
    nomination = _act(demo_user, "canbo.f3", nomination)
    with pytest.raises(ValidationError):
        _act(demo_user, "chihuy.f3", nomination, Action.REJECT)
    nomination = _act(
        demo_user, "chihuy.f3", nomination, Action.REJECT, comment="Chưa đủ tiêu chuẩn."
    )
    assert nomination.status == NominationStatus.REJECTED
    assert nomination.process.status == "DONE"
    assert nomination.notifications.filter(recipient__username="canbo.f3").exists()


def test_only_the_stage_actor_may_act(start, demo_user):
    nomination = start("giay-khen", by="canbo.f3", unit="f3")
    nomination = _act(demo_user, "canbo.f3", nomination)
    for outsider in ("canbo.f3", "canbo.qk3", "chihuy.qk1", "tth.canbo", "quantri"):
        with pytest.raises(PermissionDenied):
            _act(demo_user, outsider, nomination)
    nomination.refresh_from_db()
    assert nomination.stage_position == 2


def test_the_unit_withdraws_before_the_decision(start, demo_user):
    nomination = start("giay-khen", by="canbo.f3", unit="f3")
    nomination = _act(demo_user, "canbo.f3", nomination)
    with pytest.raises(PermissionDenied):
        nomination_withdraw(actor=demo_user("chihuy.qk1"), nomination=nomination)
    nomination = nomination_withdraw(
        actor=demo_user("canbo.f3"), nomination=nomination, comment="Đổi đối tượng."
    )
    assert nomination.status == NominationStatus.WITHDRAWN
    assert nomination not in inbox_for_user(demo_user("chihuy.f3"))
