"""Pages for the organisation: units, people, blocs and councils, each within the user's scope."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.permissions import may_enter_facts
from approvals.person_facts_forms import (
    CaseCloseForm,
    CaseOpenForm,
    InitiativeForm,
    ServiceBreakForm,
)
from approvals.selectors import organisation as selectors
from approvals.selectors.person_facts import person_facts
from approvals.selectors.registry import award_history
from approvals.selectors.scope import scope_for

PAGE_SIZE = 50


def _day_param(request, name: str) -> tuple[datetime.date, str]:
    """A date from the query string (dd/mm/yyyy or ISO), today when absent, with an error."""
    raw = request.GET.get(name, "").strip()
    try:
        return forms.DateField(required=False).clean(raw) or timezone.localdate(), ""
    except ValidationError:
        return timezone.localdate(), _(
            "Ngày “%(value)s” không hợp lệ; hãy nhập theo dạng ngày/tháng/năm."
        ) % {"value": raw}


@login_required
def unit_list(request):
    units = selectors.units_for_user(request.user)
    return render(request, "approvals/unit_list.html", {"units": units})


@login_required
def people_list(request):
    units = list(selectors.units_for_user(request.user))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    search = request.GET.get("q", "")
    people = selectors.people_for_user(request.user, unit=unit, search=search)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/people_list.html",
        {"page": page, "units": units, "unit": unit, "search": search},
    )


def render_person(request, person, *, bound: dict | None = None, status: int = 200):
    """The person's page; `bound` holds a form that failed, shown with its errors."""
    may_enter = may_enter_facts(scope_for(request.user), person.unit)
    facts = person_facts(person, today=timezone.localdate(), with_discipline=may_enter)
    context = {
        "person": person,
        "award_history": award_history(person=person),
        "facts": facts,
        "may_enter": may_enter,
    }
    if may_enter:
        context |= {
            "initiative_form": InitiativeForm(),
            "break_form": ServiceBreakForm(),
            "case_form": CaseOpenForm(),
            "close_form": CaseCloseForm(cases=facts.open_cases) if facts.open_cases else None,
            **(bound or {}),
        }
    return render(request, "approvals/person_detail.html", context, status=status)


@login_required
def person_detail(request, person_id: int):
    return render_person(request, selectors.get_person_for_user(request.user, person_id))


@login_required
def bloc_list(request):
    blocs = selectors.blocs_for_user(request.user).select_related("organiser")
    return render(request, "approvals/bloc_list.html", {"blocs": blocs})


@login_required
def bloc_detail(request, bloc_id: int):
    bloc = selectors.get_bloc_for_user(request.user, bloc_id)
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    context = {"bloc": bloc, "year": year, **selectors.bloc_overview(bloc, year)}
    context["leadership"] = next((row for row in context["leaderships"] if row.year == year), None)
    return render(request, "approvals/bloc_detail.html", context)


@login_required
def council_list(request):
    councils = selectors.councils_for_user(request.user)
    return render(request, "approvals/council_list.html", {"councils": councils})


@login_required
def council_detail(request, council_id: int):
    council = selectors.get_council_for_user(request.user, council_id)
    day, error = _day_param(request, "date")
    roster = selectors.council_roster(council, day)
    return render(
        request,
        "approvals/council_detail.html",
        {
            "council": council,
            "day": day,
            "date_error": error,
            "roster": roster,
            "quorum": council.quorum_for(len(roster)),
        },
    )
