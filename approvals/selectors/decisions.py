"""Reading decisions: what waits for one, who may read a decision, and which of its lines."""

from django.db.models import Q, QuerySet

from approvals.models import Decision, DecisionEntry, Nomination, NominationStatus, Unit
from approvals.permissions import acting_q
from approvals.selectors.nominations import LIST_RELATED, nominations_for_user
from approvals.selectors.scope import UserScope, scope_for
from workflows.models import StageKind

# who acts at a decision stage: the deciding authority, or the secretariat recording a
# decision taken above the Ministry (the State's awards)
ISSUING_PERMISSIONS = ("decide_award", "act_secretariat")


def decidable_for_user(user, authority: Unit | None = None) -> QuerySet[Nomination]:
    """Nominations at their decision stage that this user may put in a decision."""
    scope = scope_for(user)
    nominations = (
        Nomination.objects.filter(
            acting_q(scope),
            status=NominationStatus.IN_PROGRESS,
            current_stage__kind=StageKind.DECISION,
        )
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by_id=scope.user_id))
        .select_related(*LIST_RELATED, "person__unit", "nominee_unit__parent")
        .order_by("award__sort_order", "submitting_unit__path", "nominee_name", "pk")
    )
    if authority is not None:
        nominations = nominations.filter(acting_unit=authority)
    return nominations


def issuing_authorities(user) -> list[Unit]:
    """The units on whose behalf the user has nominations to decide (one query)."""
    ids = decidable_for_user(user).order_by().values_list("acting_unit_id", flat=True).distinct()
    return list(Unit.objects.filter(pk__in=ids).order_by("path"))


def reads_whole_decision(scope: UserScope, decision: Decision) -> bool:
    """The issuing authority, its secretariat, the Ministry's secretariat and admins read the
    whole decision and its files; a unit reads its own lines only."""
    if scope.is_admin or scope.is_secretariat:
        return True
    return any(decision.authority_id in scope.units_with(p) for p in ISSUING_PERMISSIONS)


def may_correct(scope: UserScope, decision: Decision) -> bool:
    """Only the authority that issued a decision (the same permission) amends or revokes it."""
    return scope.user_id is not None and decision.authority_id in scope.units_with(
        decision.permission
    )


def decisions_for_user(user) -> QuerySet[Decision]:
    scope = scope_for(user)
    decisions = Decision.objects.select_related("authority", "target").order_by("-signed_on", "-pk")
    if scope.is_admin or scope.is_secretariat:
        return decisions
    issuing = set()
    for permission in ISSUING_PERMISSIONS:
        issuing |= scope.units_with(permission)
    readable = nominations_for_user(user).values("pk")
    own_lines = DecisionEntry.objects.filter(
        Q(nomination__in=readable) | Q(corrects__nomination__in=readable)
    ).values("decision_id")
    return decisions.filter(Q(authority_id__in=issuing) | Q(pk__in=own_lines))


def entries_for_user(user, decision: Decision) -> QuerySet[DecisionEntry]:
    entries = decision.entries.select_related(
        "award", "corrects__decision", "record__revoked_by"
    ).order_by("line")
    if reads_whole_decision(scope_for(user), decision):
        return entries
    readable = nominations_for_user(user).values("pk")
    return entries.filter(Q(nomination__in=readable) | Q(corrects__nomination__in=readable))


def valid_entries(decision: Decision) -> QuerySet[DecisionEntry]:
    """The lines of a decision whose award still stands (not yet amended or revoked)."""
    return (
        decision.entries.filter(record__isnull=False, record__revoked_by__isnull=True)
        .select_related("award", "person", "unit")
        .order_by("line")
    )
