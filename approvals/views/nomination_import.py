"""Importing nominations from a unit's list: a dry run showing every row, then one letter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from approvals.forms import preparable_units
from approvals.nomination_import_forms import NominationImportForm
from approvals.services import nomination_import as importer
from approvals.views.kept_files import KeptFile
from approvals.views.nominations import form_error
from approvals.views.registry import XLSX

KEPT = KeptFile(session_key="nomination_import_file", folder="nomination-imports")


def _refuse_other_units(request, units) -> None:
    """A unit chosen outside those the user prepares for is refused, not just re-offered."""
    chosen = request.POST.get("unit", "")
    if chosen.isascii() and chosen.isdigit() and not units.filter(pk=chosen).exists():
        raise PermissionDenied


@login_required
def nomination_import(request):
    units = preparable_units(request.user)
    if not units.exists():
        raise PermissionDenied
    if request.method == "POST":
        _refuse_other_units(request, units)
    form = NominationImportForm(request.POST or None, request.FILES or None, user=request.user)
    if units.count() == 1:
        form.fields["unit"].initial = units.first()
    kept, results = KEPT.get(request), None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rows, kept = KEPT.read(request, data["upload"], importer.read_nomination_file)
        except ValidationError as error:
            kept = KEPT.get(request)
            form.add_error("upload", error)
        else:
            where = {"actor": request.user, "unit": data["unit"], "campaign": data["campaign"]}
            if not form.dry_run:
                try:
                    letter = importer.nomination_import(
                        **where, title=data["title"], rows=rows, file_name=kept["name"]
                    )
                except ValidationError as error:
                    form_error(form, error)
                else:
                    KEPT.forget(request)
                    imported = letter.nominations.count()
                    messages.success(
                        request,
                        _(
                            "Đã nhập %(created)s đề nghị vào tờ trình số %(number)s; "
                            "bỏ qua %(skipped)s dòng có vấn đề."
                        )
                        % {
                            "created": imported,
                            "number": letter.number,
                            "skipped": len(rows) - imported,
                        },
                    )
                    return redirect("letter_detail", letter.pk)
            try:
                results = importer.nomination_import_check(**where, rows=rows)
            except ValidationError as error:
                form_error(form, error)
    return render(
        request,
        "approvals/nomination_import.html",
        {
            "form": form,
            "kept": kept,
            "results": results,
            "valid": sum(result.ok for result in results or ()),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@login_required
def nomination_import_template(request):
    if not preparable_units(request.user).exists():
        raise PermissionDenied
    response = HttpResponse(importer.nomination_import_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-de-nghi-khen-thuong.xlsx"'
    return response
