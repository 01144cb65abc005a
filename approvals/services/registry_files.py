"""Reading import files (CSV or XLSX with a header row) into rows, and writing their templates.

Each import names its columns in a FileLayout: the historic registry's here, the nominations'
in services.nomination_import. Headers are matched without diacritics, case or punctuation, so
"Số hiệu", "so_hieu" and "service_number" name the same column. Values come back as stripped
text, or as a date for an Excel date cell.
"""

import csv
import datetime
import io
import re
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from approvals.models.people import fold_vietnamese

MAX_ROWS = 5000
MAX_BLANK_RUN = 1000  # so many empty rows in a row end the table

# column key -> the headers that name it (after folding: lower case, no diacritics, "_")
COLUMNS = {
    "so_hieu": ("so_hieu", "so_hieu_quan_nhan", "service_number"),
    "ma_don_vi": ("ma_don_vi", "unit_code", "unit"),
    "ho_ten": ("ho_ten", "ho_va_ten", "ten", "full_name", "name"),
    "danh_hieu": ("danh_hieu", "hinh_thuc_khen_thuong", "award", "award_code"),
    "nam": ("nam", "year"),
    "so_quyet_dinh": ("so_quyet_dinh", "so_qd", "decision_number"),
    "ngay_quyet_dinh": ("ngay_quyet_dinh", "ngay_qd", "decision_date"),
    "cap_quyet_dinh": ("cap_quyet_dinh", "authority", "issuing_authority"),
    "ghi_chu": ("ghi_chu", "note", "notes"),
}
REQUIRED = ("danh_hieu", "nam", "so_quyet_dinh", "ngay_quyet_dinh", "cap_quyet_dinh")

# the template's header row and example row (a file format, so not translated)
TEMPLATE_HEADERS = [
    "Số hiệu",
    "Mã đơn vị",
    "Họ tên",
    "Danh hiệu",
    "Năm",
    "Số quyết định",
    "Ngày quyết định",
    "Cấp quyết định",
    "Ghi chú",
]


@dataclass(frozen=True)
class FileLayout:
    """The columns an import reads: key -> the folded headers that name it, the keys that
    must be present, and keys of which at least one must be (the person or the unit)."""

    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    any_of: tuple[str, ...] = ()

    def key(self, header) -> str | None:
        """The column a header names; a remark in brackets ("Mã đơn vị (tập thể)") is left out."""
        text = re.sub(r"\([^)]*\)", " ", str(header or ""))
        folded = re.sub(r"[^a-z0-9]+", "_", fold_vietnamese(text)).strip("_")
        for key, headers in self.columns.items():
            if folded in headers:
                return key
        return None

    def missing(self, keys: list[str | None]) -> list[str]:
        missing = [key for key in self.required if key not in keys]
        if self.any_of and not set(self.any_of) & set(keys):
            missing.insert(0, " / ".join(self.any_of))
        return missing


REGISTRY = FileLayout(COLUMNS, REQUIRED, any_of=("so_hieu", "ma_don_vi"))


@dataclass(frozen=True)
class ImportRow:
    """One data row: its row number in the file (the header is row 1) and its values by key."""

    number: int
    values: dict[str, str | datetime.date]

    def get(self, key: str) -> str | datetime.date:
        return self.values.get(key, "")


def _cell(value) -> str | datetime.date:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def _unreadable() -> ValidationError:
    return ValidationError(
        _(
            "Không đọc được tệp. Chỉ nhận tệp CSV (mã UTF-8, phân cách bằng dấu phẩy hoặc "
            "chấm phẩy) hoặc Excel .xlsx có dòng tiêu đề."
        ),
        code="unreadable",
    )


def _xlsx_rows(data: bytes) -> list[tuple[int, list]]:
    from openpyxl import load_workbook

    try:
        # openpyxl warns about styles and extensions it ignores; only values matter here
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                return _filled_rows(workbook.worksheets[0].iter_rows(values_only=True))
            finally:
                workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, IndexError) as error:
        raise _unreadable() from error


def _csv_rows(data: bytes) -> list[tuple[int, list]]:
    if b"\x00" in data[:4096]:  # a binary file (an image, a PDF, UTF-16 text), not a CSV
        raise _unreadable()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _(
                "Tệp CSV không phải mã UTF-8. Trong Excel, hãy lưu bằng “CSV UTF-8 (phân cách "
                "bằng dấu phẩy)”, hoặc tải lên tệp .xlsx."
            ),
            code="encoding",
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        return _filled_rows(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _unreadable() from error


def _filled_rows(table: Iterable) -> list[tuple[int, list]]:
    """(row number, cells) of the rows with a value, the header's and at most MAX_ROWS + 1
    more; a sheet formatted down to its millionth row is not read to the end."""
    filled, blank_run = [], 0
    for number, row in enumerate(table, start=1):
        cells = [_cell(value) for value in row]
        if not any(cells):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        filled.append((number, cells))
        if len(filled) > MAX_ROWS + 1:
            break
    return filled


def read_registry_file(upload) -> list[ImportRow]:
    """The data rows of an uploaded historic award file, or a ValidationError saying why not."""
    return read_table_file(upload, REGISTRY)


def read_table_file(upload, layout: FileLayout) -> list[ImportRow]:
    """The data rows of an uploaded CSV or XLSX file, or a ValidationError saying why not."""
    limit = settings.ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("Tệp %(size)s, vượt quá giới hạn %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ValidationError(
            _("Tệp Excel dạng cũ (.xls) không được hỗ trợ; hãy lưu lại thành .xlsx."),
            code="xls",
        )
    table = _xlsx_rows(data) if data.startswith(b"PK\x03\x04") else _csv_rows(data)
    if not table:
        raise ValidationError(_("Tệp không có dữ liệu."), code="empty")
    (_header_number, headers), *data_rows = table
    keys = [layout.key(header) for header in headers]
    missing = layout.missing(keys)
    if missing:
        raise ValidationError(
            _("Dòng tiêu đề thiếu cột: %(columns)s. Hãy dùng tệp mẫu.")
            % {"columns": ", ".join(missing)},
            code="columns",
        )
    if not data_rows:
        raise ValidationError(_("Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu."), code="empty")
    if len(data_rows) > MAX_ROWS:
        raise ValidationError(
            _("Tệp có hơn %(max)s dòng dữ liệu; hãy chia thành nhiều tệp.") % {"max": MAX_ROWS},
            code="too_many_rows",
        )
    rows = []
    for number, cells in data_rows:
        values = {}
        for key, value in zip(keys, cells, strict=False):
            if key and not values.get(key):
                values[key] = value
        rows.append(ImportRow(number=number, values=values))
    return rows


def registry_template() -> bytes:
    """An XLSX with the header row and an example row; a second sheet lists the award codes."""
    return table_template(
        title="Sổ khen thưởng",
        headers=TEMPLATE_HEADERS,
        example=[
            "QN-000123",
            "",
            "Nguyễn Văn An",
            "cstdcs",
            2023,
            "1234/QĐ-BTL",
            datetime.date(2023, 12, 20),
            "Tư lệnh Quân khu 1",
            "",
        ],
        widths=(14, 12, 24, 14, 8, 18, 16, 28, 24),
    )


def table_template(
    *, title: str, headers: list[str], example: list, widths: Iterable[int]
) -> bytes:
    """An XLSX with a bold header row, an example row (dates shown day first) and a second
    sheet listing every award's code, name and subject."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from approvals.models import Award

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(headers)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[2]:
        if isinstance(cell.value, datetime.date):
            cell.number_format = "DD/MM/YYYY"
    for number, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width
    awards = workbook.create_sheet(_("Danh hiệu"))
    awards.append([_("Mã danh hiệu"), _("Tên"), _("Đối tượng")])
    for award in Award.objects.all():
        awards.append([award.code, award.name, str(award.get_subject_display())])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
