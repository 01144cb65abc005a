"""Everything the eligibility rules read, loaded for many candidates at once.

Two queries for the award versions and their rules, one for the facts the rules in force read
(the awards they name, registry records, live nominations, pending cases, service breaks,
initiatives, acclaims, quota counts, overrides: one UNION ALL, `_row_facts`), and one for
the route stages when a rule reads them: the count does not grow with the candidates. A
caller that has read the version or the route's stages already passes them (`load_facts`).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    Prefetch,
    Q,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast

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
# an award version not read yet, in the optional arguments that pass one already read (None
# is a version known to be missing)
UNREAD = object()


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


def versions_on(award_id: int, day: datetime.date):
    """The award's versions in force on the day, the one that applies first (the filter of
    `Award.version_on`), as a queryset to read or to use as a subquery."""
    return (
        AwardVersion.objects.filter(award_id=award_id, effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .order_by("-effective_from")
    )


def version_in_force(award, campaign) -> AwardVersion | None:
    """The award's version in force on the campaign's start (as `Award.version_for`) with its
    rules, for a page that shows both the dossier checklist and the rules: it reads them once
    and passes the version on (`load_facts(versions=...)`, `checklist_and_types(version=...)`).

    One query, the rules with their version joined; a version without rules (or none in
    force) costs a second one."""
    in_force = versions_on(award.pk, campaign.start_date)
    rules = list(
        AwardRule.objects.filter(version_id=Subquery(in_force.values("pk")[:1]))
        .select_related("version")
        .order_by("id")
    )
    version = rules[0].version if rules else in_force.first()
    if version is None:
        return None
    for rule in rules:
        rule.version = version
    # what prefetch_related("rules") leaves: `version.rules.all()` reads no more
    cached = version.rules.get_queryset()
    cached._result_cache, cached._prefetch_done = rules, True
    version._prefetched_objects_cache = {"rules": cached}
    return version


def _named_awards(candidates, versions: Iterable[AwardVersion | None]):
    """The candidates' awards by code, and the codes of those their rules name that are not
    at hand (read with the other facts, `_parts`)."""
    awards = {c.award.code: c.award for c in candidates}
    codes = set()
    for version in versions:
        for rule in version.rules.all() if version else ():
            params = rule.params or {}
            if params.get("award"):
                codes.add(params["award"])
            codes.update(params.get("awards") or ())
    return awards, codes - awards.keys()


def _holder_q(person_ids: set[int], unit_ids: set[int], person_field: str, unit_field: str) -> Q:
    return Q(**{f"{person_field}__in": person_ids}) | Q(**{f"{unit_field}__in": unit_ids})


def _by_holder(rows, make, person_field="person_id", unit_field="unit_id", get=getattr):
    grouped = defaultdict(list)
    for row in rows:
        grouped[holder_of(get(row, person_field), get(row, unit_field))].append(make(row))
    return grouped


def _quota_groups(candidates, versions) -> dict[tuple[int, int], Unit]:
    """(submitting unit, campaign) -> the unit, for the candidates a quota rule applies to."""
    groups = {}
    for c in candidates:
        version = versions[(c.award.pk, c.campaign.pk)]
        if version and any(r.kind in QUOTA_KINDS for r in version.rules.all()):
            groups[(c.submitting_unit.pk, c.campaign.pk)] = c.submitting_unit
    return groups


def _quota_parts(groups) -> list:
    """Per (unit, campaign): the submitted nominations of the campaign in the unit's subtree
    by award, and the number of its subunits (a row of the unit with a counting subquery)."""
    parts = []
    for (unit_id, campaign_id), unit in groups.items():
        inside = Q(person__unit__path__startswith=unit.path) | Q(
            nominee_unit__path__startswith=unit.path
        )
        counts = (
            Nomination.objects.filter(campaign_id=campaign_id, status__in=SUBMITTED)
            .filter(inside)
            .order_by()
            .values("award_id")
            .annotate(n=Count("id"))
        )
        parts.append(
            _part(
                counts,
                "quota",
                f_unit=Value(unit_id, output_field=IntegerField()),
                f_b=Value(campaign_id, output_field=IntegerField()),
                f_a=F("award_id"),
                f_c=F("n"),
            )
        )
        below = (
            Unit.objects.subtree_of(unit, include_self=False)
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT"))
            .values("n")
        )
        parts.append(
            _part(
                Unit.objects.filter(pk=unit_id),
                "subunits",
                f_unit=F("pk"),
                f_b=Value(campaign_id, output_field=IntegerField()),
                f_c=Subquery(below, output_field=IntegerField()),
            )
        )
    return parts


def _stage_kinds(candidates, known: dict | None = None) -> dict:
    """The stages of each candidate's route: keyed by route version for a nomination, and by
    (award, campaign) for a candidate not yet created (the route it would start on).
    `known`: route version -> its stages, already read (not read again)."""
    from workflows.models import Stage
    from workflows.routes import route_for

    known = known or {}
    version_of = {}
    for award, campaign in {(c.award, c.campaign) for c in candidates if not c.nomination}:
        version = route_for(award=award, campaign=campaign)
        if version is not None:
            version_of[(award.pk, campaign.pk)] = version.pk
    version_ids = {c.nomination.route_version_id for c in candidates if c.nomination}
    kinds = defaultdict(list)
    for version_id in (version_ids | set(version_of.values())) & known.keys():
        for stage in sorted(known[version_id], key=lambda stage: stage.position):
            kinds[version_id].append((stage.position, stage.kind, str(stage)))
    unread = (version_ids | set(version_of.values())) - known.keys()
    if unread:
        for stage in Stage.objects.filter(version_id__in=unread).order_by("position"):
            kinds[stage.version_id].append((stage.position, stage.kind, str(stage)))
    for key, version_id in version_of.items():
        kinds[key] = kinds[version_id]
    return kinds


def _kinds(versions) -> set[str]:
    return {rule.kind for v in versions.values() if v for rule in v.rules.all()}


# the columns of `_small_facts`' rows, whatever their kind
_COLUMNS = (
    ("f_kind", CharField),
    ("f_id", IntegerField),
    ("f_person", IntegerField),
    ("f_unit", IntegerField),
    ("f_a", IntegerField),
    ("f_b", IntegerField),
    ("f_c", IntegerField),
    ("f_text", TextField),
    ("f_text2", TextField),
    ("f_text3", TextField),
    ("f_text4", TextField),
    ("f_day", DateField),
    ("f_day2", DateField),
    ("f_at", DateTimeField),
)


def _part(queryset, kind: str, **columns):
    """One kind of row of `_small_facts`: the named columns, NULL for the others."""
    values = {"f_kind": Value(kind, output_field=CharField())}
    for name, output in _COLUMNS[1:]:
        # a typed NULL: PostgreSQL resolves a UNION's column types pair by pair
        values[name] = columns.get(name, Cast(Value(None), output_field=output()))
    return queryset.order_by().annotate(**values).values_list(*(name for name, _ in _COLUMNS))


def _parts(candidates, facts: Facts, kinds, today, *, codes, quotas) -> list:
    """One SELECT per kind of row fact the rules in force read, for `_row_facts`; `codes`:
    the awards named by the rules still to read; `quotas`: the groups to count."""
    versions = facts.versions
    person_ids = {c.person.pk for c in candidates if c.person}
    unit_ids = {c.nominee_unit.pk for c in candidates if c.nominee_unit}
    years = {c.campaign.year for c in candidates}
    holders = _holder_q(person_ids, unit_ids, "person_id", "unit_id")
    parts = []
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
            Q(award_id__in=[a.pk for a in facts.awards.values()]) | Q(award__code__in=codes),
            revoked_by__isnull=True,
            year__gte=min(years) - furthest,
            year__lte=max(years),
        )
        parts.append(
            _part(
                records,
                "record",
                f_id=F("pk"),
                f_person=F("person_id"),
                f_unit=F("unit_id"),
                f_a=F("award_id"),
                f_b=F("year"),
                f_c=F("award__sort_order"),
                f_text=F("decision_number"),
            )
        )
    if kinds & {RuleKind.SAME_YEAR, RuleKind.ONCE_PER_CAMPAIGN}:
        nominations = Nomination.objects.filter(
            _holder_q(person_ids, unit_ids, "person_id", "nominee_unit_id"),
            campaign_id__in={c.campaign.pk for c in candidates},
            status__in=LIVE,
        )
        parts.append(
            _part(
                nominations,
                "live",
                f_id=F("pk"),
                f_person=F("person_id"),
                f_unit=F("nominee_unit_id"),
                f_a=F("award_id"),
                f_b=F("campaign_id"),
                f_text=F("status"),
                f_at=F("created_at"),
            )
        )
    if RuleKind.NO_PENDING_DISCIPLINE in kinds:
        pending = PendingCase.objects.filter(holders, opened_on__lte=today).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=today)
        )
        parts.append(
            _part(
                pending,
                "case",
                f_id=F("pk"),
                f_person=F("person_id"),
                f_unit=F("unit_id"),
                f_text=F("kind"),
                f_text2=F("reference"),
                f_text3=F("note"),
                f_day=F("opened_on"),
                f_day2=F("closed_on"),
            )
        )
    if RuleKind.MIN_SERVICE_YEARS in kinds:
        parts.append(
            _part(
                ServiceBreak.objects.filter(person_id__in=person_ids),
                "break",
                f_id=F("pk"),
                f_person=F("person_id"),
                f_text=F("kind"),
                f_text2=F("note"),
                f_day=F("start"),
                f_day2=F("end"),
            )
        )
    if RuleKind.INITIATIVE in kinds:
        parts.append(
            _part(
                Initiative.objects.filter(person_id__in=person_ids),
                "initiative",
                f_id=F("pk"),
                f_person=F("person_id"),
                f_a=F("level"),
                f_text=F("title"),
                f_text2=F("reference"),
                f_day=F("recognised_on"),
            )
        )
    if RuleKind.BLOC_ACCLAIM in kinds:
        acclaims = AcclaimResult.objects.filter(
            unit_id__in=unit_ids, proposed=True, review__year__in=years
        )
        parts.append(
            _part(
                acclaims,
                "acclaim",
                f_unit=F("unit_id"),
                f_a=F("review__award_id"),
                f_b=F("review__year"),
            )
        )
    if codes:
        named = Award.objects.filter(code__in=codes)
        parts.append(_part(named, "award", f_id=F("pk"), f_text=F("code"), f_text2=F("name")))
    parts.extend(_quota_parts(quotas))
    nomination_ids = [c.nomination.pk for c in candidates if c.nomination]
    if nomination_ids:
        overrides = RuleOverride.objects.filter(nomination_id__in=nomination_ids)
        parts.append(
            _part(
                overrides,
                "override",
                f_id=F("pk"),
                f_a=F("nomination_id"),
                f_b=F("rule_id"),
                f_c=F("created_by_id"),
                f_text=F("reason"),
                f_text2=F("created_by__first_name"),
                f_text3=F("created_by__last_name"),
                f_text4=F("created_by__username"),
                f_at=F("created_at"),
            )
        )
    return parts


def _row_facts(candidates, facts: Facts, *, kinds, today, codes, quotas) -> None:
    """The awards the rules name, registry records, live nominations, pending cases, service
    breaks, initiatives, acclaims, quota counts and overrides in one query (a UNION ALL of
    one SELECT per kind the rules in force read), each kind sorted here as its own read
    would have sorted it."""
    parts = _parts(candidates, facts, kinds, today, codes=codes, quotas=quotas)
    if not parts:
        return
    first, *rest = parts
    rows: dict[str, list] = defaultdict(list)
    for row in first.union(*rest, all=True) if rest else first:
        rows[row[0]].append(dict(zip((name for name, _ in _COLUMNS), row, strict=True)))

    def by_holder(kind, make):
        return _by_holder(rows[kind], make, "f_person", "f_unit", get=dict.get)

    for r in rows["award"]:
        facts.awards[r["f_text"]] = Award(pk=r["f_id"], code=r["f_text"], name=r["f_text2"])
    for unit_id, campaign_id in quotas:
        facts.quotas[(unit_id, campaign_id)] = QuotaCounts()
    for r in rows["quota"]:
        facts.quotas[(r["f_unit"], r["f_b"])].by_award[r["f_a"]] = r["f_c"]
    for r in rows["subunits"]:
        facts.quotas[(r["f_unit"], r["f_b"])].subunits = r["f_c"] or 0
    # each kind in its model's order, by stable sorts from the last key to the first
    rows["record"].sort(key=lambda r: (r["f_c"], r["f_id"]))
    rows["record"].sort(key=lambda r: r["f_b"], reverse=True)
    facts.held = by_holder("record", lambda r: HeldAward(r["f_a"], r["f_b"], r["f_text"]))
    rows["live"].sort(key=lambda r: (r["f_at"], r["f_id"]), reverse=True)
    facts.live = by_holder(
        "live", lambda r: LiveNomination(r["f_id"], r["f_a"], r["f_b"], r["f_text"])
    )
    rows["case"].sort(key=lambda r: r["f_id"])
    rows["case"].sort(key=lambda r: r["f_day"], reverse=True)
    facts.cases = by_holder(
        "case",
        lambda r: PendingCase(
            pk=r["f_id"],
            person_id=r["f_person"],
            unit_id=r["f_unit"],
            kind=r["f_text"],
            reference=r["f_text2"],
            note=r["f_text3"],
            opened_on=r["f_day"],
            closed_on=r["f_day2"],
        ),
    )
    for r in sorted(rows["break"], key=lambda r: (r["f_day"], r["f_id"])):
        facts.breaks[r["f_person"]].append(
            ServiceBreak(
                pk=r["f_id"],
                person_id=r["f_person"],
                kind=r["f_text"],
                note=r["f_text2"],
                start=r["f_day"],
                end=r["f_day2"],
            )
        )
    rows["initiative"].sort(key=lambda r: r["f_id"])
    for r in sorted(rows["initiative"], key=lambda r: r["f_day"], reverse=True):
        facts.initiatives[r["f_person"]].append(
            Initiative(
                pk=r["f_id"],
                person_id=r["f_person"],
                level=r["f_a"],
                title=r["f_text"],
                reference=r["f_text2"],
                recognised_on=r["f_day"],
            )
        )
    for r in rows["acclaim"]:
        facts.acclaimed[r["f_unit"]].add((r["f_a"], r["f_b"]))
    User = get_user_model()
    for r in sorted(rows["override"], key=lambda r: (r["f_at"], r["f_id"])):
        who = None
        if r["f_c"] is not None:
            who = User(
                pk=r["f_c"], first_name=r["f_text2"], last_name=r["f_text3"], username=r["f_text4"]
            )
        facts.overrides[r["f_a"]][r["f_b"]] = RuleOverride(
            pk=r["f_id"],
            nomination_id=r["f_a"],
            rule_id=r["f_b"],
            reason=r["f_text"],
            created_by=who,
            created_at=r["f_at"],
        )


def load_facts(
    candidates: Sequence,
    *,
    today: datetime.date,
    versions: dict | None = None,
    stages: dict | None = None,
) -> Facts:
    """The facts for these candidates; a kind of fact no rule in force reads is not loaded.

    `versions`: (award, campaign) -> the version in force with its rules, for candidates
    whose version the caller has read (`version_in_force`); `stages`: route version -> its
    stages, already read. Both spare their queries."""
    known = versions or {}
    unread = [c for c in candidates if (c.award.pk, c.campaign.pk) not in known]
    versions = {**(_versions(unread) if unread else {}), **known}
    kinds = _kinds(versions)
    awards, codes = _named_awards(candidates, versions.values())
    facts = Facts(today=today, versions=versions, awards=awards)
    quotas = _quota_groups(candidates, versions) if kinds & set(QUOTA_KINDS) else {}
    _row_facts(candidates, facts, kinds=kinds, today=today, codes=codes, quotas=quotas)
    if RuleKind.BLOC_ACCLAIM in kinds:
        facts.stage_kinds = _stage_kinds(candidates, stages)
    return facts
