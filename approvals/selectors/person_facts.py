"""Reading the facts eligibility rules read about one person or unit, for their pages."""

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet

from approvals.models import Initiative, PendingCase, Person, ServiceBreak, Unit
from approvals.models.eligibility import CaseKind
from approvals.services.eligibility import service_reached_on


@dataclass(frozen=True)
class ServiceSummary:
    """Continuous service as the eligibility engine counts it (maternity leave counted)."""

    start: datetime.date
    years: int
    maternity_days: int
    uncounted_days: int


@dataclass(frozen=True)
class PersonFacts:
    initiatives: list[Initiative]
    breaks: list[ServiceBreak]
    cases: list[PendingCase]
    service: ServiceSummary

    @property
    def open_cases(self) -> list[PendingCase]:
        return [case for case in self.cases if case.closed_on is None]


def service_summary(enlisted: datetime.date, breaks, *, today: datetime.date) -> ServiceSummary:
    """Start of continuous service and the whole years served by `today`, from
    `service_reached_on` so that the page and the rules cannot disagree."""
    start, _reached, maternity, uncounted = service_reached_on(
        enlisted, breaks, 0, up_to=today, maternity_counts=True
    )
    years = max(today.year - start.year, 0)
    while years > 0 and (
        service_reached_on(enlisted, breaks, years, up_to=today, maternity_counts=True)[1] > today
    ):
        years -= 1
    return ServiceSummary(start, years, maternity, uncounted)


def cases_of(
    *, person: Person | None = None, unit: Unit | None = None, with_discipline: bool
) -> QuerySet[PendingCase]:
    """A person's or a unit's cases, pending first; discipline cases only when asked for."""
    cases = (
        PendingCase.objects.filter(person=person)
        if person
        else PendingCase.objects.filter(unit=unit)
    )
    if not with_discipline:
        cases = cases.exclude(kind=CaseKind.DISCIPLINE)
    return cases.order_by(F("closed_on").desc(nulls_first=True), "-opened_on", "pk")


def person_facts(person: Person, *, today: datetime.date, with_discipline: bool) -> PersonFacts:
    """The person's initiatives, breaks and cases, and their service (three queries)."""
    breaks = list(ServiceBreak.objects.filter(person=person).order_by("start"))
    return PersonFacts(
        initiatives=list(Initiative.objects.filter(person=person).order_by("-recognised_on")),
        breaks=breaks,
        cases=list(cases_of(person=person, with_discipline=with_discipline)),
        service=service_summary(person.enlistment_date, breaks, today=today),
    )
