"""Where the rules run: at submission, again at the secretariat's appraisal, on demand for a
whole letter; and the secretariat's override, recorded in the timeline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from approvals.models import (
    AuditEvent,
    AwardRule,
    EventAction,
    Initiative,
    NominationEvent,
    PendingCase,
    RuleOverride,
    Unit,
)
from approvals.models.catalogue import RuleKind
from approvals.services.letters import letter_create
from approvals.services.nominations import Action, stage_act
from approvals.services.rule_overrides import rule_override
from tests.approvals.dossier_helpers import complete_dossier
from tests.approvals.nomination_helpers import nominate, people_of
from tests.approvals.test_registry import record
from tests.approvals.tracking_helpers import advance

pytestmark = pytest.mark.django_db


def open_case(person, reference="15/KL-F3"):
    return PendingCase.objects.create(
        person=person, kind="discipline", reference=reference, opened_on=datetime.date(2026, 9, 1)
    )


def pending_rule(nomination) -> AwardRule:
    version = nomination.award.version_for(nomination.campaign)
    return version.rules.get(kind=RuleKind.NO_PENDING_DISCIPLINE)


def snapshot(nomination):
    nomination.refresh_from_db()
    return (
        nomination.status,
        nomination.stage_position,
        nomination.events.count(),
        AuditEvent.objects.count(),
    )


def test_submission_is_refused_with_every_failed_rule_and_nothing_moves(demo_user):
    person = people_of("f3")[15]  # no initiative in the demo data
    open_case(person)
    nomination = nominate(demo_user, person=person, award="cstdcs")
    officer = demo_user("canbo.f3")
    complete_dossier(nomination, officer)
    before = snapshot(nomination)
    with pytest.raises(ValidationError) as refused:
        stage_act(actor=officer, nomination=nomination, action=Action.APPROVE)
    text = " ".join(refused.value.messages)
    assert "15/KL-F3" in text  # the pending case, named
    assert "Chiến sĩ tiên tiến" in text  # the same-year prerequisite
    assert "sáng kiến" in text  # the initiative
    assert text.count("Cách khắc phục") == 3
    assert snapshot(nomination) == before


def test_an_eligible_nomination_is_submitted(demo_user):
    person = people_of("f3")[1]
    record(person, award="cstt", year=2026)
    Initiative.objects.create(
        person=person, title="Bộ đếm phát bắn", level=2, recognised_on=datetime.date(2026, 4, 2)
    )
    nomination = nominate(demo_user, person=person, award="cstdcs")
    complete_dossier(nomination, demo_user("canbo.f3"))
    nomination = stage_act(
        actor=demo_user("canbo.f3"), nomination=nomination, action=Action.APPROVE
    )
    assert nomination.status == "in_progress"


def test_the_officer_sees_the_failures_and_remedies_before_sending(demo_user, client_for):
    person = people_of("f3")[2]
    open_case(person)
    nomination = nominate(demo_user, person=person)
    page = client_for("canbo.f3").get(reverse("nomination_detail", args=[nomination.pk]))
    html = page.content.decode()
    assert 'id="eligibility"' in html
    assert "15/KL-F3" in html
    assert "Chỉ đề nghị khi vụ việc đã được kết luận" in html
    assert 'data-action="override"' not in html  # only the secretariat overrides

    complete_dossier(nomination, demo_user("canbo.f3"))
    response = client_for("canbo.f3").post(
        reverse("nomination_act", args=[nomination.pk]), {"action": "approve"}
    )
    assert response.status_code == 400
    assert "15/KL-F3" in response.content.decode()
    nomination.refresh_from_db()
    assert nomination.status == "draft"


def test_appraisal_rechecks_and_the_secretariat_overrides_with_a_reason(demo_user, client_for):
    person = people_of("f3")[3]
    nomination = advance(nominate(demo_user, person=person, award="bk-bqp"), "appraisal")
    open_case(person, reference="KL-09")  # opened after the submission
    secretariat = demo_user("tth.canbo")
    complete_dossier(nomination, secretariat)
    before = snapshot(nomination)
    with pytest.raises(ValidationError, match="KL-09"):
        stage_act(actor=secretariat, nomination=nomination, action=Action.APPROVE)
    assert snapshot(nomination) == before

    client = client_for("tth.canbo")
    url = reverse("nomination_override", args=[nomination.pk])
    rule = pending_rule(nomination)
    refused = client.post(url, {"rule": rule.pk, "reason": "  "})
    assert refused.status_code == 400
    assert not RuleOverride.objects.filter(nomination=nomination).exists()

    reason = "Vụ việc chỉ là nhắc nhở, Thường trực Hội đồng đã xem xét ngày 20/11."
    assert client.post(url, {"rule": rule.pk, "reason": reason}).status_code == 302
    event = nomination.events.get(action=EventAction.OVERRIDDEN)
    assert event.comment == reason and event.actor == secretariat
    assert event.data["rule"] == rule.description
    page = client.get(reverse("nomination_detail", args=[nomination.pk])).content.decode()
    assert reason in page  # in the panel and in the timeline
    nomination = stage_act(actor=secretariat, nomination=nomination, action=Action.APPROVE)
    assert nomination.current_stage.kind == "council_vote"


def test_only_the_secretariat_overrides_and_only_a_failed_rule(demo_user):
    person = people_of("f3")[4]
    nomination = nominate(demo_user, person=person)
    rule = pending_rule(nomination)
    with pytest.raises(ValidationError, match="đang không đạt"):
        rule_override(actor=demo_user("tth.canbo"), nomination=nomination, rule=rule, reason="Thử.")
    open_case(person)
    for username in ("canbo.f3", "chihuy.f3", "hd.chutich", "bqp.thutruong"):
        with pytest.raises(PermissionDenied):
            rule_override(
                actor=demo_user(username), nomination=nomination, rule=rule, reason="Thử."
            )
    assert not RuleOverride.objects.exists()
    assert not NominationEvent.objects.filter(action=EventAction.OVERRIDDEN).exists()


def test_a_failed_override_keeps_what_was_typed(demo_user, client_for):
    person = people_of("f3")[5]
    nomination = advance(nominate(demo_user, person=person, award="bk-bqp"), "appraisal")
    open_case(person)
    rule = pending_rule(nomination)
    client = client_for("tth.canbo")
    url = reverse("nomination_override", args=[nomination.pk])
    typed = "Lý do đã gõ, phải còn nguyên. " * 70  # over the 2,000 characters allowed
    response = client.post(url, {"rule": rule.pk, "reason": typed})
    html = response.content.decode()
    assert response.status_code == 400
    assert "2000" in html  # the limit, in the error
    assert typed.strip() in html.replace("\n", "")
    other_rule = AwardRule.objects.filter(kind=RuleKind.CONSECUTIVE_PRIOR).first()
    response = client.post(url, {"rule": other_rule.pk, "reason": "Thử."})
    assert response.status_code == 400
    assert "không thuộc tiêu chuẩn" in response.content.decode()
    assert not RuleOverride.objects.exists()


def test_the_whole_letter_is_checked_on_demand(demo_user, client_for):
    f3 = Unit.objects.get(code="f3")
    letter = letter_create(
        actor=demo_user("canbo.f3"),
        unit=f3,
        campaign=nominate(demo_user, index=6).campaign,
        title="Đề nghị tặng Giấy khen năm 2026",
    )
    people = list(people_of("f3")[7:10])
    open_case(people[1], reference="KL-LETTER")
    for person in people:
        nomination = nominate(demo_user, person=person)
        nomination.letter = letter
        nomination.save(update_fields=["letter"])
    page = client_for("canbo.f3").get(reverse("letter_eligibility", args=[letter.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 / 3 đề nghị còn điều kiện không đạt" in html
    assert "KL-LETTER" in html
    assert html.count("✗ Chưa đủ điều kiện") == 1
    # another unit's officer cannot read the letter
    assert (
        client_for("canbo.qk3").get(reverse("letter_eligibility", args=[letter.pk])).status_code
        == 404
    )


def test_the_letter_check_counts_queries_once_for_all_its_nominations(
    demo_user, client_for, django_assert_max_num_queries
):
    f3 = Unit.objects.get(code="f3")
    campaign = nominate(demo_user, index=10).campaign
    letter = letter_create(actor=demo_user("canbo.f3"), unit=f3, campaign=campaign, title="Thử")
    client = client_for("canbo.f3")

    def fill_and_count(count):
        for person in list(people_of("f3").filter(nominations__isnull=True)[:count]):
            nomination = nominate(demo_user, person=person)
            nomination.letter = letter
            nomination.save(update_fields=["letter"])
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("letter_eligibility", args=[letter.pk])).status_code == 200
        return len(captured)

    assert fill_and_count(2) == fill_and_count(20)


def test_a_letter_with_one_ineligible_nomination_sends_none(demo_user):
    from approvals.services.letters import letter_act

    officer = demo_user("canbo.f3")
    people = list(people_of("f3")[11:14])
    open_case(people[2], reference="KL-THIRD")
    nominations = [nominate(demo_user, person=person) for person in people]
    letter = letter_create(
        actor=officer,
        unit=Unit.objects.get(code="f3"),
        campaign=nominations[0].campaign,
        title="Đề nghị tặng Giấy khen",
    )
    for nomination in nominations:
        nomination.letter = letter
        nomination.save(update_fields=["letter"])
        complete_dossier(nomination, officer)
    before = [snapshot(n) for n in nominations]
    with pytest.raises(ValidationError, match="KL-THIRD"):
        letter_act(actor=officer, letter=letter, action=Action.APPROVE)
    assert [snapshot(n)[:3] for n in nominations] == [b[:3] for b in before]
