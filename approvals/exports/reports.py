"""The yearly summary and the statistical form as XLSX or CSV (job kind "yearly_report")."""

from django.utils.translation import gettext as _

from approvals.exports import as_requester
from approvals.exports.tables import RowProgress, Table, tables_file
from approvals.selectors.reports import (
    METRICS,
    ReportGroup,
    StatisticsForm,
    YearlyReport,
    statistics_form,
    yearly_report,
)
from approvals.services.jobs import JobFile, Progress

SUMMARY = "summary"
STATISTICS = "statistics"
REPORTS = (SUMMARY, STATISTICS)
INDENT = "  "


def summary_table(report: YearlyReport) -> Table:
    group_label = dict(ReportGroup.CHOICES)[report.group]
    header = [
        str(group_label),
        *(str(label) for _metric, label in METRICS),
        _("Tỷ lệ được khen thưởng (%)"),
        *(
            _("Số ngày làm việc trung bình: %(stage)s") % {"stage": label}
            for _kind, label in report.stage_kinds
        ),
    ]
    rows = [
        [row.label, *(cell.value for cell in row.cells), row.approval_rate, *row.averages]
        for row in [*report.rows, report.total]
    ]
    return Table(
        title=_("Tổng hợp đề nghị khen thưởng năm %(year)s") % {"year": report.year},
        header=header,
        rows=rows,
        notes=[
            _(
                "Tỷ lệ được khen thưởng: số được khen thưởng trên số đã có kết quả (được khen "
                "thưởng hoặc không được đề nghị). Số ngày làm việc trung bình của mỗi lần "
                "đề nghị ở một bước, không kể bước đang chờ xử lý."
            )
        ],
        widths=[40, *[14] * (len(header) - 1)],
    )


def statistics_tables(form: StatisticsForm) -> list[Table]:
    tables = []
    for section in form.sections:
        header = [
            _("Chỉ tiêu"),
            _("Đơn vị tính"),
            _("Tổng số"),
            *(
                f"{column.award.name} ({column.award.get_kind_display()})"
                for column in section.columns
            ),
        ]
        rows = [
            [INDENT * line.level + line.label, line.measure, line.total, *line.values]
            for line in section.lines
        ]
        tables.append(
            Table(
                title=f"{section.title} — {form.year}",
                header=header,
                rows=rows,
                notes=[str(note) for note in form.notes],
                widths=[50, 12, 10, *[18] * len(section.columns)],
            )
        )
    return tables


def yearly_report_produce(job, progress: Progress) -> JobFile:
    """The summary (params: year, group) or the statistical form (year), as `format`."""
    params = job.params
    year = int(params["year"])
    with as_requester(job) as user:
        if params.get("report") == STATISTICS:
            tables = statistics_tables(statistics_form(user, year=year))
            stem = f"thong-ke-khen-thuong-{year}"
        else:
            group = params.get("group", ReportGroup.UNIT)
            tables = [summary_table(yearly_report(user, year=year, group=group))]
            stem = f"tong-hop-{year}-theo-{group}"
        counter = RowProgress(total=sum(len(table.rows) for table in tables), progress=progress)
        for table in tables:
            table.rows = counter.rows(table.rows)
        produced = tables_file(tables, file_format=params["format"], stem=stem)
        counter.finish()
        return produced
