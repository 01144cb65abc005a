"""Entering the facts eligibility reads: on a person's page (initiatives, breaks in service,
pending cases) and on a unit's award history (the unit's own pending cases).

Each view answers 404 to whoever may not read the person or unit, 403 to a reader who may
not enter facts, and re-renders the page with the bound form and status 400 on an error.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

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


@dataclass(frozen=True)
class _Page:
    """Where a fact form lives: the URL to go back to, and how to re-render it bound."""

    url: str
    render: Callable


def _person_page(request, person: Person) -> _Page:
    return _Page(
        reverse("person_detail", args=[person.pk]), partial(render_person, request, person)
    )


def _unit_page(request, unit: Unit) -> _Page:
    return _Page(reverse("unit_awards", args=[unit.pk]), partial(render_unit_awards, request, unit))


def _submit(request, page: _Page, form, key: str, save: Callable, done: str, anchor: str):
    """Save a valid form through `save(cleaned_data)` and go back to the page's `anchor` with
    `done`; otherwise re-render the page with the bound form (what was typed kept), 400."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            form_error(form, error)
        else:
            messages.success(request, done)
            return redirect(f"{page.url}#{anchor}")
    return page.render(bound={key: form}, status=400)


def _close_case(request, page: _Page, open_cases):
    form = CaseCloseForm(request.POST, cases=open_cases)
    return _submit(
        request,
        page,
        form,
        "close_form",
        lambda data: services.pending_case_close(
            actor=request.user, case=form.chosen, closed_on=data["closed_on"]
        ),
        _("Đã ghi ngày kết thúc vụ việc."),
        "cases",
    )


@login_required
@require_POST
def person_initiative_add(request, person_id: int):
    person = _person_for_facts(request, person_id)
    return _submit(
        request,
        _person_page(request, person),
        InitiativeForm(request.POST),
        "initiative_form",
        lambda data: services.initiative_add(actor=request.user, person=person, **data),
        _("Đã ghi sáng kiến được công nhận."),
        "initiatives",
    )


@login_required
@require_POST
def person_break_add(request, person_id: int):
    person = _person_for_facts(request, person_id)
    return _submit(
        request,
        _person_page(request, person),
        ServiceBreakForm(request.POST),
        "break_form",
        lambda data: services.service_break_add(actor=request.user, person=person, **data),
        _("Đã ghi thời gian nghỉ, gián đoạn."),
        "service",
    )


@login_required
@require_POST
def person_case_open(request, person_id: int):
    person = _person_for_facts(request, person_id)
    return _submit(
        request,
        _person_page(request, person),
        CaseOpenForm(request.POST),
        "case_form",
        lambda data: services.pending_case_open(actor=request.user, person=person, **data),
        _("Đã ghi vụ việc đang xem xét."),
        "cases",
    )


@login_required
@require_POST
def person_case_close(request, person_id: int):
    person = _person_for_facts(request, person_id)
    open_cases = cases_of(person=person, with_discipline=True).filter(closed_on=None)
    return _close_case(request, _person_page(request, person), list(open_cases))


@login_required
@require_POST
def unit_case_open(request, unit_id: int):
    unit = _unit_for_facts(request, unit_id)
    return _submit(
        request,
        _unit_page(request, unit),
        CaseOpenForm(request.POST),
        "case_form",
        lambda data: services.pending_case_open(actor=request.user, unit=unit, **data),
        _("Đã ghi vụ việc đang xem xét."),
        "cases",
    )


@login_required
@require_POST
def unit_case_close(request, unit_id: int):
    unit = _unit_for_facts(request, unit_id)
    open_cases = cases_of(unit=unit, with_discipline=True).filter(closed_on=None)
    return _close_case(request, _unit_page(request, unit), list(open_cases))
