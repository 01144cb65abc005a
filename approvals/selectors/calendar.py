"""Working days: Monday to Friday, less Vietnam's public holidays as administrators amend them."""

import datetime
from collections.abc import Callable
from functools import lru_cache

import holidays

from approvals.models import CalendarDay
from approvals.models.calendar import CalendarDayKind

ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=64)
def _statutory_year(year: int) -> tuple[frozenset[datetime.date], frozenset[datetime.date]]:
    """The package's days off and make-up weekend working days falling in one year."""
    # A swap may be published with the next year's holidays (a December Saturday worked for a
    # January day off), so that year is loaded as well.
    country = holidays.country_holidays("VN", years=(year, year + 1))
    days_off = frozenset(day for day in country if day.year == year)
    make_up = frozenset(day for day in country.weekend_workdays if day.year == year)
    return days_off, make_up


class _Calendar:
    """The statutory calendar with the administrators' rows loaded for one call."""

    def __init__(self, overrides: dict[datetime.date, str]) -> None:
        self.overrides = overrides

    def is_working_day(self, day: datetime.date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == CalendarDayKind.WORKING_DAY
        days_off, make_up = _statutory_year(day.year)
        if day.weekday() >= 5:
            return day in make_up
        return day not in days_off


def _calendar(**date_filter) -> _Calendar:
    """Load the administrators' rows matching `date_filter` in one query."""
    return _Calendar(dict(CalendarDay.objects.filter(**date_filter).values_list("date", "kind")))


def is_working_day(day: datetime.date) -> bool:
    """Whether the date is a working day (one query)."""
    return _calendar(date=day).is_working_day(day)


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start`; with 0, `start` or the next working day."""
    if days < 0:
        raise ValueError(f"days must be zero or more, not {days}")
    # The span is unknown until walked, so every later row is loaded; administrators add a
    # handful a year, and one query beats one per year or per day.
    calendar = _calendar(date__gte=start)
    day = start
    if days == 0:
        while not calendar.is_working_day(day):
            day += ONE_DAY
        return day
    remaining = days
    while remaining:
        day += ONE_DAY
        if calendar.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """The number of working days after `start` up to and including `end`."""
    if end <= start:
        return 0
    calendar = _calendar(date__gt=start, date__lte=end)
    return sum(
        calendar.is_working_day(start + ONE_DAY * offset)
        for offset in range(1, (end - start).days + 1)
    )


def working_days_counter(
    first: datetime.date, last: datetime.date
) -> Callable[[datetime.date, datetime.date], int]:
    """working_days_between for any dates within [first, last], with the calendar loaded once."""
    calendar = _calendar(date__gte=first, date__lte=last)
    # cumulative[i]: working days in (first, first + i]
    cumulative = [0]
    for offset in range(1, (last - first).days + 1):
        cumulative.append(cumulative[-1] + calendar.is_working_day(first + ONE_DAY * offset))

    def count(start: datetime.date, end: datetime.date) -> int:
        if end <= start:
            return 0
        return cumulative[(end - first).days] - cumulative[(start - first).days]

    return count
