"""Yearly report pages: the summary by bloc, unit or award, and the statistical form."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from approvals.report_forms import ReportForm
from approvals.selectors.reports import METRICS, statistics_form, yearly_report


def _list_url(params: dict) -> str:
    return f"{reverse('nomination_list')}?{urlencode(params)}"


@login_required
def report_yearly(request):
    form = ReportForm(request.GET or None)
    year, group = form.choice()
    report = yearly_report(request.user, year=year, group=group)
    for row in [*report.rows, report.total]:
        for cell in row.cells:
            if cell.params and cell.value:
                cell.url = _list_url(cell.params)
    return render(
        request,
        "approvals/report_yearly.html",
        {"form": form, "report": report, "metrics": METRICS, "year": year, "group": group},
    )


@login_required
def report_statistics(request):
    form = ReportForm(request.GET or None)
    year, _group = form.choice()
    statistics = statistics_form(request.user, year=year)
    for section in statistics.sections:
        for column, total in zip(section.columns, section.lines[0].values, strict=True):
            if column.params and total:
                column.url = _list_url(column.params)
    return render(
        request,
        "approvals/report_statistics.html",
        {"form": form, "statistics": statistics, "year": year},
    )
