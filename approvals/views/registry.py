"""The award registry: search, a unit's award history and the secretariat's historic import."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from approvals.models import Award, RecordSource
from approvals.registry_forms import RegistryImportForm
from approvals.selectors import registry as selectors
from approvals.selectors.organisation import units_for_user
from approvals.services import registry_import as importer
from approvals.services.registry_files import read_registry_file, registry_template

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the file kept between the dry run and the import: {"storage": name, "name": original}
SESSION_KEY = "registry_import_file"


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


@login_required
def unit_awards(request, unit_id: int):
    unit = selectors.get_unit_for_user(request.user, unit_id)
    records = selectors.unit_people_records(request.user, unit)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "approvals/unit_awards.html",
        {"unit": unit, "collective": selectors.award_history(unit=unit), "page": page},
    )


def _store(request, upload) -> dict:
    """Keep the upload under private media for this user, replacing the one kept before."""
    _forget(request)
    upload.seek(0)
    extension = ".xlsx" if upload.read(4) == b"PK\x03\x04" else ".csv"
    upload.seek(0)
    name = f"private/registry-imports/{request.user.pk}/{uuid.uuid4().hex}{extension}"
    kept = {"storage": default_storage.save(name, upload), "name": upload.name}
    request.session[SESSION_KEY] = kept
    return kept


def _kept(request) -> dict | None:
    kept = request.session.get(SESSION_KEY)
    prefix = f"private/registry-imports/{request.user.pk}/"
    if kept and kept["storage"].startswith(prefix) and default_storage.exists(kept["storage"]):
        return kept
    return None


def _forget(request) -> None:
    kept = request.session.pop(SESSION_KEY, None)
    if kept and kept["storage"].startswith(f"private/registry-imports/{request.user.pk}/"):
        default_storage.delete(kept["storage"])


@login_required
def registry_import(request):
    if not importer.may_import(request.user):
        raise PermissionDenied
    form = RegistryImportForm(request.POST or None, request.FILES or None)
    kept, report = _kept(request), None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            if upload is not None:
                rows = read_registry_file(upload)
                kept = _store(request, upload)
            elif kept is not None:
                with default_storage.open(kept["storage"], "rb") as stored:
                    rows = read_registry_file(stored)
            else:
                raise ValidationError(_("Hãy chọn tệp để kiểm tra hoặc nhập."))
            report = importer.registry_import(
                actor=request.user, rows=rows, dry_run=form.dry_run, file_name=kept["name"]
            )
        except ValidationError as error:
            if upload is not None:
                _forget(request)
                kept = None
            form.add_error("upload", error)
        if report is not None and not report.dry_run:
            _forget(request)
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
