"""Everything the eligibility rules read, loaded for many candidates at once.

One query per kind of fact the rules in force read (versions and rules, registry records, live
nominations, pending cases, service breaks, initiatives, acclaims, overrides, route stages),
plus two per submitting unit for the quota counts: the count does not grow with the
candidates.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q

from approvals.models import (
    AcclaimResult,
    Award,
    AwardRecord,
    AwardRule,
    AwardVersion,
    Initiative,
    Nomination,
    NominationStatus,
    PendingCase,
    RuleOverride,
    ServiceBreak,
    Unit,
)
from approvals.models.catalogue import RuleKind

# A holder is ("p", person id) or ("u", unit id).
Holder = tuple[str, int]
# Nominations that count as held or in flight: quotas and duplicates read these.
SUBMITTED = (NominationStatus.IN_PROGRESS, NominationStatus.RETURNED, NominationStatus.AWARDED)
LIVE = (NominationStatus.DRAFT, *SUBMITTED)
QUOTA_KINDS = (RuleKind.QUOTA_OF_STRENGTH, RuleKind.QUOTA_OF_UNITS, RuleKind.QUOTA_OF_HOLDERS)


@dataclass(frozen=True)
class HeldAward:
    award_id: int
    year: int
    decision_number: str


@dataclass(frozen=True)
class LiveNomination:
    pk: int
    award_id: int
    campaign_id: int
    status: str


@dataclass
class QuotaCounts:
    """Submitted nominations of a campaign in a unit's subtree, by award; and its subunits."""

    by_award: dict[int, int] = field(default_factory=dict)
    subunits: int = 0


@dataclass
class Facts:
    today: datetime.date
    versions: dict[tuple[int, int], AwardVersion | None]  # (award, campaign) -> version
    awards: dict[str, Award]  # by code: the awards the rules name, and the candidates'
    held: dict[Holder, list[HeldAward]] = field(default_factory=dict)
    live: dict[Holder, list[LiveNomination]] = field(default_factory=dict)
    cases: dict[Holder, list[PendingCase]] = field(default_factory=dict)
    breaks: dict[int, list[ServiceBreak]] = field(default_factory=lambda: defaultdict(list))
    initiatives: dict[int, list[Initiative]] = field(default_factory=lambda: defaultdict(list))
    # unit -> {(award, year)} acclaimed by its bloc
    acclaimed: dict[int, set[tuple[int, int]]] = field(default_factory=lambda: defaultdict(set))
    # nomination -> rule -> override
    overrides: dict[int, dict[int, RuleOverride]] = field(default_factory=lambda: defaultdict(dict))
    # route version, or (award, campaign) before creation -> [(position, kind, label)]
    stage_kinds: dict = field(default_factory=dict)
    quotas: dict[tuple[int, int], QuotaCounts] = field(default_factory=dict)  # (unit, campaign)


def holder_of(person_id: int | None, unit_id: int | None) -> Holder:
    return ("p", person_id) if person_id else ("u", unit_id)


def _versions(candidates) -> dict[tuple[int, int], AwardVersion | None]:
    award_ids = {c.award.pk for c in candidates}
    rules = Prefetch("rules", queryset=AwardRule.objects.order_by("id"))
    rows = list(
        AwardVersion.objects.filter(award_id__in=award_ids)
        .prefetch_related(rules)
        .order_by("award_id", "-effective_from")
    )
    chosen = {}
    for c in candidates:
        day = c.campaign.start_date
        chosen[(c.award.pk, c.campaign.pk)] = next(
            (
                v
                for v in rows
                if v.award_id == c.award.pk
                and v.effective_from <= day
                and (v.effective_to is None or v.effective_to >= day)
            ),
            None,
        )
    return chosen


def _named_awards(candidates, versions: Iterable[AwardVersion | None]) -> dict[str, Award]:
    """The candidates' awards, and those their rules name (read only when not at hand)."""
    awards = {c.award.code: c.award for c in candidates}
    codes = set()
    for version in versions:
        for rule in version.rules.all() if version else ():
            params = rule.params or {}
            if params.get("award"):
                codes.add(params["award"])
            codes.update(params.get("awards") or ())
    if codes - awards.keys():
        awards |= {a.code: a for a in Award.objects.filter(code__in=codes - awards.keys())}
    return awards


def _holder_q(person_ids: set[int], unit_ids: set[int], person_field: str, unit_field: str) -> Q:
    return Q(**{f"{person_field}__in": person_ids}) | Q(**{f"{unit_field}__in": unit_ids})


def _by_holder(rows, make, person_field="person_id", unit_field="unit_id"):
    grouped = defaultdict(list)
    for row in rows:
        grouped[holder_of(getattr(row, person_field), getattr(row, unit_field))].append(make(row))
    return grouped


def _quota_counts(candidates, versions) -> dict[tuple[int, int], QuotaCounts]:
    groups = {}
    for c in candidates:
        version = versions[(c.award.pk, c.campaign.pk)]
        if version and any(r.kind in QUOTA_KINDS for r in version.rules.all()):
            groups[(c.submitting_unit.pk, c.campaign.pk)] = c.submitting_unit
    counts = {}
    for (unit_id, campaign_id), unit in groups.items():
        inside = Q(person__unit__path__startswith=unit.path) | Q(
            nominee_unit__path__startswith=unit.path
        )
        rows = (
            Nomination.objects.filter(campaign_id=campaign_id, status__in=SUBMITTED)
            .filter(inside)
            .values("award_id")
            .annotate(n=Count("id"))
            .order_by()
        )
        subunits = Unit.objects.subtree_of(unit, include_self=False).count()
        counts[(unit_id, campaign_id)] = QuotaCounts(
            by_award={row["award_id"]: row["n"] for row in rows}, subunits=subunits
        )
    return counts


def _stage_kinds(candidates) -> dict:
    """The stages of each candidate's route: keyed by route version for a nomination, and by
    (award, campaign) for a candidate not yet created (the route it would start on)."""
    from workflows.models import Stage
    from workflows.routes import route_for

    version_of = {}
    for award, campaign in {(c.award, c.campaign) for c in candidates if not c.nomination}:
        version = route_for(award=award, campaign=campaign)
        if version is not None:
            version_of[(award.pk, campaign.pk)] = version.pk
    version_ids = {c.nomination.route_version_id for c in candidates if c.nomination}
    kinds = defaultdict(list)
    stages = Stage.objects.filter(version_id__in=version_ids | set(version_of.values()))
    for stage in stages.order_by("position"):
        kinds[stage.version_id].append((stage.position, stage.kind, str(stage)))
    for key, version_id in version_of.items():
        kinds[key] = kinds[version_id]
    return kinds


def _kinds(versions) -> set[str]:
    return {rule.kind for v in versions.values() if v for rule in v.rules.all()}


def load_facts(candidates: Sequence, *, today: datetime.date) -> Facts:
    """The facts for these candidates; a kind of fact no rule in force reads is not loaded."""
    versions = _versions(candidates)
    kinds = _kinds(versions)
    awards = _named_awards(candidates, versions.values())
    person_ids = {c.person.pk for c in candidates if c.person}
    unit_ids = {c.nominee_unit.pk for c in candidates if c.nominee_unit}
    years = {c.campaign.year for c in candidates}
    holders = _holder_q(person_ids, unit_ids, "person_id", "unit_id")
    facts = Facts(today=today, versions=versions, awards=awards)
    if kinds & {RuleKind.CONSECUTIVE_PRIOR, RuleKind.SAME_YEAR, RuleKind.NOT_AWARDED_TWICE}:
        furthest = max(
            (
                int((rule.params or {}).get("years") or 0)
                for v in versions.values()
                if v
                for rule in v.rules.all()
                if rule.kind == RuleKind.CONSECUTIVE_PRIOR
            ),
            default=0,
        )
        records = AwardRecord.objects.filter(
            holders,
            revoked_by__isnull=True,
            award_id__in=[a.pk for a in awards.values()],
            year__gte=min(years) - furthest,
            year__lte=max(years),
        ).only("person_id", "unit_id", "award_id", "year", "decision_number")
        facts.held = _by_holder(records, lambda r: HeldAward(r.award_id, r.year, r.decision_number))
    if kinds & {RuleKind.SAME_YEAR, RuleKind.ONCE_PER_CAMPAIGN}:
        nominations = Nomination.objects.filter(
            _holder_q(person_ids, unit_ids, "person_id", "nominee_unit_id"),
            campaign_id__in={c.campaign.pk for c in candidates},
            status__in=LIVE,
        ).only("pk", "person_id", "nominee_unit_id", "award_id", "campaign_id", "status")
        facts.live = _by_holder(
            nominations,
            lambda n: LiveNomination(n.pk, n.award_id, n.campaign_id, n.status),
            unit_field="nominee_unit_id",
        )
    if RuleKind.NO_PENDING_DISCIPLINE in kinds:
        pending = PendingCase.objects.filter(holders, opened_on__lte=today).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=today)
        )
        facts.cases = _by_holder(pending, lambda case: case)
    if RuleKind.MIN_SERVICE_YEARS in kinds:
        for item in ServiceBreak.objects.filter(person_id__in=person_ids).order_by("start"):
            facts.breaks[item.person_id].append(item)
    if RuleKind.INITIATIVE in kinds:
        initiatives = Initiative.objects.filter(person_id__in=person_ids)
        for item in initiatives.order_by("-recognised_on"):
            facts.initiatives[item.person_id].append(item)
    if RuleKind.BLOC_ACCLAIM in kinds:
        for unit_id, award_id, year in AcclaimResult.objects.filter(
            unit_id__in=unit_ids, proposed=True, review__year__in=years
        ).values_list("unit_id", "review__award_id", "review__year"):
            facts.acclaimed[unit_id].add((award_id, year))
        facts.stage_kinds = _stage_kinds(candidates)
    nomination_ids = [c.nomination.pk for c in candidates if c.nomination]
    if nomination_ids:
        overrides = RuleOverride.objects.filter(nomination_id__in=nomination_ids)
        for item in overrides.select_related("created_by"):
            facts.overrides[item.nomination_id][item.rule_id] = item
    if kinds & set(QUOTA_KINDS):
        facts.quotas = _quota_counts(candidates, versions)
    return facts
