"""Entering the facts eligibility reads: on a person's page (initiatives, breaks in service,
pending cases) and on a unit's award history (the unit's own pending cases).

Each view answers 404 to whoever may not read the person or unit, 403 to a reader who may
not enter facts, and re-renders the page with the bound form and status 400 on an error.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.models import Person, Unit
from approvals.permissions import may_enter_facts
from approvals.person_facts_forms import (
    CaseCloseForm,
    CaseOpenForm,
    InitiativeForm,
    ServiceBreakForm,
)
from approvals.selectors.organisation import get_person_for_user
from approvals.selectors.person_facts import cases_of
from approvals.selectors.registry import get_unit_for_user
from approvals.selectors.scope import scope_for
from approvals.services import person_facts as services
from approvals.views.nominations import form_error
from approvals.views.organisation import render_person
from approvals.views.registry import render_unit_awards


def _person_for_facts(request, person_id: int) -> Person:
    person = get_person_for_user(request.user, person_id)
    if not may_enter_facts(scope_for(request.user), person.unit):
        raise PermissionDenied
    return person


def _unit_for_facts(request, unit_id: int) -> Unit:
    unit = get_unit_for_user(request.user, unit_id)
    if not may_enter_facts(scope_for(request.user), unit):
        raise PermissionDenied
    return unit


def _saved(request, message: str, url: str, anchor: str):
    messages.success(request, message)
    return redirect(f"{url}#{anchor}")


def _person_url(person: Person) -> str:
    return reverse("person_detail", args=[person.pk])


def _unit_url(unit: Unit) -> str:
    return reverse("unit_awards", args=[unit.pk])


@login_required
@require_POST
def person_initiative_add(request, person_id: int):
    person = _person_for_facts(request, person_id)
    form = InitiativeForm(request.POST)
    if form.is_valid():
        try:
            services.initiative_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(
                request, _("Đã ghi sáng kiến được công nhận."), _person_url(person), "initiatives"
            )
    return render_person(request, person, bound={"initiative_form": form}, status=400)


@login_required
@require_POST
def person_break_add(request, person_id: int):
    person = _person_for_facts(request, person_id)
    form = ServiceBreakForm(request.POST)
    if form.is_valid():
        try:
            services.service_break_add(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(
                request, _("Đã ghi thời gian nghỉ, gián đoạn."), _person_url(person), "service"
            )
    return render_person(request, person, bound={"break_form": form}, status=400)


@login_required
@require_POST
def person_case_open(request, person_id: int):
    person = _person_for_facts(request, person_id)
    form = CaseOpenForm(request.POST)
    if form.is_valid():
        try:
            services.pending_case_open(actor=request.user, person=person, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(request, _("Đã ghi vụ việc đang xem xét."), _person_url(person), "cases")
    return render_person(request, person, bound={"case_form": form}, status=400)


@login_required
@require_POST
def person_case_close(request, person_id: int):
    person = _person_for_facts(request, person_id)
    open_cases = list(cases_of(person=person, with_discipline=True).filter(closed_on=None))
    form = CaseCloseForm(request.POST, cases=open_cases)
    if form.is_valid():
        try:
            services.pending_case_close(
                actor=request.user, case=form.chosen, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(request, _("Đã ghi ngày kết thúc vụ việc."), _person_url(person), "cases")
    return render_person(request, person, bound={"close_form": form}, status=400)


@login_required
@require_POST
def unit_case_open(request, unit_id: int):
    unit = _unit_for_facts(request, unit_id)
    form = CaseOpenForm(request.POST)
    if form.is_valid():
        try:
            services.pending_case_open(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(request, _("Đã ghi vụ việc đang xem xét."), _unit_url(unit), "cases")
    return render_unit_awards(request, unit, bound={"case_form": form}, status=400)


@login_required
@require_POST
def unit_case_close(request, unit_id: int):
    unit = _unit_for_facts(request, unit_id)
    open_cases = list(cases_of(unit=unit, with_discipline=True).filter(closed_on=None))
    form = CaseCloseForm(request.POST, cases=open_cases)
    if form.is_valid():
        try:
            services.pending_case_close(
                actor=request.user, case=form.chosen, closed_on=form.cleaned_data["closed_on"]
            )
        except ValidationError as error:
            form_error(form, error)
        else:
            return _saved(request, _("Đã ghi ngày kết thúc vụ việc."), _unit_url(unit), "cases")
    return render_unit_awards(request, unit, bound={"close_form": form}, status=400)
