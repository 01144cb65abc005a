"""Reading the organisation as a given user may see it."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from approvals.models import (
    AwardsCouncil,
    BlocLeadership,
    EmulationBloc,
    EmulationRegistration,
    Person,
    RoleAssignment,
    Unit,
)
from approvals.models.people import fold_vietnamese
from approvals.selectors.scope import scope_for


def units_for_user(user) -> QuerySet[Unit]:
    """Units whose records the user may read, in tree order."""
    return Unit.objects.filter(scope_for(user).records_q(None)).select_related("parent")


def people_for_user(user, *, unit: Unit | None = None, search: str = "") -> QuerySet[Person]:
    """People of the units the user may read, optionally one unit's subtree and a name search."""
    people = Person.objects.filter(scope_for(user).records_q("unit")).select_related("unit")
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if search.strip():
        people = people_matching(people, search)
    return people


def people_matching(people: QuerySet[Person], search: str) -> QuerySet[Person]:
    """Those whose name contains `search` (accents and case ignored) or whose service number
    is `search`."""
    search = search.strip()
    return people.filter(
        Q(search_name__contains=fold_vietnamese(search)) | Q(service_number__iexact=search)
    )


def people_to_choose(
    people: QuerySet[Person], *, search: str, selected: str, limit: int
) -> tuple[QuerySet[Person], int, int]:
    """What a form's select of `people` offers: all of them when they are `limit` or fewer and
    nothing is searched, else the first `limit` matching `search` (none without a search);
    the `selected` pk always. Returns (choices, how many people, how many match); the choices
    stay one query whatever the number of people (a division holds thousands)."""
    total = people.count()
    if total <= limit and not search.strip():
        return people, total, total
    matches = people_matching(people, search) if search.strip() else people.none()
    shown = Q(pk__in=matches.order_by("search_name", "pk").values("pk")[:limit])
    if selected.isascii() and selected.isdigit():
        shown |= Q(pk=int(selected))
    return people.filter(shown), total, matches.count()


def get_person_for_user(user, person_id: int) -> Person:
    return get_object_or_404(people_for_user(user), pk=person_id)


def roles_of(user) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related("unit", "bloc", "council")


def blocs_for_user(user) -> QuerySet[EmulationBloc]:
    """Blocs the user acts for, or whose member units' records the user may read."""
    scope = scope_for(user)
    if scope.is_admin or scope.is_secretariat:
        return EmulationBloc.objects.all()
    member_units = Unit.objects.filter(scope.records_q(None)).values("pk")
    return EmulationBloc.objects.filter(
        Q(pk__in=scope.blocs_with("act_for_bloc")) | Q(memberships__unit__in=member_units)
    ).distinct()


def get_bloc_for_user(user, bloc_id: int) -> EmulationBloc:
    return get_object_or_404(blocs_for_user(user), pk=bloc_id)


def bloc_overview(bloc: EmulationBloc, year: int) -> dict:
    """Members, leadership history and registrations of a bloc for a year (four queries)."""
    return {
        "members": list(bloc.members_in(year).order_by("sort_order", "path")),
        "leaderships": list(
            BlocLeadership.objects.filter(bloc=bloc).select_related("leader", "deputy")
        ),
        "registrations": list(
            EmulationRegistration.objects.filter(bloc=bloc, year=year).select_related("unit")
        ),
    }


def councils_for_user(user) -> QuerySet[AwardsCouncil]:
    scope = scope_for(user)
    councils = AwardsCouncil.objects.select_related("unit")
    if scope.is_admin or scope.is_secretariat:
        return councils
    return councils.filter(pk__in=scope.council_ids)


def get_council_for_user(user, council_id: int) -> AwardsCouncil:
    return get_object_or_404(councils_for_user(user), pk=council_id)


def council_roster(council: AwardsCouncil, day: datetime.date):
    return list(council.roster_on(day).select_related("person__unit"))
