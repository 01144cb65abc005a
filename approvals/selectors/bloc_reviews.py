"""Reading bloc reviews as a given user may see them, and what the review page shows."""

from django.db.models import F, Q, QuerySet
from django.shortcuts import get_object_or_404

from approvals.models import (
    AcclaimMark,
    AcclaimResult,
    BlocReview,
    BlocScore,
    EmulationBloc,
    ReviewStatus,
)
from approvals.selectors.scope import scope_for
from approvals.services import bloc_reviews as services


def blocs_run_by(user) -> QuerySet[EmulationBloc]:
    """Blocs whose reviews the user runs (the bloc's officer)."""
    return EmulationBloc.objects.filter(pk__in=scope_for(user).blocs_with("act_for_bloc"))


def reviews_for_user(user) -> QuerySet[BlocReview]:
    """Reviews of the user's blocs, those they are a delegate at, and those their unit leads.

    The Ministry's secretariat, which receives the results, and administrators see all.
    """
    scope = scope_for(user)
    reviews = BlocReview.objects.select_related("bloc", "award")
    if scope.is_admin or scope.is_secretariat:
        return reviews
    condition = Q(bloc_id__in=scope.blocs_with("act_for_bloc"))
    if scope.user_id is not None:
        condition |= Q(delegates__user_id=scope.user_id)
    leading = scope.units_with("prepare_nomination") | scope.units_with("approve_nomination")
    if leading:
        condition |= Q(bloc__leaderships__leader_id__in=leading) & Q(
            bloc__leaderships__year=F("year")
        )
    return reviews.filter(condition).distinct()


def get_review_for_user(user, review_id: int) -> BlocReview:
    return get_object_or_404(reviews_for_user(user), pk=review_id)


def review_overview(review: BlocReview, user) -> dict:
    """What the review page shows this user; no tally of a round before its close."""
    officer = services.is_bloc_officer(user, review.bloc)
    mine = services.delegate_of(user, review)
    delegates = list(review.delegates.select_related("unit", "user"))
    scored = set(
        BlocScore.objects.filter(review=review).values_list("delegate_id", flat=True).distinct()
    )
    marks = AcclaimMark.objects.filter(review=review, round=review.round)
    voted_now = mine is not None and marks.filter(delegate=mine).exists()
    status = review.status
    after_scoring = status in (ReviewStatus.ACCLAIMING, ReviewStatus.CLOSED, ReviewStatus.SUBMITTED)
    members = services.member_units(review)
    scores = services.weighted_scores(review) if after_scoring else {}
    results = list(
        AcclaimResult.objects.filter(review=review)
        .select_related("unit")
        .order_by("round", "-votes", "unit__sort_order", "unit__path")
    )
    rounds: dict[int, list[AcclaimResult]] = {}
    for result in results:
        rounds.setdefault(result.round, []).append(result)
    tie_pending = services.tie_pending(review)
    return {
        "review": review,
        "leadership": review.bloc.leadership_in(review.year),
        "delegates": [(d, d.pk in scored) for d in delegates],
        "seats": {d.unit_id: d for d in delegates},
        "members": members,
        "criteria": services.criteria_of(review),
        "weighted": [(unit, scores.get(unit.pk)) for unit in members] if after_scoring else [],
        "rounds": sorted(rounds.items()),
        "final": services.final_results(review) if status != ReviewStatus.ACCLAIMING else [],
        "ballots": marks.count(),
        "mine": mine,
        "can_score": mine is not None and status == ReviewStatus.SCORING,
        "can_vote": mine is not None and status == ReviewStatus.ACCLAIMING and not voted_now,
        "voted_now": voted_now,
        "tie_pending": tie_pending,
        "actions": {
            "delegates": officer and status == ReviewStatus.PREPARING,
            "open_scoring": officer and status == ReviewStatus.PREPARING,
            "open_acclaim": officer and status == ReviewStatus.SCORING,
            "close": officer and status == ReviewStatus.ACCLAIMING,
            "decide": tie_pending and (officer or services.is_leader_officer(user, review)),
            "submit": officer and status == ReviewStatus.CLOSED and not tie_pending,
        },
    }
