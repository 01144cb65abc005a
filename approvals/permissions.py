"""Who may see and act on nominations, as predicates over a user's scope and as SQL filters.

Every page, the API and the services ask these; none of them asks guardian row by row.
"""

from django.db.models import Q

from approvals.models import Nomination, NominationStatus, Unit
from approvals.selectors.scope import UserScope, units_q

UNIT_ACTING = ("prepare_nomination", "approve_nomination", "act_secretariat", "decide_award")
COUNCIL_ACTING = ("run_council_session", "chair_council")


def may_prepare(scope: UserScope, unit: Unit) -> bool:
    return unit.pk in scope.prepare_unit_ids


def prepare_q(scope: UserScope, unit_field: str) -> Q:
    """Rows whose `unit_field` ("" for the Unit itself) the user prepares nominations for."""
    return units_q(unit_field, scope.prepare_unit_ids)


ACTIVE = [NominationStatus.DRAFT, NominationStatus.IN_PROGRESS, NominationStatus.RETURNED]


def _preparing_q(scope: UserScope) -> Q:
    """Active nominations at the preparing stage of a unit the user prepares for."""
    return (
        Q(acting_permission="prepare_nomination")
        & prepare_q(scope, "acting_unit")
        & Q(status__in=ACTIVE)
    )


def acting_q(scope: UserScope) -> Q:
    """Active nominations waiting for this user (or for anyone sharing their role).

    Only the unit's preparing stage holds drafts; every later stage holds nominations sent
    (in progress, or returned to that stage)."""
    condition = Q(pk__in=[])
    for codename in UNIT_ACTING[1:]:
        units = scope.units_with(codename)
        if units:
            condition |= Q(acting_permission=codename, acting_unit_id__in=units)
    blocs = scope.blocs_with("act_for_bloc")
    if blocs:
        condition |= Q(acting_permission="act_for_bloc", acting_bloc_id__in=blocs)
    for codename in COUNCIL_ACTING:
        councils = scope.councils_with(codename)
        if councils:
            condition |= Q(acting_permission=codename, acting_council_id__in=councils)
    sent = Q(status__in=[NominationStatus.IN_PROGRESS, NominationStatus.RETURNED])
    return _preparing_q(scope) | (condition & sent)


def visible_q(scope: UserScope) -> Q:
    """Nominations the user may read.

    Their units' records (drafts only for those who prepare them), whatever waits for them,
    a bloc's members' nominations at the bloc stage, and a council's agenda. Someone who
    reads the whole organisation's records (the secretariat) reads every nomination sent:
    the plain status condition lets the database count them from an index.
    """
    if scope.is_admin:
        return Q()
    sent = ~Q(status=NominationStatus.DRAFT)
    prepared = prepare_q(scope, "submitting_unit")  # every state, drafts included
    if scope.reads_everything:
        return sent | prepared | _preparing_q(scope)
    # acting_q holds the preparing stage; the records of units the user prepares for are
    # read whole above, so only the other units' records need the "sent" branch. Each unit
    # id appears once in the condition: the planner then estimates its rows close enough
    # to read the indexes even for a user holding thousands of permissions.
    condition = prepared | acting_q(scope)
    others = scope.record_unit_ids - scope.prepare_unit_ids
    if others:
        condition |= units_q("submitting_unit", others) & sent
    if scope.council_ids:
        condition |= Q(acting_council_id__in=scope.council_ids) & sent
    return condition


def may_act(scope: UserScope, nomination: Nomination) -> bool:
    """Whether the user may act on the nomination's current stage now."""
    if not nomination.is_active or scope.user_id is None:
        return False
    if nomination.claimed_by_id not in (None, scope.user_id):
        return False
    codename = nomination.acting_permission
    if codename == "prepare_nomination":
        return nomination.acting_unit is not None and may_prepare(scope, nomination.acting_unit)
    if codename in UNIT_ACTING:
        return nomination.acting_unit_id in scope.units_with(codename)
    if codename == "act_for_bloc":
        return nomination.acting_bloc_id in scope.blocs_with(codename)
    if codename in COUNCIL_ACTING:
        return nomination.acting_council_id in scope.councils_with(codename)
    return False


def may_record_vote(scope: UserScope, nomination: Nomination) -> bool:
    """The council's secretary or chair, or the bloc's officer, at a vote stage."""
    if not nomination.is_active:
        return False
    if nomination.acting_council_id is not None:
        return any(
            nomination.acting_council_id in scope.councils_with(code) for code in COUNCIL_ACTING
        )
    return nomination.acting_bloc_id in scope.blocs_with("act_for_bloc")


def may_withdraw(scope: UserScope, nomination: Nomination) -> bool:
    return nomination.is_active and may_prepare(scope, nomination.submitting_unit)


class AllowedAction:
    """What a user can do to a nomination now; the page and the API offer exactly these."""

    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"
    VOTE_RESULT = "vote_result"
    WITHDRAW = "withdraw"
    CLAIM = "claim"
    RELEASE = "release"
    CHOICES = (SUBMIT, APPROVE, RETURN, REJECT, VOTE_RESULT, WITHDRAW, CLAIM, RELEASE)


VOTE_STAGE_KINDS = ("council_vote", "bloc_vote")


def allowed_actions(scope: UserScope, nomination: Nomination) -> list[str]:
    """The actions the services would accept from this user on the nomination now."""
    actions = []
    stage = nomination.current_stage
    at_vote = nomination.is_active and stage is not None and stage.kind in VOTE_STAGE_KINDS
    # an award exists only through a decision: its stage is left by issuing one, not approving
    at_decision = nomination.is_active and stage is not None and stage.kind == "decision"
    if may_act(scope, nomination):
        if nomination.stage_position == 1:
            actions.append(AllowedAction.SUBMIT)
        else:
            if not at_vote:
                actions += (
                    [AllowedAction.REJECT]
                    if at_decision
                    else [
                        AllowedAction.APPROVE,
                        AllowedAction.REJECT,
                    ]
                )
            actions.append(AllowedAction.RETURN)
        if nomination.claimed_by_id is None:
            actions.append(AllowedAction.CLAIM)
    # a bloc's result is entered by its officer; a council's comes from its session
    if at_vote and stage.kind == "bloc_vote" and may_record_vote(scope, nomination):
        actions.append(AllowedAction.VOTE_RESULT)
    if may_withdraw(scope, nomination):
        actions.append(AllowedAction.WITHDRAW)
    if nomination.is_active and nomination.claimed_by_id == scope.user_id:
        actions.append(AllowedAction.RELEASE)
    return actions


def may_enter_facts(scope: UserScope, unit: Unit) -> bool:
    """Whether the user may record the facts eligibility reads (initiatives, breaks in
    service, pending cases) for a person of `unit` or for the unit itself: those who prepare
    its nominations, its commanders (of the unit, or of an ancestor whose records cover it),
    and the secretariat."""
    if scope.is_secretariat or may_prepare(scope, unit):
        return True
    commanded = scope.units_with("approve_nomination")
    return any(unit.pk in scope.units_under(unit_id) for unit_id in commanded)
