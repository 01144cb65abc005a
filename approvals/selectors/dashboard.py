"""The live tracking figures over the nominations a user may see.

Each figure carries the list parameters that reproduce it, so that its link opens a list of
exactly that many nominations. Every function runs a fixed number of aggregate queries,
whatever the number of nominations.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import BlocMembership, Campaign, Nomination, NominationStatus, Unit
from approvals.models.catalogue import DecidingLevel
from approvals.selectors.nomination_filters import (
    WAITING,
    WAITING_STATUSES,
    Milestone,
    Order,
    deciding_level,
    end_of_day,
    overdue_q,
    reached_q,
    stage_stays,
    waiting_at_q,
)
from approvals.selectors.nominations import nominations_filtered
from approvals.selectors.scope import scope_for
from workflows.models import StageKind, StageLevel

WEEKS = 12
OLDEST = 10


@dataclass(frozen=True)
class Figure:
    count: int
    params: dict[str, str] = field(default_factory=dict)

    @property
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


def _measures() -> dict[str, Count]:
    """Counts of the measures, with the conditions the list's parameters filter on."""
    measures = {
        "total": Q(),
        "waiting": Q(status__in=WAITING_STATUSES),
        "overdue": overdue_q(),
        "awarded": Q(status=NominationStatus.AWARDED),
    }
    return {name: Count("pk", filter=measure) for name, measure in measures.items()}


def _row(label: str, values: dict, params: dict[str, str], note: str = "") -> Row:
    figures = {name: Figure(values[name], {**params, **extra}) for name, extra in MEASURES.items()}
    return Row(str(label), figures, note)


def _base(user, campaign: str) -> tuple[QuerySet[Nomination], dict[str, str]]:
    params = {"campaign": campaign} if campaign else {}
    return nominations_filtered(user, params).select_related(None).order_by(), params


def totals(nominations, params) -> Row:
    return _row(_("Tất cả"), nominations.aggregate(**_measures()), params)


def waiting_by_stage(nominations, params) -> dict[str, list[tuple[str, Figure]]]:
    """Waiting nominations by the kind and by the level of the stage they are at (one query)."""
    rows = (
        nominations.filter(status__in=WAITING_STATUSES)
        .values("current_stage__kind", "current_stage__level")
        .annotate(n=Count("pk"))
    )
    kinds: dict[str, int] = {}
    levels: dict[str, int] = {}
    for row in rows:
        kind, level = row["current_stage__kind"], row["current_stage__level"]
        kinds[kind] = kinds.get(kind, 0) + row["n"]
        levels[level] = levels.get(level, 0) + row["n"]
    waiting = {**params, "status": WAITING}
    return {
        "kinds": [
            (label, Figure(kinds[kind], {**waiting, "stage": kind}))
            for kind, label in StageKind.choices
            if kind in kinds
        ],
        "levels": [
            (label, Figure(levels[level], {**waiting, "level": level}))
            for level, label in StageLevel.choices
            if level in levels
        ],
    }


def by_award(nominations, params) -> list[Row]:
    rows = (
        nominations.values("award__code", "award__name", "award__sort_order")
        .annotate(**_measures())
        .order_by("award__sort_order", "award__name")
    )
    return [_row(r["award__name"], r, {**params, "award": r["award__code"]}) for r in rows]


def by_deciding_level(nominations, params) -> list[Row]:
    """By who decides the award (its catalogue version when the campaign starts)."""
    rows = {
        r["deciding"]: r
        for r in nominations.annotate(deciding=deciding_level())
        .values("deciding")
        .annotate(**_measures())
        .order_by()
    }
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


def by_campaign(nominations, params) -> list[Row]:
    rows = (
        nominations.values("campaign__code", "campaign__name", "campaign__year")
        .annotate(**_measures())
        .order_by("-campaign__year", "campaign__name")
    )
    return [_row(r["campaign__name"], r, {**params, "campaign": r["campaign__code"]}) for r in rows]


def _ancestor_paths(path: str) -> list[str]:
    """The paths of a unit and of the units above it ("/1/7/" gives "/1/" and "/1/7/")."""
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def by_bloc(nominations, params) -> list[Row]:
    """By emulation bloc: a nomination counts in each bloc that its unit, or a unit above it,
    belongs to in the campaign's year, as with the list's bloc filter (in_bloc_q).

    Two queries whatever the data: the counts by submitting unit and year, and the
    memberships, matched here by unit path rather than once per bloc in SQL.
    """
    memberships: dict[str, list[tuple]] = {}
    blocs: dict[int, tuple[str, str]] = {}
    for bloc_id, code, name, path, start, end in BlocMembership.objects.values_list(
        "bloc_id", "bloc__code", "bloc__name", "unit__path", "start_year", "end_year"
    ):
        memberships.setdefault(path, []).append((bloc_id, start, end))
        blocs[bloc_id] = (code, name)
    sums: dict[int, dict[str, int]] = {}
    rows = nominations.values("submitting_unit__path", "campaign__year").annotate(**_measures())
    for row in rows.order_by():
        year = row["campaign__year"]
        member_of = {
            bloc_id
            for path in _ancestor_paths(row["submitting_unit__path"])
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


def by_unit(user, nominations, params) -> list[Row]:
    """By submitting unit, rolled up to the units one level below the user's highest unit
    (the units directly under the Ministry for the secretariat); two queries.

    A unit at or above that level that nominates itself gets a row of its own nominations.
    """
    depth = _top_depth(user)
    groups: dict[tuple[int, bool], dict[str, int]] = {}
    for row in nominations.values("submitting_unit__path").annotate(**_measures()).order_by():
        ids = [int(part) for part in row["submitting_unit__path"].strip("/").split("/")]
        key = (ids[depth + 1], False) if len(ids) > depth + 1 else (ids[-1], True)
        sums = groups.setdefault(key, dict.fromkeys(MEASURES, 0))
        for name in MEASURES:
            sums[name] += row[name]
    units = Unit.objects.in_bulk({unit_id for unit_id, _exact in groups})
    result = []
    for (unit_id, exact), values in sorted(groups.items(), key=lambda g: units[g[0][0]].path):
        unit = units[unit_id]
        unit_params = {**params, "unit": unit.code, **({"subunits": "0"} if exact else {})}
        note = _("chỉ đề nghị của chính đơn vị") if exact else ""
        result.append(_row(unit.short_name, values, unit_params, note=note))
    return result


def funnel(nominations, params) -> list[tuple[str, Figure]]:
    """From submitted to decided, with what is still on its way and what stopped (one query)."""
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
    values = nominations.aggregate(
        **{f"s{i}": Count("pk", filter=condition) for i, (_l, condition, _p) in enumerate(steps)}
    )
    return [
        (str(label), Figure(values[f"s{i}"], {**params, **extra}))
        for i, (label, _condition, extra) in enumerate(steps)
    ]


def waiting_by_week(nominations, params, weeks: int = WEEKS) -> dict:
    """How many waited at each kind of stage at the end of each of the last weeks (one query).

    Read from the timeline: a stay at a stage lasts from the event that began it to the next.
    """
    today = timezone.localdate()
    days = [today - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    # stays that ended before the first day cannot count (a filter on the window's result)
    first = end_of_day(days[0])
    stays = stage_stays().filter(nomination__in=nominations.values("pk")).filter(until__gte=first)
    values = stays.aggregate(
        **{
            f"{kind}_{i}": Count("pk", filter=waiting_at_q(end_of_day(day), kind))
            for kind in StageKind.values
            for i, day in enumerate(days)
        }
    )
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
    """Overdue nominations by the unit, bloc or council that holds them (one query)."""
    rows = (
        nominations.filter(overdue_q())
        .values(
            "acting_unit_id",
            "acting_unit__short_name",
            "acting_bloc_id",
            "acting_bloc__name",
            "acting_council_id",
            "acting_council__name",
        )
        .annotate(n=Count("pk"))
        .order_by("-n", "acting_unit__path", "acting_bloc__code", "acting_council_id")
    )
    overdue = {**params, "overdue": "1"}
    result = []
    for row in rows:
        if row["acting_council_id"]:
            holder = ("council", row["acting_council__name"], row["acting_council_id"])
        elif row["acting_bloc_id"]:
            holder = ("bloc", row["acting_bloc__name"], row["acting_bloc_id"])
        elif row["acting_unit_id"]:
            holder = ("unit", row["acting_unit__short_name"], row["acting_unit_id"])
        else:
            continue
        kind, name, pk = holder
        result.append((kind, name, Figure(row["n"], {**overdue, f"acting_{kind}": str(pk)})))
    return result


def oldest_waiting(user, params) -> tuple[list[Nomination], dict[str, str]]:
    """The nominations waiting longest at their current stage, and the list parameters that
    show all waiting nominations in that order."""
    list_params = {**params, "status": WAITING, "order": Order.OLDEST}
    return list(nominations_filtered(user, list_params)[:OLDEST]), list_params


def dashboard(user, campaign: str = "") -> dict:
    """Every figure of the dashboard for the user, narrowed to one campaign when given."""
    nominations, params = _base(user, campaign)
    overall = totals(nominations, params)
    oldest, oldest_params = oldest_waiting(user, params)
    return {
        "campaigns": list(Campaign.objects.all()),
        "totals": overall,
        "stages": waiting_by_stage(nominations, params),
        "awards": by_award(nominations, params),
        "deciding": by_deciding_level(nominations, params),
        "blocs": by_bloc(nominations, params),
        "units": by_unit(user, nominations, params),
        "by_campaign": by_campaign(nominations, params),
        "funnel": funnel(nominations, params),
        "weeks": waiting_by_week(nominations, params),
        "overdue": overdue_by_holder(nominations, params),
        "oldest": oldest,
        "oldest_link": Figure(overall.figures["waiting"].count, oldest_params),
    }
