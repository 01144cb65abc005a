"""Importing historic awards into the registry: every row checked, then all valid rows or none.

A dry run reports each row's errors and writes nothing. The real import checks the rows again
inside its transaction and writes every valid row, skipping (and reporting) the invalid ones.
"""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Award, AwardRecord, Person, RecordSource, Unit
from approvals.models.catalogue import AwardSubject
from approvals.models.people import fold_vietnamese
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.registry_files import ImportRow

FIRST_YEAR = 1944  # the army's founding year: no award in the registry is older
CHUNK = 500  # ids per IN (...) list, well under SQLite's limit on query parameters
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def may_import(user) -> bool:
    """Only the secretariat and administrators enter historic awards."""
    scope = scope_for(user)
    return scope.is_admin or scope.is_secretariat


@dataclass
class RowResult:
    """One row of the file as understood, with its errors (none: it will be written)."""

    number: int
    holder: str = ""
    name: str = ""
    award: str = ""
    year: str = ""
    decision_number: str = ""
    decision_date: str = ""
    authority: str = ""
    errors: list[str] = field(default_factory=list)
    record: AwardRecord | None = None  # the record to write, when the row is valid

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult]
    created: list[int] = field(default_factory=list)  # primary keys of the records written

    @property
    def valid(self) -> list[RowResult]:
        return [row for row in self.rows if row.ok]

    @property
    def invalid(self) -> list[RowResult]:
        return [row for row in self.rows if not row.ok]

    def error_messages(self) -> list[str]:
        """Every error as one line that names its row ("Dòng 3: …")."""
        return [
            _("Dòng %(row)s: %(error)s") % {"row": row.number, "error": error}
            for row in self.rows
            for error in row.errors
        ]


def registry_import(
    *, actor, rows: Sequence[ImportRow], dry_run: bool, file_name: str = ""
) -> ImportReport:
    """Check historic award rows and, unless a dry run, enter the valid ones in the registry.

    Side effects (not in a dry run): in one transaction, inserts one AwardRecord (source
    "imported", holder unit and name set) and one audit event per valid row; if any insert
    fails, nothing is written. A dry run writes nothing at all.
    Raises PermissionDenied unless the actor is of the secretariat or an administrator.
    """
    if not may_import(actor):
        raise PermissionDenied(
            _("Chỉ cơ quan thường trực và quản trị viên được nhập dữ liệu khen thưởng.")
        )
    if dry_run:
        return ImportReport(dry_run=True, rows=_check(rows))
    with transaction.atomic():
        report = ImportReport(dry_run=False, rows=_check(rows))
        for row in report.valid:
            row.record.save()
            audit_record(
                actor=actor,
                verb="registry.import",
                obj=row.record,
                data={"file": file_name, "row": row.number},
            )
            report.created.append(row.record.pk)
    return report


def cell_text(value) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value or "").split())


def chunks(values: Iterable, size: int = CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def people_by_number(numbers: set[str]) -> dict[str, Person]:
    found = {}
    for chunk in chunks(numbers):
        for person in Person.objects.filter(service_number__in=chunk).select_related("unit"):
            found[person.service_number] = person
    return found


def units_by_code(codes: set[str]) -> dict[str, Unit]:
    found = {}
    for chunk in chunks({code.lower() for code in codes}):
        for unit in Unit.objects.filter(code__in=chunk):
            found[unit.code] = unit
    return found


def _existing(field_name: str, holder_ids: set[int]) -> set[tuple[int, int, int]]:
    """(holder, award, year) of the valid records the holders already have."""
    found = set()
    for chunk in chunks(holder_ids):
        found |= set(
            AwardRecord.objects.filter(
                **{f"{field_name}__in": chunk}, revoked_by__isnull=True
            ).values_list(field_name, "award_id", "year")
        )
    return found


def parse_date(value) -> datetime.date | None:
    """A date cell, or text as dd/mm/yyyy or yyyy-mm-dd; None if it is not one."""
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for pattern, order in ((DAY_FIRST, (2, 1, 0)), (ISO, (0, 1, 2))):
        match = pattern.match(text)
        if match:
            parts = [int(part) for part in match.groups()]
            try:
                return datetime.date(*(parts[i] for i in order))
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class _Lookups:
    """What the rows refer to, fetched once for the whole file."""

    people: dict[str, Person]
    units: dict[str, Unit]
    awards_by_code: dict[str, Award]
    awards_by_name: dict[str, Award]
    existing: set[tuple]
    today: datetime.date

    @classmethod
    def for_rows(cls, rows: Sequence[ImportRow]) -> "_Lookups":
        people = people_by_number({cell_text(row.get("so_hieu")) for row in rows} - {""})
        units = units_by_code({cell_text(row.get("ma_don_vi")) for row in rows} - {""})
        awards = list(Award.objects.all())
        existing = {
            ("person", *key) for key in _existing("person", {p.pk for p in people.values()})
        }
        existing |= {("unit", *key) for key in _existing("unit", {u.pk for u in units.values()})}
        return cls(
            people=people,
            units=units,
            awards_by_code={award.code.lower(): award for award in awards},
            awards_by_name={" ".join(award.name.split()).casefold(): award for award in awards},
            existing=existing,
            today=timezone.localdate(),
        )


def _check(rows: Sequence[ImportRow]) -> list[RowResult]:
    """Every row with its errors; a fixed number of queries whatever the number of rows."""
    lookups = _Lookups.for_rows(rows)
    seen: dict[tuple, int] = {}
    results = []
    for row in rows:
        result = RowResult(number=row.number)
        person, unit = check_holder(row, result, lookups)
        award = check_award(row, result, lookups, person=person, unit=unit)
        year = _check_year(row, result, lookups)
        decided_on = _check_date(row, result, lookups)
        note = _check_texts(row, result)
        holder = ("person", person.pk) if person else ("unit", unit.pk) if unit else None
        if holder and award and year:
            key = (*holder, award.pk, year)
            if key in lookups.existing:
                result.errors.append(
                    _(
                        "Trùng với bản ghi đã có trong sổ khen thưởng: "
                        "%(name)s, %(award)s năm %(year)s."
                    )
                    % {"name": result.name, "award": award.name, "year": year}
                )
            elif key in seen:
                result.errors.append(_("Trùng với dòng %(row)s của tệp.") % {"row": seen[key]})
            seen.setdefault(key, row.number)
        if result.ok:
            result.record = AwardRecord(
                person=person,
                unit=unit,
                award=award,
                year=year,
                decision_number=result.decision_number,
                decision_date=decided_on,
                authority=result.authority,
                source=RecordSource.IMPORTED,
                # a historic person's unit at the time is unknown: their unit now holds it
                holder_unit=person.unit if person else unit,
                holder_name=person.full_name if person else unit.name,
                note=note,
            )
        results.append(result)
    return results


def check_holder(row: ImportRow, result: RowResult, lookups: _Lookups):
    """The person (by service number) or the unit (by code) the row is for."""
    errors = result.errors
    number, code = cell_text(row.get("so_hieu")), cell_text(row.get("ma_don_vi"))
    given_name = cell_text(row.get("ho_ten"))
    result.holder, result.name = number or code, given_name
    if number and code:
        errors.append(
            _("Chỉ ghi một trong hai: số hiệu (cá nhân) hoặc mã đơn vị (tập thể), không cả hai.")
        )
        return None, None
    if not number and not code:
        errors.append(_("Thiếu số hiệu (cá nhân) hoặc mã đơn vị (tập thể)."))
        return None, None
    if number:
        person = lookups.people.get(number)
        if person is None:
            errors.append(_("Không tìm thấy quân nhân có số hiệu “%(value)s”.") % {"value": number})
            return None, None
        result.name = person.full_name
        if given_name and fold_vietnamese(given_name) != person.search_name:
            errors.append(
                _("Họ tên “%(given)s” không khớp với số hiệu %(number)s (%(name)s).")
                % {"given": given_name, "number": number, "name": person.full_name}
            )
        return person, None
    unit = lookups.units.get(code.lower())
    if unit is None:
        errors.append(_("Không tìm thấy đơn vị có mã “%(value)s”.") % {"value": code})
        return None, None
    result.name = unit.name
    if given_name and fold_vietnamese(given_name) not in {
        fold_vietnamese(unit.name),
        fold_vietnamese(unit.short_name),
    }:
        errors.append(
            _("Tên “%(given)s” không khớp với đơn vị mã %(code)s (%(name)s).")
            % {"given": given_name, "code": code, "name": unit.name}
        )
    return None, unit


def check_award(row, result: RowResult, lookups: _Lookups, *, person, unit) -> Award | None:
    raw = cell_text(row.get("danh_hieu"))
    award = lookups.awards_by_code.get(raw.lower()) or lookups.awards_by_name.get(raw.casefold())
    result.award = award.name if award else raw
    if not raw:
        result.errors.append(_("Thiếu danh hiệu, hình thức khen thưởng."))
    elif award is None:
        result.errors.append(
            _("Không có danh hiệu “%(value)s” trong danh mục (ghi mã hoặc đúng tên).")
            % {"value": raw}
        )
    elif person and award.subject == AwardSubject.COLLECTIVE:
        result.errors.append(_("“%(award)s” chỉ dành cho tập thể.") % {"award": award.name})
    elif unit and award.subject == AwardSubject.INDIVIDUAL:
        result.errors.append(_("“%(award)s” chỉ dành cho cá nhân.") % {"award": award.name})
    return award


def _check_year(row, result: RowResult, lookups: _Lookups) -> int | None:
    result.year = raw = cell_text(row.get("nam"))
    if not raw:
        result.errors.append(_("Thiếu năm."))
        return None
    if not (raw.isascii() and raw.isdigit()) or not FIRST_YEAR <= int(raw) <= lookups.today.year:
        result.errors.append(
            _("Năm “%(value)s” không hợp lệ (từ %(first)s đến %(last)s).")
            % {"value": raw, "first": FIRST_YEAR, "last": lookups.today.year}
        )
        return None
    return int(raw)


def _check_date(row, result: RowResult, lookups: _Lookups) -> datetime.date | None:
    """The decision date; the award's year may be earlier or later, but not the future."""
    raw = row.get("ngay_quyet_dinh")
    result.decision_date = cell_text(raw)
    decided_on = parse_date(raw)
    if not result.decision_date:
        result.errors.append(_("Thiếu ngày quyết định."))
    elif decided_on is None:
        result.errors.append(
            _(
                "Ngày quyết định “%(value)s” không hợp lệ; ghi theo dạng ngày/tháng/năm "
                "(20/12/2023) hoặc năm-tháng-ngày (2023-12-20)."
            )
            % {"value": result.decision_date}
        )
    elif decided_on > lookups.today:
        result.errors.append(
            _("Ngày quyết định %(date)s ở tương lai.") % {"date": decided_on.strftime("%d/%m/%Y")}
        )
        return None
    return decided_on


def _check_texts(row, result: RowResult) -> str:
    """Decision number and authority (required) and the note, within the columns' lengths."""
    result.decision_number = cell_text(row.get("so_quyet_dinh"))
    result.authority = cell_text(row.get("cap_quyet_dinh"))
    note = cell_text(row.get("ghi_chu"))
    if not result.decision_number:
        result.errors.append(_("Thiếu số quyết định."))
    if not result.authority:
        result.errors.append(_("Thiếu cấp quyết định."))
    for value, limit, label in (
        (result.decision_number, 60, _("Số quyết định")),
        (result.authority, 255, _("Cấp quyết định")),
        (note, 300, _("Ghi chú")),
    ):
        if len(value) > limit:
            result.errors.append(
                _("%(field)s dài quá %(limit)s ký tự.") % {"field": label, "limit": limit}
            )
    return note
