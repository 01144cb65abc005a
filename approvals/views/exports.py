"""Starting exports: each runs as a background job, and its page shows progress, then the file."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from approvals.exports.nominations import export_filters
from approvals.exports.tables import FORMATS
from approvals.report_forms import ReportExportForm
from approvals.services.jobs import job_start


@login_required
@require_POST
def report_export(request):
    form = ReportExportForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Yêu cầu xuất báo cáo không hợp lệ."))
    year, group = form.choice()
    job = job_start(
        user=request.user,
        kind="yearly_report",
        params={
            "year": year,
            "group": group,
            "report": form.cleaned_data["report"],
            "format": form.cleaned_data["format"],
            "language": translation.get_language(),
        },
    )
    return redirect("job_detail", job.pk)


@login_required
@require_POST
def nomination_export(request):
    file_format = request.POST.get("format")
    if file_format not in FORMATS:
        return HttpResponseBadRequest(_("Yêu cầu xuất danh sách không hợp lệ."))
    job = job_start(
        user=request.user,
        kind="nomination_export",
        params={
            "filters": export_filters(request.POST),
            "format": file_format,
            "language": translation.get_language(),
        },
    )
    return redirect("job_detail", job.pk)
