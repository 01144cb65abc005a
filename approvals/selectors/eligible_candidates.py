"""Who could be nominated: a unit's people (or subunits) checked against an award's rules.

Everyone is checked with one `check_candidates` call, so the page costs the same number of
queries for 10 people as for 500. Each row is "if this one were nominated": the engine
checks each alone (`each_alone`), so every quota stands as it would with one more
nomination.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from approvals.models import Award, Campaign, Person, Unit
from approvals.models.catalogue import AwardSubject
from approvals.permissions import may_prepare, prepare_q
from approvals.selectors.eligibility_facts import QUOTA_KINDS
from approvals.selectors.scope import scope_for
from approvals.services.eligibility import Candidate, Outcome, RuleResult, Verdict, check_candidates


def may_list_candidates(user) -> bool:
    """Those who prepare nominations for a unit, and the secretariat."""
    return candidate_units_for(user).exists()


def candidate_units_for(user) -> QuerySet[Unit]:
    """Units whose candidates the user may list: those they prepare for; all for the secretariat."""
    scope = scope_for(user)
    units = (
        Unit.objects.all() if scope.is_secretariat else Unit.objects.filter(prepare_q(scope, ""))
    )
    return units.order_by("path")


def candidate_awards() -> QuerySet[Award]:
    """Active awards, each marked with whether a route exists to nominate for it."""
    from workflows.models import Route

    return Award.objects.filter(is_active=True).annotate(
        has_route=Exists(Route.objects.filter(award=OuterRef("pk")))
    )


def open_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(is_open=True)


@dataclass(frozen=True)
class CandidateRow:
    """One person or subunit, with the rule results as if they alone were nominated."""

    verdict: Verdict
    results: tuple[RuleResult, ...]

    @property
    def person(self) -> Person | None:
        return self.verdict.candidate.person

    @property
    def nominee_unit(self) -> Unit | None:
        return self.verdict.candidate.nominee_unit

    @property
    def failures(self) -> tuple[RuleResult, ...]:
        return tuple(result for result in self.results if result.failed)

    @property
    def eligible(self) -> bool:
        return not self.failures

    @property
    def pending(self) -> bool:
        return any(result.outcome == Outcome.PENDING for result in self.results)


@dataclass(frozen=True)
class CandidateList:
    unit: Unit
    award: Award
    campaign: Campaign
    individual: bool  # people (individual or "both" awards) rather than subunits
    rows: tuple[CandidateRow, ...]  # the eligible first, each group in tree and name order
    quota: tuple[RuleResult, ...]  # the quota rules as they stand with one more nomination

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def eligible_rows(self) -> tuple[CandidateRow, ...]:
        return tuple(row for row in self.rows if row.eligible)

    @property
    def eligible_count(self) -> int:
        return len(self.eligible_rows)


def _candidates(unit: Unit, award: Award, campaign: Campaign) -> tuple[bool, list[Candidate]]:
    individual = award.subject != AwardSubject.COLLECTIVE
    if individual:
        nominees = [
            {"person": person}
            for person in Person.objects.filter(unit__path__startswith=unit.path)
            .select_related("unit")
            .order_by("unit__path", "full_name", "pk")
        ]
    else:
        nominees = [
            {"nominee_unit": subunit}
            for subunit in Unit.objects.subtree_of(unit, include_self=False).order_by("path")
        ]
    return individual, [
        Candidate(award=award, campaign=campaign, submitting_unit=unit, **nominee)
        for nominee in nominees
    ]


def eligible_candidates(
    *, unit: Unit, award: Award, campaign: Campaign, today: datetime.date | None = None
) -> CandidateList:
    """Everyone in the unit's subtree who could be nominated for the award, and everyone else."""
    individual, candidates = _candidates(unit, award, campaign)
    verdicts = check_candidates(candidates, today=today, each_alone=True)
    quota = tuple(
        result
        for result in (verdicts[0].results if verdicts else ())
        if result.rule is not None and result.rule.kind in QUOTA_KINDS
    )
    rows = [CandidateRow(verdict, verdict.results) for verdict in verdicts]
    return CandidateList(
        unit=unit,
        award=award,
        campaign=campaign,
        individual=individual,
        rows=tuple(row for row in rows if row.eligible)
        + tuple(row for row in rows if not row.eligible),
        quota=quota,
    )


def nomination_params(user, listing: CandidateList, rows) -> list[dict[str, int] | None]:
    """For each row, the GET parameters that prefill the nomination form, or None when the
    form would not accept them (campaign closed, award without a route, unit not the user's)."""
    scope = scope_for(user)
    if not (
        listing.campaign.is_open
        and getattr(listing.award, "has_route", True)
        and may_prepare(scope, listing.unit)
    ):
        return [None for _row in rows]
    common = {
        "submitting_unit": listing.unit.pk,
        "campaign": listing.campaign.pk,
        "award": listing.award.pk,
    }
    params = []
    for row in rows:
        if row.person is not None and may_prepare(scope, row.person.unit):
            params.append({**common, "person": row.person.pk})
        elif row.nominee_unit is not None and may_prepare(scope, row.nominee_unit):
            params.append({**common, "nominee_unit": row.nominee_unit.pk})
        else:
            params.append(None)
    return params
