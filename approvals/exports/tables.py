"""Writing tables to XLSX and CSV files, the same rows either way.

CSV is UTF-8 with a byte-order mark, so that Excel opens Vietnamese text correctly. Text that
a spreadsheet would read as a formula is kept as text: in XLSX by the cell's type, in CSV by
a leading apostrophe (the usual guard against formula injection).
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from approvals.services.jobs import JobFile, Progress

XLSX = "xlsx"
CSV = "csv"
FORMATS = (XLSX, CSV)
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 200


@dataclass
class Table:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    notes: Sequence[str] = ()
    widths: Sequence[int] = ()  # in characters, per column


class RowProgress:
    """Counts the rows written, over one table or several, reporting progress(done, total)
    at the start, every PROGRESS_EVERY rows and once all are written."""

    def __init__(self, *, total: int, progress: Progress, every: int | None = None) -> None:
        self.total = total
        self.progress = progress
        self.every = every or PROGRESS_EVERY
        self.done = 0
        self.reported: int | None = None

    def _report(self) -> None:
        self.progress(self.done, self.total)
        self.reported = self.done

    def rows(self, rows: Iterable) -> Iterator:
        if self.reported is None:
            self._report()
        for row in rows:
            yield row
            self.done += 1
            if self.done % self.every == 0:
                self._report()

    def finish(self) -> None:
        if self.reported != self.done:
            self._report()


def with_progress(rows: Iterable, *, total: int, progress: Progress) -> Iterator:
    """The rows of one table, reporting progress as RowProgress does."""
    counter = RowProgress(total=total, progress=progress)
    yield from counter.rows(rows)
    counter.finish()


def _xlsx_cell(sheet, value, *, bold=False):
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
    if isinstance(value, datetime.date):
        cell.number_format = "DD/MM/YYYY"
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, str) and value.startswith(" "):
        indent = len(value) - len(value.lstrip(" "))
        cell.value = value.lstrip(" ")
        cell.alignment = Alignment(indent=indent // 2)
    return cell


def tables_xlsx(tables: Sequence[Table]) -> bytes:
    """One sheet per table: title, header, rows, notes (rows are written as they come)."""
    workbook = Workbook(write_only=True)
    for index, table in enumerate(tables, start=1):
        # sheet titles: at most 31 characters, without []:*?/\
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or f"{index}"
        sheet = workbook.create_sheet(title=title)
        for column, width in enumerate(table.widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width
        sheet.freeze_panes = "A3"
        sheet.append([_xlsx_cell(sheet, table.title, bold=True)])
        sheet.append([_xlsx_cell(sheet, label, bold=True) for label in table.header])
        for row in table.rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
        if table.notes:
            sheet.append([])
        for note in table.notes:
            sheet.append([_xlsx_cell(sheet, str(note))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def tables_csv(tables: Sequence[Table]) -> bytes:
    """The tables one after another; with several, each under its title and a blank line
    apart."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    titled = len(tables) > 1
    for index, table in enumerate(tables):
        if titled:
            if index:
                writer.writerow([])
            writer.writerow([_csv_value(table.title)])
        writer.writerow([_csv_value(label) for label in table.header])
        for row in table.rows:
            writer.writerow([_csv_value(value) for value in row])
        if table.notes:
            writer.writerow([])
        for note in table.notes:
            writer.writerow([_csv_value(str(note))])
    return buffer.getvalue().encode("utf-8-sig")


def tables_file(tables: Sequence[Table], *, file_format: str, stem: str) -> JobFile:
    """The tables as the job's file, `stem.xlsx` or `stem.csv`."""
    if file_format == XLSX:
        content = tables_xlsx(tables)
    elif file_format == CSV:
        content = tables_csv(tables)
    else:
        raise ValueError(f"unknown format {file_format!r}")
    return JobFile(
        name=f"{stem}.{file_format}", content=content, content_type=CONTENT_TYPES[file_format]
    )
