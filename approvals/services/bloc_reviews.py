"""A bloc's year-end review: delegates score every member unit against the bloc's criteria
(open), then acclaim by secret ballot the unit(s) to propose within the bloc's quota; ties go
to another round among the tied or to the leader's decision, as the bloc's rules say; the
result goes into each member's nomination waiting at the bloc's vote stage.

The bloc's officer (act_for_bloc on the bloc) runs the review; its delegates are the users
registered for its member units. The acclamation keeps the council ballot's secrecy design
(docs/ballot-secrecy.md): a "has voted" mark apart from anonymous, shuffled choices.
"""

import datetime
import random
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    AcclaimChoice,
    AcclaimMark,
    AcclaimResult,
    Award,
    BlocCriterion,
    BlocDelegate,
    BlocReview,
    BlocScore,
    EmulationBloc,
    Nomination,
    NominationStatus,
    ReviewStatus,
    TieRule,
    Unit,
)
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.secrecy import rewrite_in_random_order
from workflows.models import StageKind

DEFAULT_AWARD = "co-bqp"
# Under the second-round rule, a tie still standing after this many rounds goes to the leader.
MAX_ROUNDS = 3
TWO_PLACES = Decimal("0.01")


# --- who may do what -------------------------------------------------------------------


def is_bloc_officer(user, bloc: EmulationBloc) -> bool:
    return bloc.pk in scope_for(user).blocs_with("act_for_bloc")


def is_leader_officer(user, review: BlocReview) -> bool:
    """The officer or commander of the unit leading the bloc in the review's year."""
    leadership = review.bloc.leadership_in(review.year)
    if leadership is None:
        return False
    scope = scope_for(user)
    return leadership.leader_id in (
        scope.units_with("prepare_nomination") | scope.units_with("approve_nomination")
    )


def delegate_of(user, review: BlocReview) -> BlocDelegate | None:
    if not getattr(user, "pk", None):
        return None
    return review.delegates.select_related("unit").filter(user=user).first()


def _require_officer(actor, bloc: EmulationBloc) -> None:
    if not is_bloc_officer(actor, bloc):
        raise PermissionDenied(_("Bạn không phải cán bộ của %(bloc)s.") % {"bloc": bloc})


def _require_delegate(actor, review: BlocReview) -> BlocDelegate:
    delegate = delegate_of(actor, review)
    if delegate is None:
        raise PermissionDenied(_("Bạn không phải đại biểu của đơn vị nào trong hội nghị này."))
    return delegate


def _locked(review: BlocReview) -> BlocReview:
    return BlocReview.objects.select_for_update().select_related("bloc").get(pk=review.pk)


def _status(review: BlocReview, *expected: str) -> None:
    if review.status not in expected:
        raise ValidationError(
            _("Hội nghị đang ở trạng thái “%(status)s”, không thực hiện được thao tác này.")
            % {"status": review.get_status_display()}
        )


def _before(deadline: datetime.datetime | None) -> None:
    if deadline is not None and timezone.now() > deadline:
        raise ValidationError(_("Đã hết hạn."))


# --- reading what the services need ----------------------------------------------------


def member_units(review: BlocReview) -> list[Unit]:
    return list(review.bloc.members_in(review.year).order_by("sort_order", "path"))


def criteria_of(review: BlocReview) -> list[BlocCriterion]:
    return list(BlocCriterion.objects.filter(bloc=review.bloc, year=review.year))


def units_to_score(review: BlocReview, delegate: BlocDelegate) -> list[Unit]:
    """The member units a delegate scores: all, or all but their own where the rules say so."""
    return [
        unit
        for unit in member_units(review)
        if review.own_unit_vote_allowed or unit.pk != delegate.unit_id
    ]


def weighted_scores(review: BlocReview) -> dict[int, Decimal]:
    """Each scored unit's weighted total, sum(weight × score) / sum(weight) per scorer, averaged."""
    totals: dict[tuple[int, int], list[Decimal]] = {}
    for delegate_id, unit_id, weight, score in BlocScore.objects.filter(review=review).values_list(
        "delegate_id", "unit_id", "criterion__weight", "score"
    ):
        pair = totals.setdefault((delegate_id, unit_id), [Decimal(0), Decimal(0)])
        pair[0] += weight * score
        pair[1] += weight
    per_unit: dict[int, list[Decimal]] = {}
    for (_delegate_id, unit_id), (weighted, weights) in totals.items():
        per_unit.setdefault(unit_id, []).append(weighted / weights)
    return {
        unit_id: (sum(values) / len(values)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        for unit_id, values in per_unit.items()
    }


def candidates(review: BlocReview) -> list[Unit]:
    """The units on the current round's ballot: every member, then only the tied ones."""
    if review.round == 1:
        return member_units(review)
    tied = AcclaimResult.objects.filter(review=review, round=review.round - 1, tied=True)
    return [result.unit for result in tied.select_related("unit")]


def seats_left(review: BlocReview) -> int:
    """How many units the current round (or the leader's decision) may still propose."""
    taken = AcclaimResult.objects.filter(review=review, proposed=True).count()
    return max(review.quota - taken, 0)


def tie_pending(review: BlocReview) -> bool:
    """A closed review whose last round left a tie that the leader has not yet decided."""
    return (
        review.status == ReviewStatus.CLOSED
        and not review.decided_at
        and AcclaimResult.objects.filter(review=review, round=review.round, tied=True).exists()
    )


def final_results(review: BlocReview) -> list[AcclaimResult]:
    """Each candidate unit's result in the last round it stood in."""
    latest: dict[int, AcclaimResult] = {}
    for result in AcclaimResult.objects.filter(review=review).select_related("unit"):
        if result.unit_id not in latest or result.round > latest[result.unit_id].round:
            latest[result.unit_id] = result
    return sorted(
        latest.values(), key=lambda r: (not r.proposed, -r.votes, r.unit.sort_order, r.unit.path)
    )


# --- preparing -------------------------------------------------------------------------


def _check_delegates(review: BlocReview, delegates: dict[int, object]) -> None:
    members = {unit.pk for unit in member_units(review)}
    if not set(delegates) <= members:
        raise ValidationError(
            _("Có đơn vị không phải thành viên của khối trong năm %(year)s.")
            % {"year": review.year}
        )
    users = [user.pk for user in delegates.values()]
    if len(users) != len(set(users)):
        raise ValidationError(_("Mỗi đại biểu chỉ đại diện cho một đơn vị."))


@transaction.atomic
def review_create(
    *,
    actor,
    bloc: EmulationBloc,
    year: int,
    title: str,
    meeting_date: datetime.date,
    award: Award | None = None,
    quota: int = 1,
    own_unit_vote_allowed: bool = False,
    tie_rule: str = TieRule.SECOND_ROUND,
    scoring_deadline: datetime.datetime | None = None,
    voting_deadline: datetime.datetime | None = None,
    delegates: dict[int, object] | None = None,
) -> BlocReview:
    """Set up a bloc's year-end review with the bloc's rules for that year.

    `delegates` maps member unit ids to the users who represent them; the rest can be set
    until scoring opens. Side effects: creates the review and its delegates; writes an audit
    event.
    """
    _require_officer(actor, bloc)
    if not title.strip():
        raise ValidationError({"title": _("Nhập tên hội nghị.")})
    if quota < 1:
        raise ValidationError({"quota": _("Khối phải suy tôn ít nhất một đơn vị.")})
    if tie_rule not in TieRule.values:
        raise ValidationError({"tie_rule": _("Cách xử lý bằng phiếu không hợp lệ.")})
    if BlocReview.objects.filter(bloc=bloc, year=year).exists():
        raise ValidationError(
            {"year": _("Khối đã có hội nghị bình xét năm %(year)s.") % {"year": year}}
        )
    if not bloc.members_in(year).exists():
        raise ValidationError(
            {"year": _("Khối không có đơn vị thành viên trong năm %(year)s.") % {"year": year}}
        )
    review = BlocReview(
        bloc=bloc,
        year=year,
        award=award or Award.objects.get(code=DEFAULT_AWARD),
        title=title.strip(),
        meeting_date=meeting_date,
        quota=quota,
        own_unit_vote_allowed=own_unit_vote_allowed,
        tie_rule=tie_rule,
        scoring_deadline=scoring_deadline,
        voting_deadline=voting_deadline,
        created_by=actor,
    )
    delegates = delegates or {}
    _check_delegates(review, delegates)
    review.save()
    BlocDelegate.objects.bulk_create(
        BlocDelegate(review=review, unit_id=unit_id, user=user)
        for unit_id, user in delegates.items()
    )
    audit_record(
        actor=actor,
        verb="bloc_review.create",
        obj=review,
        data={"bloc": bloc.code, "year": year, "delegates": len(delegates)},
    )
    return review


@transaction.atomic
def delegates_set(*, actor, review: BlocReview, delegates: dict[int, object]) -> BlocReview:
    """Register who represents each member unit (unit id -> user), before scoring opens.

    Side effects: replaces the review's delegates for those units; writes an audit event.
    """
    review = _locked(review)
    _require_officer(actor, review.bloc)
    _status(review, ReviewStatus.PREPARING)
    others = {
        delegate.unit_id: delegate.user
        for delegate in review.delegates.select_related("user")
        if delegate.unit_id not in delegates
    }
    _check_delegates(review, {**others, **delegates})
    review.delegates.filter(unit_id__in=list(delegates)).delete()
    BlocDelegate.objects.bulk_create(
        BlocDelegate(review=review, unit_id=unit_id, user=user)
        for unit_id, user in delegates.items()
    )
    audit_record(
        actor=actor, verb="bloc_review.delegates", obj=review, data={"units": len(delegates)}
    )
    return review


@transaction.atomic
def scoring_open(*, actor, review: BlocReview) -> BlocReview:
    """Open scoring once every member unit has a delegate and the year's criteria are set.

    Side effects: moves the review to scoring; writes an audit event.
    """
    review = _locked(review)
    _require_officer(actor, review.bloc)
    _status(review, ReviewStatus.PREPARING)
    missing = [
        unit.short_name
        for unit in member_units(review)
        if unit.pk not in set(review.delegates.values_list("unit_id", flat=True))
    ]
    if missing:
        raise ValidationError(_("Chưa có đại biểu của: %(units)s.") % {"units": ", ".join(missing)})
    if not criteria_of(review):
        raise ValidationError(
            _("Khối chưa có tiêu chí chấm điểm cho năm %(year)s.") % {"year": review.year}
        )
    review.status = ReviewStatus.SCORING
    review.save(update_fields=["status"])
    audit_record(actor=actor, verb="bloc_review.scoring_open", obj=review)
    return review


# --- scoring (open) --------------------------------------------------------------------


@transaction.atomic
def score_record(
    *, actor, review: BlocReview, scores: dict[tuple[int, int], Decimal]
) -> BlocReview:
    """Record the actor's scores, keyed by (unit id, criterion id), for every unit they score.

    Scoring is open, not secret; a delegate may correct their scores until the acclamation
    opens. Side effects: replaces the delegate's scores; writes an audit event.
    """
    review = _locked(review)
    delegate = _require_delegate(actor, review)
    _status(review, ReviewStatus.SCORING)
    _before(review.scoring_deadline)
    criteria = {criterion.pk: criterion for criterion in criteria_of(review)}
    units = units_to_score(review, delegate)
    expected = {(unit.pk, criterion_id) for unit in units for criterion_id in criteria}
    given = {(int(u), int(c)): v for (u, c), v in scores.items()}
    if set(given) != expected:
        if any(unit_id == delegate.unit_id for unit_id, _c in given):
            raise ValidationError(_("Quy chế của khối không cho đại biểu chấm điểm đơn vị mình."))
        raise ValidationError(
            _("Phải chấm đủ %(units)s đơn vị theo %(criteria)s tiêu chí.")
            % {"units": len(units), "criteria": len(criteria)}
        )
    rows = []
    for (unit_id, criterion_id), value in given.items():
        try:
            score = Decimal(str(value)).quantize(TWO_PLACES)
        except ArithmeticError as error:
            raise ValidationError(_("Điểm phải là một số.")) from error
        criterion = criteria[criterion_id]
        if not Decimal(0) <= score <= criterion.max_score:
            raise ValidationError(
                _("Điểm tiêu chí “%(name)s” phải từ 0 đến %(max)s.")
                % {"name": criterion.name, "max": floatformat(criterion.max_score, -2)}
            )
        rows.append(
            BlocScore(
                review=review,
                delegate=delegate,
                unit_id=unit_id,
                criterion_id=criterion_id,
                score=score,
            )
        )
    BlocScore.objects.filter(delegate=delegate).delete()
    BlocScore.objects.bulk_create(rows)
    audit_record(actor=actor, verb="bloc_review.score", obj=review, data={"units": len(units)})
    return review


# --- acclamation (secret) --------------------------------------------------------------


@transaction.atomic
def acclaim_open(*, actor, review: BlocReview) -> BlocReview:
    """Close the scoring and open the first round of the secret acclamation ballot.

    Side effects: moves the review to acclaiming; writes an audit event.
    """
    review = _locked(review)
    _require_officer(actor, review.bloc)
    _status(review, ReviewStatus.SCORING)
    review.status = ReviewStatus.ACCLAIMING
    review.round = 1
    review.save(update_fields=["status", "round"])
    scorers = BlocScore.objects.filter(review=review).values("delegate_id").distinct().count()
    audit_record(
        actor=actor, verb="bloc_review.acclaim_open", obj=review, data={"scorers": scorers}
    )
    return review


@transaction.atomic
def acclaim_cast(*, actor, review: BlocReview, units: list[int]) -> BlocReview:
    """Cast the actor's secret ballot in the current round: up to the seats left, once.

    An empty ballot (no unit chosen) is a valid ballot. Side effects: writes the delegate's
    "has voted" mark and one anonymous choice per chosen unit, in random order, in one
    transaction; writes an audit event naming the round, never the choices.
    """
    review = _locked(review)
    delegate = _require_delegate(actor, review)
    _status(review, ReviewStatus.ACCLAIMING)
    _before(review.voting_deadline)
    if AcclaimMark.objects.filter(review=review, round=review.round, delegate=delegate).exists():
        raise ValidationError(_("Đồng chí đã bỏ phiếu ở vòng này; phiếu đã nộp không sửa được."))
    chosen = [int(pk) for pk in units]
    if len(chosen) != len(set(chosen)):
        raise ValidationError(_("Mỗi đơn vị chỉ được chọn một lần."))
    if not set(chosen) <= {unit.pk for unit in candidates(review)}:
        raise ValidationError(_("Chỉ chọn trong các đơn vị có tên trên phiếu."))
    if delegate.unit_id in chosen and not review.own_unit_vote_allowed:
        raise ValidationError(_("Quy chế của khối không cho đại biểu bỏ phiếu cho đơn vị mình."))
    seats = seats_left(review)
    if len(chosen) > seats:
        raise ValidationError(
            _("Chỉ được chọn tối đa %(n)s đơn vị.") % {"n": seats},
        )
    try:
        with transaction.atomic():
            AcclaimMark.objects.create(review=review, round=review.round, delegate=delegate)
    except IntegrityError as error:
        raise ValidationError(_("Đồng chí đã bỏ phiếu ở vòng này.")) from error
    rows = [AcclaimChoice(review=review, round=review.round, unit_id=pk) for pk in chosen]
    random.shuffle(rows)
    AcclaimChoice.objects.bulk_create(rows)
    audit_record(actor=actor, verb="bloc_review.acclaim", obj=review, data={"round": review.round})
    return review


def _rank(votes: dict[int, int], seats: int) -> tuple[set[int], set[int]]:
    """The units proposed outright and those tied at the quota's boundary.

    Units with no vote are never proposed. Votes alone rank: the weighted score does not
    break ties, which the bloc's tie rule resolves.
    """
    ordered = sorted((count for count in votes.values() if count > 0), reverse=True)
    if seats <= 0 or not ordered:
        return set(), set()
    if len(ordered) <= seats:
        return {pk for pk, count in votes.items() if count > 0}, set()
    boundary = ordered[seats - 1]
    above = {pk for pk, count in votes.items() if count > boundary}
    at = {pk for pk, count in votes.items() if count == boundary}
    if len(above) + len(at) <= seats:
        return above | at, set()
    return above, at


@transaction.atomic
def acclaim_close(*, actor, review: BlocReview) -> BlocReview:
    """Close the current round, count it, and resolve a tie at the quota as the rules say.

    Side effects: writes each candidate's tally for the round; rewrites the round's anonymous
    choices in random order; with a tie under the second-round rule, opens another round
    among the tied units (after MAX_ROUNDS, the leader decides); otherwise closes the
    acclamation; writes an audit event.
    """
    review = _locked(review)
    _require_officer(actor, review.bloc)
    _status(review, ReviewStatus.ACCLAIMING)
    round_ = review.round
    on_ballot = candidates(review)
    counts = dict(
        AcclaimChoice.objects.filter(review=review, round=round_)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    votes = {unit.pk: counts.get(unit.pk, 0) for unit in on_ballot}
    proposed, tied = _rank(votes, seats_left(review))
    scores = weighted_scores(review)
    AcclaimResult.objects.bulk_create(
        AcclaimResult(
            review=review,
            round=round_,
            unit=unit,
            votes=votes[unit.pk],
            weighted_score=scores.get(unit.pk),
            tied=unit.pk in tied,
            proposed=unit.pk in proposed,
        )
        for unit in on_ballot
    )
    rewrite_in_random_order(AcclaimChoice.objects.filter(review=review, round=round_))
    ballots = AcclaimMark.objects.filter(review=review, round=round_).count()
    another_round = bool(tied) and review.tie_rule == TieRule.SECOND_ROUND and round_ < MAX_ROUNDS
    if another_round:
        review.round = round_ + 1
    else:
        review.status = ReviewStatus.CLOSED
        review.closed_at = timezone.now()
    review.save(update_fields=["round", "status", "closed_at"])
    audit_record(
        actor=actor,
        verb="bloc_review.acclaim_close",
        obj=review,
        data={"round": round_, "ballots": ballots, "tied": len(tied), "again": another_round},
    )
    return review


@transaction.atomic
def leader_decide(*, actor, review: BlocReview, units: list[int], decision: str) -> BlocReview:
    """The bloc's leader chooses among the units tied at the quota, and the choice is recorded
    as the leader's, not as votes.

    Side effects: marks the chosen tied units proposed; records the decision, who made it
    and when; writes an audit event.
    """
    review = _locked(review)
    if not (is_bloc_officer(actor, review.bloc) or is_leader_officer(actor, review)):
        raise PermissionDenied(_("Chỉ khối trưởng quyết định khi các đơn vị bằng phiếu."))
    if not tie_pending(review):
        raise ValidationError(_("Không có trường hợp bằng phiếu nào chờ khối trưởng quyết định."))
    if not decision.strip():
        raise ValidationError({"decision": _("Ghi rõ quyết định và lý do của khối trưởng.")})
    tied = AcclaimResult.objects.filter(review=review, round=review.round, tied=True)
    chosen = {int(pk) for pk in units}
    seats = seats_left(review)
    if not chosen <= set(tied.values_list("unit_id", flat=True)) or len(chosen) != seats:
        raise ValidationError(
            _("Chọn đúng %(n)s đơn vị trong số các đơn vị bằng phiếu.") % {"n": seats}
        )
    tied.filter(unit_id__in=chosen).update(proposed=True)
    review.leader_decision = decision.strip()
    review.decided_by = actor
    review.decided_at = timezone.now()
    review.save(update_fields=["leader_decision", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="bloc_review.leader_decide",
        obj=review,
        data={"units": sorted(chosen)},
    )
    return review


# --- the result into the nominations ---------------------------------------------------


def waiting_nominations(review: BlocReview):
    """Nominations for the review's award, of that year, waiting at the bloc's vote stage."""
    return (
        Nomination.objects.filter(
            acting_bloc=review.bloc,
            award=review.award,
            campaign__year=review.year,
            status=NominationStatus.IN_PROGRESS,
            current_stage__kind=StageKind.BLOC_VOTE,
        )
        .select_related("nominee_unit", "submitting_unit")
        .order_by("pk")
    )


def member_for(nomination: Nomination, members: list[Unit]) -> Unit | None:
    """The member unit a nomination speaks for: the nominee unit's, else the submitter's."""
    path = (nomination.nominee_unit or nomination.submitting_unit).path
    matching = [unit for unit in members if path.startswith(unit.path)]
    return max(matching, key=lambda unit: len(unit.path), default=None)


@transaction.atomic
def review_submit(*, actor, review: BlocReview, minutes: str) -> BlocReview:
    """Deliver the result, with its minutes, into the nominations waiting at the bloc's stage.

    The bloc's officer (in the leader unit) submits. Proposed units' nominations pass the
    bloc's vote stage; the other members' fail it with the tally as the reason.
    Side effects: records the vote result on each waiting nomination (moving it in its
    workflow, with timeline and audit events and notifications); stores the minutes; marks
    the review submitted; writes an audit event naming those nominations; on commit,
    enqueues the task that writes the minutes (PDF, DOCX) and files them in their dossiers.
    """
    from approvals.services.nominations import VoteResult, stage_record_vote_result

    review = _locked(review)
    _require_officer(actor, review.bloc)
    _status(review, ReviewStatus.CLOSED)
    if tie_pending(review):
        raise ValidationError(_("Còn trường hợp bằng phiếu chờ khối trưởng quyết định."))
    if not minutes.strip():
        raise ValidationError({"minutes": _("Nhập biên bản hội nghị bình xét, suy tôn.")})
    members = member_units(review)
    results = final_results(review)
    by_unit = {result.unit_id: result for result in results}
    proposed = [result for result in results if result.proposed]
    nominations = list(waiting_nominations(review))
    targets = [(nomination, member_for(nomination, members)) for nomination in nominations]
    covered = {unit.pk for _n, unit in targets if unit is not None}
    missing = [result.unit.short_name for result in proposed if result.unit_id not in covered]
    if missing:
        raise ValidationError(
            _("Đơn vị được suy tôn chưa có đề nghị “%(award)s” chờ khối bình xét: %(units)s.")
            % {"award": review.award.name, "units": ", ".join(missing)}
        )
    delegates = review.delegates.count()
    required = min((result.votes for result in proposed), default=0)
    tally = "; ".join(
        _("%(unit)s %(votes)s/%(members)s phiếu")
        % {"unit": result.unit.short_name, "votes": result.votes, "members": delegates}
        for result in results
    )
    heading = _("Hội nghị “%(title)s” ngày %(date)s.") % {
        "title": review.title,
        "date": review.meeting_date.strftime("%d/%m/%Y"),
    }
    decision = (
        _("Khối trưởng quyết định khi bằng phiếu: %(text)s") % {"text": review.leader_decision}
        if review.leader_decision
        else ""
    )
    for nomination, unit in targets:
        result = by_unit.get(unit.pk) if unit is not None else None
        passed = bool(result and result.proposed)
        if passed:
            outcome = _("Được khối suy tôn.")
        else:
            outcome = _("Không được khối suy tôn. Kết quả: %(tally)s.") % {"tally": tally}
        note = " ".join(
            part
            for part in (
                heading,
                outcome,
                decision if result and result.tied else "",
                _("Biên bản: %(minutes)s") % {"minutes": minutes.strip()},
            )
            if part
        )
        stage_record_vote_result(
            actor=actor,
            nomination=nomination,
            result=VoteResult(
                passed=passed,
                agree=result.votes if result else 0,
                members=delegates,
                required=min(required, delegates),
                note=note,
            ),
        )
    review.minutes = minutes.strip()
    review.status = ReviewStatus.SUBMITTED
    review.submitted_by = actor
    review.submitted_at = timezone.now()
    review.save(update_fields=["minutes", "status", "submitted_by", "submitted_at"])
    audit_record(
        actor=actor,
        verb="bloc_review.submit",
        obj=review,
        data={
            "nominations": len(nominations),
            "proposed": len(proposed),
            "nomination_ids": [nomination.pk for nomination in nominations],
        },
    )

    from approvals.tasks import bloc_minutes_generate

    review_id = review.pk
    # robust: a broker outage must not fail the committed submission; the periodic sweep
    # (approvals.tasks.submitted_reviews_sweep) writes the minutes then
    transaction.on_commit(lambda: bloc_minutes_generate.delay(review_id=review_id), robust=True)
    return review


def submitted_nominations(review: BlocReview) -> list[Nomination]:
    """The nominations the review's result was delivered to, as its submission recorded them."""
    from approvals.models import AuditEvent

    event = (
        AuditEvent.objects.filter(
            verb="bloc_review.submit",
            object_type=BlocReview._meta.label_lower,
            object_id=str(review.pk),
        )
        .order_by("-pk")
        .first()
    )
    ids = (event.data.get("nomination_ids") or []) if event else []
    return list(
        Nomination.objects.filter(pk__in=ids).select_related("current_stage").order_by("pk")
    )
