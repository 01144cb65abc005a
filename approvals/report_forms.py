"""Forms choosing a yearly report and its export."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.exports.reports import REPORTS
from approvals.exports.tables import CSV, XLSX
from approvals.selectors.reports import ReportGroup, report_years


class ReportForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Năm"), coerce=int, required=False, empty_value=None)
    group = forms.ChoiceField(label=_("Tổng hợp theo"), choices=ReportGroup.CHOICES, required=False)

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        years = report_years() or [timezone.localdate().year]
        self.fields["year"].choices = [(year, year) for year in years]
        # the current year when it has campaigns, else the newest year that has
        this_year = timezone.localdate().year
        self.fields["year"].initial = this_year if this_year in years else years[0]
        self.fields["group"].initial = ReportGroup.UNIT

    def choice(self) -> tuple[int, str]:
        """The chosen year and grouping; the defaults for what is missing or invalid."""
        if self.is_bound:
            self.is_valid()  # keeps the fields that are valid in cleaned_data
        cleaned = getattr(self, "cleaned_data", {})
        return (
            cleaned.get("year") or self.fields["year"].initial,
            cleaned.get("group") or self.fields["group"].initial,
        )


class ReportExportForm(ReportForm):
    report = forms.ChoiceField(choices=[(report, report) for report in REPORTS])
    format = forms.ChoiceField(choices=[(XLSX, "Excel (XLSX)"), (CSV, "CSV")])

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].required = True
