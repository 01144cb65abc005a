"""Public posting: everyone may read the posted nominees and object; the nominee moves on
only after the period has ended and every objection has its answer."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from approvals.models import Nomination, Objection
from approvals.selectors.nominations import acting_users
from approvals.services.nominations import stage_act
from approvals.services.posting import objection_answer, objection_lodge
from tests.approvals.nomination_helpers import approve, nominate

pytestmark = pytest.mark.django_db


@pytest.fixture
def posted(demo_user):
    nomination = nominate(demo_user, award="hc-bvtq-3")
    while nomination.current_stage.kind != "posting":
        nomination = approve(acting_users(nomination).first(), nomination)
    return nomination


def test_everyone_sees_the_posted_nominee_and_may_object(posted, client_for):
    page = client_for("canbo.qk3").get(reverse("posting_list")).content.decode()
    assert f'data-nomination="{posted.pk}"' in page and posted.nominee_name in page
    response = client_for("canbo.qk3").post(
        reverse("objection_create", args=[posted.pk]), {"text": "Đồng chí này bị kỷ luật năm 2025."}
    )
    assert response.status_code == 302
    objection = Objection.objects.get(nomination=posted)
    assert objection.lodged_by.username == "canbo.qk3"
    # the secretariat is told
    assert posted.notifications.filter(recipient__username="tth.canbo").count() >= 2


def test_an_empty_objection_keeps_the_page_and_says_why(posted, client_for):
    response = client_for("canbo.qk3").post(
        reverse("objection_create", args=[posted.pk]), {"text": ""}
    )
    assert response.status_code == 400
    assert "Trường này là bắt buộc." in response.content.decode()


def test_the_nominee_moves_on_only_after_the_period_and_the_answers(posted, demo_user):
    assert posted.posted_until > timezone.localdate()
    objection = objection_lodge(actor=demo_user("canbo.qk3"), nomination=posted, text="Phản ánh.")
    with pytest.raises(ValidationError, match="Chưa hết thời gian công khai"):
        stage_act(actor=demo_user("tth.canbo"), nomination=posted, action="approve")
    Nomination.objects.filter(pk=posted.pk).update(
        posted_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="Còn 1 ý kiến phản ánh chưa được trả lời"):
        stage_act(actor=demo_user("tth.canbo"), nomination=posted, action="approve")
    with pytest.raises(Exception):  # noqa: B017 - only the stage's actor answers
        objection_answer(actor=demo_user("canbo.qk3"), objection=objection, answer="Đã xác minh.")
    objection_answer(
        actor=demo_user("tth.canbo"), objection=objection, answer="Đã xác minh: không có kỷ luật."
    )
    moved = stage_act(actor=demo_user("tth.canbo"), nomination=posted, action="approve")
    assert moved.current_stage.kind == "council_vote"
    assert moved.posted_until is None


def test_objections_close_with_the_period(posted, demo_user):
    Nomination.objects.filter(pk=posted.pk).update(
        posted_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="Đã hết thời gian công khai"):
        objection_lodge(actor=demo_user("canbo.qk3"), nomination=posted, text="Muộn.")
