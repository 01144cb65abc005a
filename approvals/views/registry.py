"""The award registry: search, a unit's award history and the secretariat's historic import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from approvals.models import Award, RecordSource
from approvals.permissions import may_enter_facts
from approvals.person_facts_forms import CaseCloseForm, CaseOpenForm
from approvals.registry_forms import RegistryImportForm
from approvals.selectors import registry as selectors
from approvals.selectors.organisation import units_for_user
from approvals.selectors.person_facts import cases_of
from approvals.selectors.scope import scope_for
from approvals.services import registry_import as importer
from approvals.services.registry_files import read_registry_file, registry_template
from approvals.views.kept_files import KeptFile

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEPT = KeptFile(session_key="registry_import_file", folder="registry-imports")


@login_required
def registry_list(request):
    filters = selectors.RegistryFilters.from_params(request.GET)
    records = selectors.registry_search(request.user, filters)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    units = units_for_user(request.user).select_related(None).only("code", "name", "depth")
    return render(
        request,
        "approvals/registry_list.html",
        {
            "page": page,
            "filters": filters,
            "awards": Award.objects.only("code", "name"),
            "units": units,
            "sources": RecordSource.choices,
            "may_import": importer.may_import(request.user),
        },
    )


def render_unit_awards(request, unit, *, bound: dict | None = None, status: int = 200):
    """A unit's award history and its pending cases; `bound` holds a form that failed."""
    records = selectors.unit_people_records(request.user, unit)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    may_enter = may_enter_facts(scope_for(request.user), unit)
    cases = list(cases_of(unit=unit, with_discipline=may_enter))
    context = {
        "unit": unit,
        "collective": selectors.award_history(unit=unit),
        "page": page,
        "cases": cases,
        "may_enter": may_enter,
    }
    if may_enter:
        open_cases = [case for case in cases if case.closed_on is None]
        context |= {
            "case_form": CaseOpenForm(),
            "close_form": CaseCloseForm(cases=open_cases) if open_cases else None,
            **(bound or {}),
        }
    return render(request, "approvals/unit_awards.html", context, status=status)


@login_required
def unit_awards(request, unit_id: int):
    return render_unit_awards(request, selectors.get_unit_for_user(request.user, unit_id))


@login_required
def registry_import(request):
    if not importer.may_import(request.user):
        raise PermissionDenied
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    kept, report = KEPT.get(request), None
    if request.method == "POST" and form.is_valid():
        try:
            rows, kept = KEPT.read(request, form.cleaned_data["upload"], read_registry_file)
            report = importer.registry_import(
                actor=request.user, rows=rows, dry_run=form.dry_run, file_name=kept["name"]
            )
        except ValidationError as error:
            kept = KEPT.get(request)
            form.add_error("upload", error)
        if report is not None and not report.dry_run:
            KEPT.forget(request)
            kept = None
            messages.success(
                request,
                _("Đã nhập %(created)s bản ghi vào sổ khen thưởng; bỏ qua %(skipped)s dòng lỗi.")
                % {"created": len(report.created), "skipped": len(report.invalid)},
            )
    return render(
        request,
        "approvals/registry_import.html",
        {"form": form, "report": report, "kept": kept},
    )


@login_required
def registry_import_template(request):
    if not importer.may_import(request.user):
        raise PermissionDenied
    response = HttpResponse(registry_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-so-khen-thuong.xlsx"'
    return response
