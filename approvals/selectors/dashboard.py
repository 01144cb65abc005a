"""The live tracking figures over the nominations a user may see.

Each figure carries the list parameters that reproduce it, so that its link opens a list of
exactly that many nominations. Every function runs a fixed number of aggregate queries,
whatever the number of nominations.
"""

import datetime
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    Award,
    AwardsCouncil,
    BlocMembership,
    Campaign,
    EmulationBloc,
    Nomination,
    NominationEvent,
    NominationStatus,
    Unit,
)
from approvals.models.catalogue import DecidingLevel
from approvals.selectors.nomination_filters import (
    WAITING,
    WAITING_STATUSES,
    Milestone,
    Order,
    end_of_day,
    overdue_q,
    reached_q,
)
from approvals.selectors.nominations import WHERE_RELATED, nominations_filtered
from approvals.selectors.scope import scope_for
from workflows.models import Stage, StageKind, StageLevel

WEEKS = 12
OLDEST = 10
OLDEST_RELATED = WHERE_RELATED


@dataclass(frozen=True)
class Figure:
    count: int
    params: dict[str, str] = field(default_factory=dict)

    @cached_property
    def query(self) -> str:
        """The list's query string that reproduces the figure."""
        return urlencode(self.params)


@dataclass(frozen=True)
class Row:
    """One line of a breakdown: its label and a figure per measure (see MEASURES)."""

    label: str
    figures: dict[str, Figure]
    note: str = ""
    linked: bool = True  # False: no list filter reproduces the row

    @property
    def total(self) -> Figure:
        return self.figures["total"]


# each breakdown's measures, with the list parameters that add them to a row's own
MEASURES: dict[str, dict[str, str]] = {
    "total": {},
    "waiting": {"status": WAITING},
    "overdue": {"overdue": "1"},
    "awarded": {"status": NominationStatus.AWARDED},
}


def _row(label: str, values: dict, params: dict[str, str], note: str = "") -> Row:
    figures = {name: Figure(values[name], {**params, **extra}) for name, extra in MEASURES.items()}
    return Row(str(label), figures, note)


def _base(user, campaign: str) -> tuple[QuerySet[Nomination], dict[str, str]]:
    params = {"campaign": campaign} if campaign else {}
    return nominations_filtered(user, params).select_related(None).order_by(), params


def _funnel_steps() -> list[tuple[str, Q, dict[str, str]]]:
    """The funnel's steps: label, condition, and the list parameters that reproduce it."""
    submitted = reached_q(Milestone.SUBMITTED)
    steps = [
        (Milestone.SUBMITTED.label, submitted, {"reached": Milestone.SUBMITTED}),
        (
            Milestone.PAST_UNIT.label,
            reached_q(Milestone.PAST_UNIT),
            {"reached": Milestone.PAST_UNIT},
        ),
        (Milestone.COUNCIL.label, reached_q(Milestone.COUNCIL), {"reached": Milestone.COUNCIL}),
    ]
    for status, label in (
        (WAITING, _("Đang trên đường xét duyệt")),
        (NominationStatus.AWARDED, NominationStatus.AWARDED.label),
        (NominationStatus.REJECTED, NominationStatus.REJECTED.label),
        (NominationStatus.WITHDRAWN, _("Đơn vị rút sau khi đã gửi")),
    ):
        condition = Q(status__in=WAITING_STATUSES) if status == WAITING else Q(status=status)
        steps.append(
            (label, submitted & condition, {"reached": Milestone.SUBMITTED, "status": status})
        )
    return steps


@dataclass
class Groups:
    """The measures (MEASURES, in that order) by award and campaign (`awards`) and by submitting
    unit and campaign (`units_rows`): what every breakdown adds up, a few hundred rows at most
    whatever the number of nominations; the funnel's steps (`s0`…) and the waiting by kind and
    level of stage (`kind_…`, `level_…`) overall; and the units the breakdowns name (the
    submitting units and those the roll-up reaches)."""

    awards: dict[tuple[int, int], list[int]]
    units_rows: dict[tuple[int, int], list[int]]
    counts: dict[str, int]
    campaigns: dict[int, Campaign]
    units: dict[int, Unit]

    @staticmethod
    def by(rows: dict, key) -> dict:
        """The measures of `rows` (by key: list of MEASURES) summed by key(row key), in the
        order first met, as {name: count}."""
        sums: dict = {}
        for row_key, values in rows.items():
            total = sums.get(group := key(row_key))
            if total is None:
                sums[group] = list(values)
            else:
                for index, value in enumerate(values):
                    total[index] += value
        return {group: dict(zip(MEASURES, values, strict=True)) for group, values in sums.items()}


def _groups(nominations, campaigns: list[Campaign], top_depth: int) -> Groups:
    """Counted by award, campaign, submitting unit, status and current stage in SQL (one
    query), with the few conditions that the status does not settle; added up here, in one
    pass over its rows, to the level the page shows: the measures by award and campaign and
    by submitting unit and campaign (a few hundred sums whatever the number of nominations),
    the funnel's steps and the waiting by stage. The units and the stages' kinds and levels
    are read apart (two small queries): grouping by ids is much cheaper than by texts (the
    sort of 50,000 narrow rows stays in memory). The rows are read without the ORM's
    per-value conversions (ids, texts and counts need none): with thousands of rows they
    cost more than the adding up."""
    grouped = (
        nominations.values(
            "award_id",
            "campaign_id",
            "submitting_unit_id",
            "status",
            "current_stage_id",
        )
        .annotate(
            # counted on "status" (never null), not the pk: the index nomination_dashboard
            # holds every column read, so PostgreSQL reads the index alone
            n=Count("*"),
            overdue=Count("status", filter=overdue_q()),
            submitted=Count("status", filter=reached_q(Milestone.SUBMITTED)),
            past_unit=Count("status", filter=reached_q(Milestone.PAST_UNIT)),
            council=Count("status", filter=reached_q(Milestone.COUNCIL)),
        )
        .order_by()
        .values_list(
            "award_id",
            "campaign_id",
            "submitting_unit_id",
            "status",
            "current_stage_id",
            "n",
            "overdue",
            "submitted",
            "past_unit",
            "council",
        )
    )
    sql, sql_params = grouped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params)
        rows = cursor.fetchall()
    by_award: dict[tuple, list[int]] = {}  # (award, campaign, status): n, overdue, reached…
    by_unit: dict[tuple, list[int]] = {}  # (unit, campaign, status): n, overdue
    waiting_at: dict[int | None, int] = {}  # current stage: waiting
    waiting = set(WAITING_STATUSES)
    for award, campaign, unit, status, stage, n, overdue, submitted, past, council in rows:
        sums = by_award.get(key := (award, campaign, status))
        if sums is None:
            by_award[key] = [n, overdue, submitted, past, council]
        else:
            sums[0] += n
            sums[1] += overdue
            sums[2] += submitted
            sums[3] += past
            sums[4] += council
        sums = by_unit.get(key := (unit, campaign, status))
        if sums is None:
            by_unit[key] = [n, overdue]
        else:
            sums[0] += n
            sums[1] += overdue
        if status in waiting:
            waiting_at[stage] = waiting_at.get(stage, 0) + n
    counts: dict[str, int] = {f"s{i}": 0 for i in range(7)}
    counts.update({f"kind_{kind}": 0 for kind in StageKind.values})
    counts.update({f"level_{level}": 0 for level in StageLevel.values})
    outcome = {  # the funnel's step of each final status (see _funnel_steps)
        NominationStatus.AWARDED: "s4",
        NominationStatus.REJECTED: "s5",
        NominationStatus.WITHDRAWN: "s6",
    }
    awards: dict[tuple[int, int], list[int]] = {}
    for (award, campaign, status), (n, overdue, submitted, past, council) in by_award.items():
        _add(awards, (award, campaign), status, n, overdue, waiting)
        if status in waiting:
            counts["s3"] += submitted
        elif status in outcome:
            counts[outcome[status]] += submitted
        counts["s0"] += submitted
        counts["s1"] += past
        counts["s2"] += council
    units_rows: dict[tuple[int, int], list[int]] = {}
    for (unit, campaign, status), (n, overdue) in by_unit.items():
        _add(units_rows, (unit, campaign), status, n, overdue, waiting)
    # the submitting units, and the units one level below the user's top one (by_unit)
    units = Unit.objects.filter(
        Q(pk__in={unit for unit, _c in units_rows}) | Q(depth=top_depth + 1)
    ).only("code", "short_name", "path")
    units = {unit.pk: unit for unit in units}
    stages = {
        pk: (kind, level)
        for pk, kind, level in Stage.objects.filter(
            pk__in={stage for stage in waiting_at if stage is not None}
        ).values_list("pk", "kind", "level")
    }
    for stage, n in waiting_at.items():
        kind, level = stages.get(stage, (None, None))
        counts[f"kind_{kind}"] = counts.get(f"kind_{kind}", 0) + n
        counts[f"level_{level}"] = counts.get(f"level_{level}", 0) + n
    return Groups(
        awards, units_rows, counts, {campaign.pk: campaign for campaign in campaigns}, units
    )


def _add(sums: dict, key, status: str, n: int, overdue: int, waiting: set) -> None:
    """Add a status's count to the measures (MEASURES' order) of `key` in `sums`."""
    values = sums.setdefault(key, [0, 0, 0, 0])
    values[0] += n
    if status in waiting:
        values[1] += n
        values[2] += overdue
    elif status == NominationStatus.AWARDED:
        values[3] += n


def totals(groups: Groups, params) -> Row:
    sums = Groups.by(groups.awards, lambda key: None).get(None, dict.fromkeys(MEASURES, 0))
    return _row(_("Tất cả"), sums, params)


def waiting_by_stage(groups: Groups, params) -> dict[str, list[tuple[str, Figure]]]:
    """Waiting nominations by the kind and by the level of the stage they are at."""
    counts = groups.counts
    waiting = {**params, "status": WAITING}
    return {
        "kinds": [
            (label, Figure(counts[f"kind_{kind}"], {**waiting, "stage": kind}))
            for kind, label in StageKind.choices
            if counts[f"kind_{kind}"]
        ],
        "levels": [
            (label, Figure(counts[f"level_{level}"], {**waiting, "level": level}))
            for level, label in StageLevel.choices
            if counts[f"level_{level}"]
        ],
    }


def _awards(groups: Groups) -> tuple[list[tuple[int, str, str]], dict[tuple[int, int], str]]:
    """The awards counted, in catalogue order, as (id, code, name); and the deciding level by
    (award, campaign): the award's catalogue version in force when the campaign starts, as
    the list's filter (deciding_level) reads it. One query for both."""
    pairs = set(groups.awards)
    awards: dict[int, tuple] = {}
    versions: dict[int, list[tuple]] = {}
    for pk, code, name, order, start, end, level in Award.objects.filter(
        pk__in={award_id for award_id, _c in pairs}
    ).values_list(
        "pk",
        "code",
        "name",
        "sort_order",
        "versions__effective_from",
        "versions__effective_to",
        "versions__deciding_level",
    ):
        awards[pk] = (order, name, pk, code)
        if start is not None:
            versions.setdefault(pk, []).append((start, end, level))
    levels: dict[tuple[int, int], str | None] = {}
    for award_id, campaign_id in pairs:
        day = groups.campaigns[campaign_id].start_date
        in_force = [
            (start, level)
            for start, end, level in versions.get(award_id, ())
            if start <= day and (end is None or end >= day)
        ]
        levels[(award_id, campaign_id)] = max(in_force)[1] if in_force else None
    ordered = [(pk, code, name) for _order, name, pk, code in sorted(awards.values())]
    return ordered, levels


def by_award(groups: Groups, params, awards) -> list[Row]:
    sums = groups.by(groups.awards, lambda key: key[0])
    return [_row(name, sums[pk], {**params, "award": code}) for pk, code, name in awards]


def by_deciding_level(groups: Groups, params, levels) -> list[Row]:
    """By who decides the award (its catalogue version when the campaign starts)."""
    rows = groups.by(groups.awards, lambda key: levels[key])
    result = [
        _row(label, rows[level], {**params, "deciding": level})
        for level, label in DecidingLevel.choices
        if level in rows
    ]
    if None in rows:  # no catalogue version in force: the list has no filter for it
        figures = {name: Figure(rows[None][name]) for name in MEASURES}
        label = _("Chưa xác định (danh mục chưa có tiêu chuẩn)")
        result.append(Row(str(label), figures, linked=False))
    return result


def by_campaign(groups: Groups, params) -> list[Row]:
    sums = groups.by(groups.awards, lambda key: key[1])
    campaigns = sorted((groups.campaigns[pk] for pk in sums), key=lambda c: (-c.year, c.name))
    return [_row(c.name, sums[c.pk], {**params, "campaign": c.code}) for c in campaigns]


def _ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of the units above it ("/1/7/" gives "/1/" and "/1/7/")."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def by_bloc(groups: Groups, params) -> list[Row]:
    """By emulation bloc: a nomination counts in each bloc that its unit, or a unit above it,
    belongs to in the campaign's year, as with the list's bloc filter (in_bloc_q).

    One query, the memberships, matched here by unit path rather than once per bloc in SQL.
    """
    memberships: dict[str, list[tuple]] = {}
    blocs: dict[int, tuple[str, str]] = {}
    for bloc_id, code, name, path, start, end in BlocMembership.objects.values_list(
        "bloc_id", "bloc__code", "bloc__name", "unit__path", "start_year", "end_year"
    ):
        memberships.setdefault(path, []).append((bloc_id, start, end))
        blocs[bloc_id] = (code, name)
    sums: dict[int, dict[str, int]] = {}
    units, campaigns = groups.units, groups.campaigns
    rows = groups.by(groups.units_rows, lambda key: (units[key[0]].path, campaigns[key[1]].year))
    for (unit_path, year), row in rows.items():
        member_of = {
            bloc_id
            for path in _ancestor_paths(unit_path)
            for bloc_id, start, end in memberships.get(path, ())
            if start <= year and (end is None or end >= year)
        }
        for bloc_id in member_of:
            totals = sums.setdefault(bloc_id, dict.fromkeys(MEASURES, 0))
            for name in MEASURES:
                totals[name] += row[name]
    return [
        _row(blocs[bloc_id][1], sums[bloc_id], {**params, "bloc": blocs[bloc_id][0]})
        for bloc_id in sorted(sums, key=lambda pk: blocs[pk][0])
    ]


def _top_depth(user) -> int:
    """The depth of the user's highest unit of records (the Ministry's 0 when none)."""
    scope = scope_for(user)
    paths = [path for _unit, path, _whole in scope.record_units]
    if scope.is_admin or not paths:
        return 0
    return min(path.count("/") - 2 for path in paths)


def by_unit(depth: int, groups: Groups, params) -> list[Row]:
    """By submitting unit, rolled up to the units one level below the user's highest unit
    (`depth`: the units directly under the Ministry for the secretariat).

    A unit at or above that level that nominates itself gets a row of its own nominations.
    """
    groups_by: dict[tuple[int, bool], dict[str, int]] = {}
    for path, row in groups.by(groups.units_rows, lambda key: groups.units[key[0]].path).items():
        ids = [int(part) for part in path.strip("/").split("/")]
        key = (ids[depth + 1], False) if len(ids) > depth + 1 else (ids[-1], True)
        sums = groups_by.setdefault(key, dict.fromkeys(MEASURES, 0))
        for name in MEASURES:
            sums[name] += row[name]
    units = groups.units
    result = []
    for (unit_id, exact), values in sorted(groups_by.items(), key=lambda g: units[g[0][0]].path):
        unit = units[unit_id]
        unit_params = {**params, "unit": unit.code, **({"subunits": "0"} if exact else {})}
        note = _("chỉ đề nghị của chính đơn vị") if exact else ""
        result.append(_row(unit.short_name, values, unit_params, note=note))
    return result


def funnel(groups: Groups, params) -> list[tuple[str, Figure]]:
    """From submitted to decided, with what is still on its way and what stopped."""
    steps = _funnel_steps()
    values = groups.counts
    return [
        (str(label), Figure(values[f"s{i}"], {**params, **extra}))
        for i, (label, _condition, extra) in enumerate(steps)
    ]


def waiting_by_week(nominations, params, now: dict[str, int], weeks: int = WEEKS) -> dict:
    """How many waited at each kind of stage at the end of each of the last weeks (one query).

    Counted back from `now` (what waits at each kind of stage now): the count at the end of a
    day is today's less the changes since then, each event having moved one nomination from
    the kind it waited at before (waiting_kind_before) to the one after (waiting_kind). The
    list's filter (waiting_on_q) reads the same stored kinds from each timeline's last event.
    """
    today = timezone.localdate()
    days = [today - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    moments = [end_of_day(day) for day in days]
    # an event in week b (from moments[b] to the next) changed the counts of days 0..b
    week = Case(
        *(When(created_at__lt=moments[b + 1], then=Value(b)) for b in range(weeks - 1)),
        default=Value(weeks - 1),
    )
    changes = (
        NominationEvent.objects.filter(
            # only these can have changed since the first day (fewer to match the events with)
            nomination__in=nominations.filter(
                Q(status__in=WAITING_STATUSES) | Q(finished_at__gte=moments[0])
            ).values("pk"),
            created_at__gte=moments[0],
        )
        .exclude(waiting_kind=F("waiting_kind_before"))
        .annotate(week=week)
        .values("week", "waiting_kind_before", "waiting_kind")
        .annotate(n=Count("*"))  # not the pk: the index has every column the query reads
        .order_by()
    )
    later = [dict.fromkeys(StageKind.values, 0) for _day in days]  # changes in week b
    for row in changes:
        delta = later[row["week"]]
        if row["waiting_kind"] in delta:
            delta[row["waiting_kind"]] += row["n"]
        if row["waiting_kind_before"] in delta:
            delta[row["waiting_kind_before"]] -= row["n"]
    counts = dict(now)
    values: dict[str, int] = {}
    for b in range(weeks - 1, -1, -1):
        for kind in StageKind.values:
            counts[kind] = counts.get(kind, 0) - later[b][kind]
            values[f"{kind}_{b}"] = counts[kind]
    series = []
    for kind, label in StageKind.choices:
        points = [
            (
                day,
                Figure(
                    values[f"{kind}_{i}"],
                    {**params, "waiting_on": day.isoformat(), "waiting_stage": kind},
                ),
            )
            for i, day in enumerate(days)
        ]
        if any(figure.count for _day, figure in points):
            series.append({"label": label, "kind": kind, "points": points})
    peak = max((f.count for s in series for _d, f in s["points"]), default=0)
    return {"days": days, "series": series, "peak": peak}


def overdue_by_holder(nominations, params) -> list[tuple[str, str, Figure]]:
    """Overdue nominations by the unit, bloc or council that holds them (one query).

    Grouped by the holders' ids, and their names and sort keys read for each group (a
    subquery per holder: a hundred or so lookups) rather than joined to every overdue
    nomination (thousands for the secretariat) before grouping by their texts."""

    def holder(model, field: str, column: str) -> Subquery:
        return Subquery(model.objects.filter(pk=OuterRef(field)).order_by().values(column)[:1])

    rows = (
        nominations.filter(overdue_q())
        .values("acting_unit_id", "acting_bloc_id", "acting_council_id")
        .annotate(n=Count("pk"))
        .annotate(
            unit_name=holder(Unit, "acting_unit_id", "short_name"),
            bloc_name=holder(EmulationBloc, "acting_bloc_id", "name"),
            council_name=holder(AwardsCouncil, "acting_council_id", "name"),
            unit_path=holder(Unit, "acting_unit_id", "path"),
            bloc_code=holder(EmulationBloc, "acting_bloc_id", "code"),
        )
        .order_by("-n", "unit_path", "bloc_code", "acting_council_id")
    )
    overdue = {**params, "overdue": "1"}
    result = []
    for row in rows:
        if row["acting_council_id"]:
            holder = ("council", row["council_name"], row["acting_council_id"])
        elif row["acting_bloc_id"]:
            holder = ("bloc", row["bloc_name"], row["acting_bloc_id"])
        elif row["acting_unit_id"]:
            holder = ("unit", row["unit_name"], row["acting_unit_id"])
        else:
            continue
        kind, name, pk = holder
        result.append((kind, name, Figure(row["n"], {**overdue, f"acting_{kind}": str(pk)})))
    return result


def oldest_waiting(user, params) -> tuple[list[Nomination], dict[str, str]]:
    """The nominations waiting longest at their current stage, and the list parameters that
    show all waiting nominations in that order."""
    list_params = {**params, "status": WAITING, "order": Order.OLDEST}
    # only what the table shows: planning the list's every join costs more than the query
    rows = (
        nominations_filtered(user, list_params).select_related(None).select_related(*OLDEST_RELATED)
    )
    return list(rows[:OLDEST]), list_params


def dashboard(user, campaign: str = "") -> dict:
    """Every figure of the dashboard for the user, narrowed to one campaign when given."""
    nominations, params = _base(user, campaign)
    campaigns = list(Campaign.objects.all())
    depth = _top_depth(user)
    groups = _groups(nominations, campaigns, depth)
    awards, levels = _awards(groups)
    overall = totals(groups, params)
    oldest, oldest_params = oldest_waiting(user, params)
    stages = waiting_by_stage(groups, params)
    now = {figure.params["stage"]: figure.count for _label, figure in stages["kinds"]}
    return {
        "campaigns": campaigns,
        "totals": overall,
        "stages": stages,
        "awards": by_award(groups, params, awards),
        "deciding": by_deciding_level(groups, params, levels),
        "blocs": by_bloc(groups, params),
        "units": by_unit(depth, groups, params),
        "by_campaign": by_campaign(groups, params),
        "funnel": funnel(groups, params),
        "weeks": waiting_by_week(nominations, params, now),
        "overdue": overdue_by_holder(nominations, params),
        "oldest": oldest,
        "oldest_link": Figure(overall.figures["waiting"].count, oldest_params),
    }
