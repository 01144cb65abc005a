"""Reading the award registry (sổ khen thưởng): searches, and a holder's award history.

`award_history` and `awards_in_years` are what eligibility checks read: plain functions of a
holder, with no notion of who is asking (the caller has already authorised the holder).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from approvals.models import AwardRecord, Person, RecordSource, Unit
from approvals.models.people import fold_vietnamese
from approvals.selectors.organisation import units_for_user
from approvals.selectors.scope import scope_for

# newest first: the award year, then the decision's date, then the order of entry
NEWEST_FIRST = ("-year", "-decision_date", "-pk")
RELATED = ("award", "holder_unit", "person", "unit", "revoked_by")
TRUE_VALUES = {"1", "on", "true", "yes"}


def records_for_user(user) -> QuerySet[AwardRecord]:
    """Registry records the user may read.

    The secretariat and administrators read every record; everyone else the records whose
    holder unit (the person's unit when awarded, or the unit itself) they may read.
    """
    scope = scope_for(user)
    records = AwardRecord.objects.select_related(*RELATED)
    if scope.is_admin or scope.is_secretariat:
        return records
    return records.filter(scope.records_q("holder_unit"))


@dataclass(frozen=True)
class RegistryFilters:
    """The registry search as typed (echoed back into the form) and as parsed."""

    q: str = ""
    year: int | None = None
    award: str = ""
    unit: str = ""
    decision: str = ""
    source: str = ""
    include_revoked: bool = False
    raw_year: str = ""
    errors: tuple[str, ...] = field(default=())

    @classmethod
    def from_params(cls, params: Mapping) -> "RegistryFilters":
        """Parse a query string; a value that cannot be used is dropped with an error."""

        def text(name: str) -> str:
            return str(params.get(name, "") or "").strip()

        errors = []
        raw_year = text("year")
        year = None
        if raw_year:
            if raw_year.isascii() and raw_year.isdigit() and 1900 <= int(raw_year) <= 2999:
                year = int(raw_year)
            else:
                errors.append(_("Năm “%(value)s” không hợp lệ.") % {"value": raw_year})
        source = text("source")
        if source not in RecordSource.values:
            source = ""
        return cls(
            q=text("q"),
            year=year,
            award=text("award"),
            unit=text("unit"),
            decision=text("decision"),
            source=source,
            include_revoked=text("revoked").lower() in TRUE_VALUES,
            raw_year=raw_year,
            errors=tuple(errors),
        )


def registry_search(user, params: Mapping | RegistryFilters) -> QuerySet[AwardRecord]:
    """The user's registry records matching the filters, newest first.

    Filters: `q` (name, ignoring diacritics and case), `year`, `award` (code), `unit` (code:
    records held in that unit's subtree), `decision` (number, exact or part of it), `source`
    (decided or imported) and `revoked` (also list records a later decision revoked).
    """
    filters = params if isinstance(params, RegistryFilters) else RegistryFilters.from_params(params)
    records = records_for_user(user)
    if not filters.include_revoked:
        records = records.filter(revoked_by__isnull=True)
    if filters.q:
        records = records.filter(search_name__contains=fold_vietnamese(filters.q))
    if filters.year is not None:
        records = records.filter(year=filters.year)
    if filters.award:
        records = records.filter(award__code=filters.award)
    if filters.unit:
        path = Unit.objects.filter(code=filters.unit).values_list("path", flat=True).first()
        if path is None:
            return records.none()
        records = records.filter(holder_unit__path__startswith=path)
    if filters.decision:
        # SQLite folds the case of ASCII letters only; numbers are written in capitals ("QĐ")
        records = records.filter(
            Q(decision_number__icontains=filters.decision)
            | Q(decision_number__icontains=filters.decision.upper())
        )
    if filters.source:
        records = records.filter(source=filters.source)
    return records.order_by(*NEWEST_FIRST)


def get_unit_for_user(user, unit_id: int) -> Unit:
    """A unit whose records the user may read, or 404."""
    return get_object_or_404(units_for_user(user), pk=unit_id)


def unit_people_records(user, unit: Unit) -> QuerySet[AwardRecord]:
    """Individual awards of the people of a unit and its sub-units (as held when awarded),
    newest first, revoked ones included, limited to what the user may read."""
    return (
        records_for_user(user)
        .filter(person__isnull=False, holder_unit__path__startswith=unit.path)
        .order_by(*NEWEST_FIRST)
    )


@dataclass(frozen=True)
class AwardHistory:
    """A holder's registry records: the valid ones and those a later decision revoked."""

    valid: tuple[AwardRecord, ...]
    revoked: tuple[AwardRecord, ...]

    @property
    def records(self) -> list[AwardRecord]:
        """Every record, newest first, valid and revoked together (record.is_valid tells)."""
        return sorted(
            (*self.valid, *self.revoked),
            key=lambda r: (r.year, r.decision_date, r.pk),
            reverse=True,
        )

    def years_of(self, *award_codes: str) -> set[int]:
        """Years in which the holder validly holds any of the awards."""
        return {r.year for r in self.valid if r.award.code in award_codes}

    def holds(self, award_code: str, year: int) -> bool:
        return year in self.years_of(award_code)


def _holder_filter(person: Person | None, unit: Unit | None) -> dict:
    if (person is None) == (unit is None):
        raise ValueError("Give exactly one holder: a person or a unit.")
    return {"person": person} if person is not None else {"unit": unit}


def award_history(person: Person | None = None, unit: Unit | None = None) -> AwardHistory:
    """The award history of one person or one unit (one query), newest first.

    `valid` holds the records in force; `revoked` those a later decision amended or revoked,
    which stay in the registry struck out and never count towards eligibility.
    """
    records = (
        AwardRecord.objects.filter(**_holder_filter(person, unit))
        .select_related(*RELATED)
        .order_by(*NEWEST_FIRST)
    )
    valid, revoked = [], []
    for record in records:
        (valid if record.is_valid else revoked).append(record)
    return AwardHistory(valid=tuple(valid), revoked=tuple(revoked))


def awards_in_years(
    *, person: Person | None = None, unit: Unit | None = None, years: Iterable[int]
) -> dict[int, set[str]]:
    """For each of the years, the codes of the awards the holder validly holds (one query)."""
    years = sorted(set(years))
    held: dict[int, set[str]] = {year: set() for year in years}
    rows = AwardRecord.objects.filter(
        **_holder_filter(person, unit), year__in=years, revoked_by__isnull=True
    ).values_list("year", "award__code")
    for year, code in rows:
        held[year].add(code)
    return held
