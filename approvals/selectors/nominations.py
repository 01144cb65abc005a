"""Reading nominations: what a user may see, what waits for them, and who must act."""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from approvals.models import (
    BlocUserObjectPermission,
    CouncilUserObjectPermission,
    Nomination,
    NominationEvent,
    SubmissionLetter,
    UnitUserObjectPermission,
)
from approvals.permissions import COUNCIL_ACTING, acting_q, visible_q
from approvals.selectors.nomination_filters import filter_nominations
from approvals.selectors.scope import scope_for

# where a nomination stands and who holds it: what every list of nominations shows
WHERE_RELATED = (
    "award",
    "submitting_unit",
    "current_stage",
    "acting_unit",
    "acting_bloc",
    "acting_council",
)
# what the nominations table shows of each row (templates/includes/nomination_table.html)
TABLE_RELATED = (*WHERE_RELATED, "claimed_by", "letter")
# the columns that table reads of each row and of its related rows (in_order's `only`): the
# nomination's other forty columns and the related rows' own are neither fetched nor built
TABLE_COLUMNS = (
    "nominee_name",
    "status",
    "due_date",
    "award__name",
    "submitting_unit__short_name",
    "current_stage__position",
    "current_stage__kind",
    "acting_unit__short_name",
    "acting_bloc__name",
    "acting_council__name",
    "claimed_by__username",
    "claimed_by__first_name",
    "claimed_by__last_name",
    "letter__number",
)
LIST_RELATED = (*TABLE_RELATED, "campaign")


def nominations_for_user(user) -> QuerySet[Nomination]:
    """Every nomination the user may read, filtered in SQL."""
    return Nomination.objects.filter(visible_q(scope_for(user))).select_related(*LIST_RELATED)


def get_nomination_for_user(user, nomination_id: int) -> Nomination:
    """The nomination, or 404 for anyone who may not read it."""
    return get_object_or_404(
        nominations_for_user(user).select_related("person", "nominee_unit", "route_version__route"),
        pk=nomination_id,
    )


def inbox_for_user(user) -> QuerySet[Nomination]:
    """Nominations waiting at a stage this user acts on, oldest deadline first.

    Claimed tasks stay in the claimant's inbox only.
    """
    scope = scope_for(user)
    return (
        Nomination.objects.filter(acting_q(scope))
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by_id=scope.user_id))
        .select_related(*LIST_RELATED)
        .order_by("due_date", "pk")
    )


def inbox_counts(user) -> dict[str, int]:
    """Total, overdue and claimed-by-me counts of the inbox, in one query."""
    from django.db.models import Count

    today = timezone.localdate()
    return (
        inbox_for_user(user)
        .order_by()
        .aggregate(
            total=Count("pk"),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
            mine=Count("pk", filter=Q(claimed_by_id=user.pk)),
        )
    )


def timeline(nomination: Nomination) -> QuerySet[NominationEvent]:
    return nomination.events.select_related("actor").order_by("created_at", "pk")


def acting_users(nomination: Nomination) -> QuerySet:
    """The users who may act on the nomination's current stage (one query)."""
    User = get_user_model()
    codename = nomination.acting_permission
    if not nomination.is_active or not codename:
        return User.objects.none()
    if codename == "act_for_bloc":
        holders = BlocUserObjectPermission.objects.filter(
            permission__codename=codename, content_object_id=nomination.acting_bloc_id
        )
    elif codename in COUNCIL_ACTING:
        holders = CouncilUserObjectPermission.objects.filter(
            permission__codename=codename, content_object_id=nomination.acting_council_id
        )
    else:
        unit = nomination.acting_unit
        holders = UnitUserObjectPermission.objects.filter(
            permission__codename=codename, content_object_id=unit.pk
        )
        if codename == "prepare_nomination":
            holders = holders | UnitUserObjectPermission.objects.filter(
                permission__codename=codename,
                content_object_id__in=unit.ancestor_ids(),
                content_object__nominations_include_subunits=True,
            )
    users = User.objects.filter(pk__in=holders.values("user_id"), is_active=True)
    if nomination.claimed_by_id:
        users = users.filter(pk=nomination.claimed_by_id)
    return users.order_by("username")


def letters_for_user(user) -> QuerySet[SubmissionLetter]:
    """Letters with at least one nomination the user may read, or of units they prepare for."""
    from approvals.permissions import prepare_q

    scope = scope_for(user)
    if scope.is_admin:
        return SubmissionLetter.objects.select_related("unit", "campaign")
    visible = Nomination.objects.filter(visible_q(scope)).values("letter_id")
    return SubmissionLetter.objects.filter(
        Q(pk__in=visible) | prepare_q(scope, "unit")
    ).select_related("unit", "campaign")


def get_letter_for_user(user, letter_id: int) -> SubmissionLetter:
    return get_object_or_404(letters_for_user(user), pk=letter_id)


def vote_threshold(nomination: Nomination) -> tuple:
    """The (percent, rule) of the nomination's vote stage: its settings, else the award's."""
    from approvals.models.catalogue import ThresholdRule

    settings = nomination.current_stage.settings or {}
    version = nomination.award.version_for(nomination.campaign)
    percent = settings.get("threshold_percent") or (
        version.vote_threshold_percent if version else 50
    )
    rule = settings.get("threshold_rule") or (
        version.threshold_rule if version else ThresholdRule.MORE_THAN
    )
    return percent, rule


def vote_requirement(nomination: Nomination) -> tuple[int, int, str]:
    """Members counted, agree votes needed, and the rule's wording, for a vote stage.

    A council counts its whole roster on the day; a bloc counts its member units that year.
    The stage's settings override the award's threshold.
    """
    from approvals.models.catalogue import ThresholdRule, agree_votes_needed

    if nomination.acting_council_id:
        members = nomination.acting_council.roster_on(timezone.localdate()).count()
    else:
        members = nomination.acting_bloc.members_in(nomination.campaign.year).count()
    percent, rule = vote_threshold(nomination)
    wording = f"{'≥' if rule == ThresholdRule.AT_LEAST else '>'} {percent}%"
    return members, agree_votes_needed(members, percent, rule), wording


def nominations_filtered(user, params) -> QuerySet[Nomination]:
    """The user's nominations narrowed by the list's filters (a QueryDict or a dict).

    The one filter the list page, the exports and the dashboard's links all use: status,
    award, campaign, deciding level, unit subtree, bloc, who holds it now, stage kind and
    level, milestone reached, overdue, waiting at a stage on a past day, and a name search
    that ignores diacritics and case (see selectors/nomination_filters.py for each one).
    """
    return filter_nominations(nominations_for_user(user), params)


def in_order(ids: list[int], related=TABLE_RELATED, only=()) -> list[Nomination]:
    """The nominations with these ids, in this order, with what a table of them shows (only
    the columns `only` names, when given, besides the keys)."""
    # no ORDER BY (the order is the ids'): Django would hash each of the ~200 columns for it
    rows = Nomination.objects.select_related(*related).order_by()
    if only:
        rows = rows.only(*only, *(f"{name}_id" for name in related if "__" not in name))
    rows = rows.in_bulk(ids)
    return [rows[pk] for pk in ids if pk in rows]


def ids_of(nominations: QuerySet[Nomination]) -> QuerySet:
    """The ids of a list in its order, with the filter's joins only: a page of them, then
    in_order, spares the planner the filter and ten joins together (tens of ms at 50,000)."""
    return nominations.select_related(None).values_list("pk", flat=True)


def nominations_page(nominations: QuerySet[Nomination], number, size: int) -> Page:
    """One page of a list (the list page, the inbox), read in two steps: the page's ids in
    the list's order, then those rows with what the table shows (ids_of, in_order)."""
    page = Paginator(ids_of(nominations), size).get_page(number)
    page.object_list = in_order(list(page.object_list), TABLE_RELATED, TABLE_COLUMNS)
    return page
