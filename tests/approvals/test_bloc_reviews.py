"""A bloc's year-end review: open scoring, secret acclamation within the quota, ties, and the
result delivered into the members' Cờ thi đua BQP nominations."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.urls import reverse

from approvals.models import (
    AcclaimChoice,
    AcclaimMark,
    AcclaimResult,
    AuditEvent,
    Award,
    BlocCriterion,
    BlocDelegate,
    Campaign,
    EmulationBloc,
    NominationStatus,
    ReviewStatus,
    Unit,
)
from approvals.services import bloc_reviews as services
from approvals.services.nominations import nomination_create
from approvals.services.roles import role_grant
from tests.approvals.nomination_helpers import move
from tests.factories.organisation import UserFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
MEMBERS = ["qk1", "qk2", "qk3", "qk4", "qk5", "qk7", "qk9", "btlhn"]


def units() -> dict[str, Unit]:
    return {unit.code: unit for unit in Unit.objects.filter(code__in=MEMBERS)}


def configure_criteria(bloc: EmulationBloc, year: int = YEAR) -> list[BlocCriterion]:
    return [
        BlocCriterion.objects.create(
            bloc=bloc, year=year, name="Huấn luyện, SSCĐ", weight=2, max_score=10, order=1
        ),
        BlocCriterion.objects.create(
            bloc=bloc, year=year, name="Xây dựng chính quy", weight=1, max_score=10, order=2
        ),
    ]


def delegates() -> dict[str, object]:
    return {code: UserFactory(username=f"daibieu.{code}") for code in MEMBERS}


def open_review(demo_user, **rules):
    """Khối 2's 2026 review with a delegate per member, criteria set, scoring open."""
    bloc = EmulationBloc.objects.get(code="khoi-2")
    configure_criteria(bloc)
    people = delegates()
    by_code = units()
    review = services.review_create(
        actor=demo_user("khoi2.canbo"),
        bloc=bloc,
        year=YEAR,
        title="Hội nghị tổng kết Khối thi đua số 2 năm 2026",
        meeting_date=datetime.date(2026, 11, 5),
        delegates={by_code[code].pk: user for code, user in people.items()},
        **rules,
    )
    review = services.scoring_open(actor=demo_user("khoi2.canbo"), review=review)
    return review, people


def score_all(review, people, value=8):
    criteria = services.criteria_of(review)
    for user in people.values():
        delegate = services.delegate_of(user, review)
        services.score_record(
            actor=user,
            review=review,
            scores={
                (unit.pk, criterion.pk): value
                for unit in services.units_to_score(review, delegate)
                for criterion in criteria
            },
        )


def vote(review, people, ballots: dict[str, list[str]]):
    by_code = units()
    for voter, chosen in ballots.items():
        services.acclaim_cast(
            actor=people[voter], review=review, units=[by_code[code].pk for code in chosen]
        )


def acclaiming(demo_user, **rules):
    review, people = open_review(demo_user, **rules)
    review = services.acclaim_open(actor=demo_user("khoi2.canbo"), review=review)
    return review, people


def result_of(review, code, round_=None):
    return AcclaimResult.objects.get(review=review, unit__code=code, round=round_ or review.round)


def test_only_the_blocs_officer_sets_up_a_review(demo_user):
    bloc = EmulationBloc.objects.get(code="khoi-2")
    for outsider in ("canbo.f3", "canbo.qk3", "hd.chutich"):
        with pytest.raises(PermissionDenied):
            services.review_create(
                actor=demo_user(outsider),
                bloc=bloc,
                year=YEAR,
                title="Hội nghị",
                meeting_date=datetime.date(2026, 11, 5),
            )
    review = services.review_create(
        actor=demo_user("khoi2.canbo"),
        bloc=bloc,
        year=YEAR,
        title="Hội nghị",
        meeting_date=datetime.date(2026, 11, 5),
    )
    assert (review.quota, review.own_unit_vote_allowed, review.status) == (1, False, "preparing")
    assert review.award.code == "co-bqp"
    with pytest.raises(ValidationError):  # every member unit needs a delegate first
        services.scoring_open(actor=demo_user("khoi2.canbo"), review=review)
    people = delegates()
    by_code = units()
    services.delegates_set(
        actor=demo_user("khoi2.canbo"),
        review=review,
        delegates={by_code[code].pk: user for code, user in people.items()},
    )
    with pytest.raises(ValidationError, match="tiêu chí"):
        services.scoring_open(actor=demo_user("khoi2.canbo"), review=review)
    configure_criteria(bloc)
    review = services.scoring_open(actor=demo_user("khoi2.canbo"), review=review)
    assert review.status == ReviewStatus.SCORING
    with pytest.raises(ValidationError):  # one review per bloc and year
        services.review_create(
            actor=demo_user("khoi2.canbo"),
            bloc=bloc,
            year=YEAR,
            title="Hội nghị lần hai",
            meeting_date=datetime.date(2026, 11, 6),
        )


def test_a_unit_outside_the_bloc_that_year_cannot_have_a_delegate(demo_user):
    with pytest.raises(ValidationError):
        services.review_create(
            actor=demo_user("khoi2.canbo"),
            bloc=EmulationBloc.objects.get(code="khoi-2"),
            year=YEAR,
            title="Hội nghị",
            meeting_date=datetime.date(2026, 11, 5),
            delegates={Unit.objects.get(code="f3").pk: UserFactory()},
        )


def test_weighted_total_is_the_weighted_mean_per_scorer_then_averaged(demo_user):
    review, people = open_review(demo_user)
    score_all(review, people, value=6)
    training, regulars = services.criteria_of(review)
    qk1 = units()["qk1"]

    def rescore(voter, on_qk1):
        user = people[voter]
        delegate = services.delegate_of(user, review)
        scores = {
            (unit.pk, criterion.pk): 6
            for unit in services.units_to_score(review, delegate)
            for criterion in (training, regulars)
        }
        scores.update(on_qk1)
        services.score_record(actor=user, review=review, scores=scores)

    # qk2: (2×8 + 1×5) / 3 = 7; qk3: (2×10 + 1×10) / 3 = 10; the others 6
    rescore("qk2", {(qk1.pk, training.pk): 8, (qk1.pk, regulars.pk): 5})
    rescore("qk3", {(qk1.pk, training.pk): 10, (qk1.pk, regulars.pk): Decimal("10")})
    totals = services.weighted_scores(review)
    # 7 scorers of qk1 (its own delegate does not score it): (7 + 10 + 5 × 6) / 7
    assert totals[qk1.pk] == Decimal("6.71")
    assert totals[units()["qk2"].pk] == Decimal("6.00")


def test_scores_stay_within_the_maximum_and_off_the_own_unit(demo_user):
    review, people = open_review(demo_user)
    user = people["qk2"]
    delegate = services.delegate_of(user, review)
    criteria = services.criteria_of(review)
    scores = {
        (unit.pk, criterion.pk): 5
        for unit in services.units_to_score(review, delegate)
        for criterion in criteria
    }
    with pytest.raises(ValidationError, match="từ 0 đến 10"):
        services.score_record(actor=user, review=review, scores={**scores, next(iter(scores)): 11})
    with pytest.raises(ValidationError, match="đơn vị mình"):
        services.score_record(
            actor=user,
            review=review,
            scores={**scores, (units()["qk2"].pk, criteria[0].pk): 10},
        )
    with pytest.raises(ValidationError, match="chấm đủ"):
        services.score_record(actor=user, review=review, scores=dict(list(scores.items())[1:]))
    with pytest.raises(PermissionDenied):
        services.score_record(actor=demo_user("canbo.qk3"), review=review, scores=scores)
    services.score_record(actor=user, review=review, scores=scores)
    assert review.scores.filter(delegate=delegate).count() == 14  # 7 units × 2 criteria


def test_a_delegate_votes_once_and_not_for_their_own_unit(demo_user):
    review, people = acclaiming(demo_user)
    by_code = units()
    with pytest.raises(ValidationError, match="đơn vị mình"):
        services.acclaim_cast(actor=people["qk1"], review=review, units=[by_code["qk1"].pk])
    services.acclaim_cast(actor=people["qk1"], review=review, units=[by_code["qk3"].pk])
    with pytest.raises(ValidationError, match="đã bỏ phiếu"):
        services.acclaim_cast(actor=people["qk1"], review=review, units=[by_code["qk2"].pk])
    with pytest.raises(PermissionDenied):
        services.acclaim_cast(
            actor=demo_user("khoi2.canbo"), review=review, units=[by_code["qk3"].pk]
        )
    assert AcclaimMark.objects.filter(review=review).count() == 1
    assert AcclaimChoice.objects.filter(review=review).count() == 1
    event = AuditEvent.objects.filter(verb="bloc_review.acclaim").get()
    assert event.data == {"round": 1}


def test_own_unit_votes_where_the_blocs_rules_allow_them(demo_user):
    review, people = acclaiming(demo_user, own_unit_vote_allowed=True)
    services.acclaim_cast(actor=people["qk1"], review=review, units=[units()["qk1"].pk])
    assert AcclaimChoice.objects.filter(review=review, unit__code="qk1").count() == 1


def test_the_quota_bounds_each_ballot_and_the_proposal(demo_user):
    review, people = acclaiming(demo_user, quota=2)
    with pytest.raises(ValidationError, match="tối đa 2"):
        vote(review, people, {"qk1": ["qk2", "qk3", "qk4"]})
    vote(
        review,
        people,
        {
            "qk1": ["qk3", "qk4"],
            "qk2": ["qk3", "qk4"],
            "qk3": ["qk4", "qk1"],
            "qk4": ["qk3", "qk2"],
            "qk5": ["qk3"],
            "qk7": [],  # an empty ballot counts as cast
        },
    )
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    assert review.status == ReviewStatus.CLOSED
    proposed = {r.unit.code: r.votes for r in AcclaimResult.objects.filter(proposed=True)}
    assert proposed == {"qk3": 4, "qk4": 3}
    assert not AcclaimResult.objects.filter(review=review, tied=True).exists()
    assert AcclaimChoice.objects.filter(review=review).count() == 9  # rewritten, not lost


def test_a_tie_at_the_quota_goes_to_another_round_among_the_tied(demo_user):
    review, people = acclaiming(demo_user)
    vote(
        review,
        people,
        {"qk1": ["qk3"], "qk2": ["qk3"], "qk3": ["qk1"], "qk4": ["qk1"], "qk5": ["qk2"]},
    )
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    assert (review.status, review.round) == (ReviewStatus.ACCLAIMING, 2)
    assert {r.unit.code for r in AcclaimResult.objects.filter(round=1, tied=True)} == {
        "qk1",
        "qk3",
    }
    assert {u.code for u in services.candidates(review)} == {"qk1", "qk3"}
    with pytest.raises(ValidationError, match="trên phiếu"):  # qk2 is off the second ballot
        vote(review, people, {"qk1": ["qk2"]})
    vote(review, people, {"qk1": ["qk3"], "qk2": ["qk3"], "qk4": ["qk1"], "qk5": ["qk3"]})
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    assert review.status == ReviewStatus.CLOSED
    assert result_of(review, "qk3").proposed
    assert (result_of(review, "qk1").votes, result_of(review, "qk1").proposed) == (1, False)
    assert [r.unit.code for r in services.final_results(review)][:2] == ["qk3", "qk1"]


def test_a_tie_left_to_the_leader_is_recorded_as_the_leaders_decision(demo_user, client):
    review, people = acclaiming(demo_user, tie_rule="leader_decides")
    vote(review, people, {"qk1": ["qk3"], "qk3": ["qk1"], "qk4": ["qk1"], "qk5": ["qk3"]})
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    assert review.status == ReviewStatus.CLOSED
    assert services.tie_pending(review)
    by_code = units()
    with pytest.raises(ValidationError, match="bằng phiếu chờ"):
        services.review_submit(actor=demo_user("khoi2.canbo"), review=review, minutes="Biên bản")
    with pytest.raises(PermissionDenied):  # QK1's officer does not lead the bloc in 2026
        services.leader_decide(
            actor=demo_user("canbo.qk1"), review=review, units=[by_code["qk3"].pk], decision="x"
        )
    with pytest.raises(ValidationError, match="đúng 1"):
        services.leader_decide(
            actor=demo_user("canbo.qk3"),
            review=review,
            units=[by_code["qk1"].pk, by_code["qk3"].pk],
            decision="Chọn cả hai.",
        )
    client.force_login(demo_user("canbo.qk3"))
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert 'data-action="bloc_review_decide"' in page
    # QK3 leads the bloc in 2026: its officer decides
    review = services.leader_decide(
        actor=demo_user("canbo.qk3"),
        review=review,
        units=[by_code["qk1"].pk],
        decision="Quân khu 1 có điểm chấm cao hơn.",
    )
    assert review.decided_by == demo_user("canbo.qk3")
    assert review.leader_decision == "Quân khu 1 có điểm chấm cao hơn."
    qk1, qk3 = result_of(review, "qk1"), result_of(review, "qk3")
    assert (qk1.votes, qk1.tied, qk1.proposed) == (2, True, True)
    assert (qk3.votes, qk3.tied, qk3.proposed) == (2, True, False)
    assert not services.tie_pending(review)
    assert AuditEvent.objects.filter(verb="bloc_review.leader_decide").count() == 1


def _co_bqp_at_bloc(demo_user, code: str, officer: str, commander: str):
    unit = Unit.objects.get(code=code)
    nomination = nomination_create(
        actor=demo_user(officer),
        submitting_unit=unit,
        award=Award.objects.get(code="co-bqp"),
        campaign=Campaign.objects.get(code="tdqt-2026"),
        achievements="Đơn vị dẫn đầu phong trào thi đua của khối.",
        nominee_unit=unit,
    )
    nomination = move(demo_user, nomination, officer, commander)
    assert nomination.current_stage.kind == "bloc_vote"
    return nomination


def test_the_result_moves_the_proposed_unit_on_and_the_other_out_with_the_tally(demo_user, client):
    role_grant(
        actor=None,
        user=UserFactory(username="chihuy.qk3"),
        role="unit_commander",
        unit=Unit.objects.get(code="qk3"),
    )
    first = _co_bqp_at_bloc(demo_user, "qk1", "canbo.qk1", "chihuy.qk1")
    second = _co_bqp_at_bloc(demo_user, "qk3", "canbo.qk3", "chihuy.qk3")
    review, people = acclaiming(demo_user)
    vote(
        review,
        people,
        {"qk2": ["qk1"], "qk3": ["qk1"], "qk4": ["qk1"], "qk1": ["qk3"], "qk5": ["qk1"]},
    )
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    client.force_login(demo_user("khoi2.canbo"))
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert 'data-action="bloc_review_submit"' in page
    with pytest.raises(PermissionDenied):
        services.review_submit(actor=demo_user("canbo.qk1"), review=review, minutes="Biên bản")
    with pytest.raises(ValidationError):
        services.review_submit(actor=demo_user("khoi2.canbo"), review=review, minutes=" ")
    review = services.review_submit(
        actor=demo_user("khoi2.canbo"),
        review=review,
        minutes="Hội nghị thống nhất suy tôn Quân khu 1.",
    )
    assert review.status == ReviewStatus.SUBMITTED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == NominationStatus.IN_PROGRESS
    assert first.current_stage.kind == "appraisal"
    assert first.events.last().data == {"agree": 4, "members": 8, "required": 4}
    assert "Được khối suy tôn" in first.events.last().comment
    assert "Hội nghị thống nhất suy tôn Quân khu 1." in first.events.last().comment
    assert second.status == NominationStatus.REJECTED
    comment = second.events.last().comment
    assert "1/8" in comment
    assert "Quân khu 1 4/8 phiếu" in comment
    page = client.get(reverse("bloc_review_detail", args=[review.pk]))
    assert "Hội nghị thống nhất suy tôn Quân khu 1." in page.content.decode()
    with pytest.raises(ValidationError):  # submitted once
        services.review_submit(actor=demo_user("khoi2.canbo"), review=review, minutes="Lần hai")


def test_a_proposed_unit_without_a_waiting_nomination_stops_the_submission(demo_user):
    review, people = acclaiming(demo_user)
    vote(review, people, {"qk2": ["qk5"]})
    review = services.acclaim_close(actor=demo_user("khoi2.canbo"), review=review)
    with pytest.raises(ValidationError, match="Quân khu 5"):
        services.review_submit(actor=demo_user("khoi2.canbo"), review=review, minutes="Biên bản")


def test_acclaim_choices_cannot_be_traced_to_a_delegate():
    """The anonymous rows link only to the review and the unit chosen, like the council's."""
    relations = {
        field.name: field.related_model
        for field in AcclaimChoice._meta.get_fields()
        if field.is_relation
    }
    assert set(relations.values()) <= {AcclaimChoice._meta.get_field("review").related_model, Unit}
    assert AcclaimChoice._meta.pk.get_internal_type() == "UUIDField"
    assert not [
        field
        for field in AcclaimChoice._meta.get_fields()
        if isinstance(field, models.DateField | models.DateTimeField)
    ]
    for model in (BlocDelegate, AcclaimMark):
        assert not [
            field
            for field in model._meta.get_fields()
            if field.is_relation and field.related_model is AcclaimChoice
        ]


# --- pages -----------------------------------------------------------------------------


def test_delegates_score_and_vote_on_the_pages_and_the_tally_shows_only_after_the_close(
    demo_user, client
):

    review, people = open_review(demo_user)
    by_code = units()
    delegate = people["qk2"]
    client.force_login(delegate)
    page = client.get(reverse("bloc_review_score", args=[review.pk]))
    assert page.status_code == 200
    assert f"s-{by_code['qk2'].pk}-" not in page.content.decode()  # not their own unit
    fields = {
        f"s-{unit.pk}-{criterion.pk}": "7.5"
        for unit in services.units_to_score(review, services.delegate_of(delegate, review))
        for criterion in services.criteria_of(review)
    }
    response = client.post(reverse("bloc_review_score", args=[review.pk]), fields)
    assert response.status_code == 302
    assert review.scores.filter(delegate__user=delegate).count() == 14
    too_high = {**fields, next(iter(fields)): "11"}
    assert client.post(reverse("bloc_review_score", args=[review.pk]), too_high).status_code == 400

    officer = demo_user("khoi2.canbo")
    client.force_login(officer)
    response = client.post(reverse("bloc_review_open_acclaim", args=[review.pk]))
    assert response.status_code == 302

    client.force_login(delegate)
    ballot = client.get(reverse("bloc_review_ballot", args=[review.pk]))
    assert ballot.status_code == 200
    assert f'value="{by_code["qk2"].pk}"' not in ballot.content.decode()
    response = client.post(
        reverse("bloc_review_ballot", args=[review.pk]), {"units": [by_code["qk5"].pk]}
    )
    assert response.status_code == 302
    again = client.get(reverse("bloc_review_ballot", args=[review.pk]))
    assert again.status_code == 302  # voted: nothing left to cast

    client.force_login(officer)
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert "Đã có 1/8 đại biểu nộp phiếu" in page
    assert "data-result" not in page
    client.post(reverse("bloc_review_close", args=[review.pk]))
    page = client.get(reverse("bloc_review_detail", args=[review.pk])).content.decode()
    assert f'data-result="{by_code["qk5"].pk}"' in page
    assert "Được suy tôn" in page


def test_an_outsider_does_not_see_a_review_and_a_viewer_cannot_run_it(demo_user, client):

    review, _people = open_review(demo_user)
    client.force_login(demo_user("canbo.f3"))
    assert client.get(reverse("bloc_review_detail", args=[review.pk])).status_code == 404
    assert client.post(reverse("bloc_review_open_acclaim", args=[review.pk])).status_code == 404
    client.force_login(demo_user("canbo.qk3"))  # QK3 leads the bloc: may look, not run it
    assert client.get(reverse("bloc_review_detail", args=[review.pk])).status_code == 200
    assert client.post(reverse("bloc_review_open_acclaim", args=[review.pk])).status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.SCORING


def test_the_review_list_shows_the_users_reviews_in_few_queries(
    demo_user, client, django_assert_max_num_queries
):

    review, _people = open_review(demo_user)
    client.force_login(demo_user("khoi2.canbo"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("bloc_review_list")).content.decode()
    assert review.title in page
    client.force_login(demo_user("canbo.f3"))
    assert review.title not in client.get(reverse("bloc_review_list")).content.decode()
