"""Yearly figures as the user may see them: the summary by bloc, unit or award, and the
statistical form of awards granted.

Every figure counts only the nominations `nominations_for_user` gives the user, of the
campaigns of one year. The queries are a fixed handful whatever the amount of data: one
aggregate per table, one for the stage timestamps, one for the calendar.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    ACTIVE_STATUSES,
    Award,
    BlocMembership,
    Campaign,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
)
from approvals.models.campaigns import CampaignKind
from approvals.models.catalogue import AwardKind, DecidingLevel
from approvals.models.people import Gender
from approvals.selectors.calendar import working_days_counter
from approvals.selectors.nomination_filters import (
    WAITING,
    Milestone,
    deciding_level,
    reached_q,
)
from approvals.selectors.nominations import nominations_for_user
from workflows.models import Stage, StageKind


class ReportGroup:
    BLOC = "bloc"
    UNIT = "unit"
    AWARD = "award"
    CHOICES = (
        (BLOC, _("Khối, cụm thi đua")),
        (UNIT, _("Đơn vị đề nghị")),
        (AWARD, _("Danh hiệu, hình thức khen thưởng")),
    )


# the summary's counted columns, in order, as the page and the exports head them
METRICS = (
    ("submitted", _("Đã gửi lên cấp trên")),
    ("awarded", _("Được khen thưởng")),
    ("rejected", _("Không được đề nghị")),
    ("withdrawn", _("Đơn vị rút")),
    ("returned", _("Bị trả lại (ít nhất một lần)")),
    ("in_progress", _("Đang xét duyệt")),
)
# the nomination list's filters that show the nominations behind each count (with the
# campaign and the row's unit, bloc or award); "returned at least once" has no list filter
LIST_FILTERS = {
    "submitted": {"reached": Milestone.SUBMITTED},
    "awarded": {"status": NominationStatus.AWARDED},
    "rejected": {"status": NominationStatus.REJECTED},
    "withdrawn": {"status": NominationStatus.WITHDRAWN, "reached": Milestone.SUBMITTED},
    "in_progress": {"status": WAITING, "reached": Milestone.SUBMITTED},
}
# timeline entries that do not move a nomination between stages
NOT_MOVING = (EventAction.CLAIMED, EventAction.RELEASED)
ONE_PLACE = Decimal("0.1")


def _ratio(numerator: int, denominator: int) -> Decimal | None:
    """The quotient to one decimal place, halves rounded up; None when dividing by zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass
class Cell:
    metric: str
    value: int
    params: dict | None = None  # the nomination list's filters that show these nominations
    url: str = ""  # set by the page


@dataclass
class ReportRow:
    label: str
    code: str = ""
    path: str = ""  # a unit's, to fold units into blocs
    order: tuple = ()
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(dict(METRICS), 0))
    # stage kind -> [working days summed over the stage visits, number of visits]
    stage_days: dict[str, list[int]] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    averages: list[Decimal | None] = field(default_factory=list)

    def add(self, other: "ReportRow") -> None:
        for metric, value in other.counts.items():
            self.counts[metric] += value
        for kind, (days, visits) in other.stage_days.items():
            summed = self.stage_days.setdefault(kind, [0, 0])
            summed[0] += days
            summed[1] += visits

    @property
    def decided(self) -> int:
        return self.counts["awarded"] + self.counts["rejected"]

    @property
    def approval_rate(self) -> Decimal | None:
        """Awarded out of decided (awarded or not approved), as a percentage."""
        return _ratio(self.counts["awarded"] * 100, self.decided)

    def average_days(self, kind: str) -> Decimal | None:
        days, visits = self.stage_days.get(kind, (0, 0))
        return _ratio(days, visits)


@dataclass
class YearlyReport:
    year: int
    group: str
    rows: list[ReportRow]
    total: ReportRow
    stage_kinds: list[tuple[str, str]]  # the kinds that have a timed visit, in route order
    campaigns: list[Campaign]


def report_years() -> list[int]:
    """The years that have campaigns, newest first."""
    return sorted(set(Campaign.objects.values_list("year", flat=True)), reverse=True)


def _submitted(user, year: int) -> QuerySet[Nomination]:
    """The user's nominations of the year's campaigns that left their unit."""
    return nominations_for_user(user).filter(reached_q(Milestone.SUBMITTED), campaign__year=year)


def _count_rows(nominations: QuerySet[Nomination], group: str) -> dict[int, ReportRow]:
    """One aggregate query: the counts per submitting unit, or per award."""
    if group == ReportGroup.AWARD:
        key, code, label, extra = "award_id", "award__code", "award__name", "award__sort_order"
    else:
        key, code, extra = "submitting_unit_id", "submitting_unit__code", "submitting_unit__path"
        label = "submitting_unit__short_name"
    was_returned = NominationEvent.objects.filter(
        nomination_id=OuterRef("pk"), action=EventAction.RETURNED
    )
    aggregates = (
        nominations.order_by()
        .values(key, code, label, extra)
        .annotate(
            submitted=Count("pk"),
            awarded=Count("pk", filter=Q(status=NominationStatus.AWARDED)),
            rejected=Count("pk", filter=Q(status=NominationStatus.REJECTED)),
            withdrawn=Count("pk", filter=Q(status=NominationStatus.WITHDRAWN)),
            returned=Count("pk", filter=Exists(was_returned)),
            in_progress=Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        )
    )
    rows = {}
    for values in aggregates:
        row = ReportRow(label=values[label], code=values[code])
        if group == ReportGroup.AWARD:
            row.order = (values[extra], row.label)  # the catalogue's order
        else:
            row.path = values[extra]
            row.order = (row.path,)  # the unit tree's order
        row.counts = {metric: values[metric] for metric, _label in METRICS}
        rows[values[key]] = row
    return rows


def _add_stage_days(nominations: QuerySet[Nomination], group: str, rows: dict) -> None:
    """Add to each row the working days its nominations spent at each kind of stage.

    A visit to a stage runs from the timeline entry that brought the nomination there to the
    one that took it away (approved, returned, rejected, withdrawn, awarded); the stage a
    nomination still waits at is not counted. One query for the timestamps, one for the
    calendar.
    """
    key = "nomination__award_id" if group == ReportGroup.AWARD else "nomination__submitting_unit_id"
    stage_kind = Stage.objects.filter(
        version_id=OuterRef("nomination__route_version_id"), position=OuterRef("from_position")
    ).values("kind")[:1]
    visits = (
        NominationEvent.objects.filter(nomination__in=nominations.values("pk"))
        .exclude(action__in=NOT_MOVING)
        .annotate(
            entered_at=Window(
                Lag("created_at"),
                partition_by=[F("nomination_id")],
                order_by=[F("created_at").asc(), F("pk").asc()],
            ),
            kind=Subquery(stage_kind),
        )
        .order_by()
        .values_list(key, "kind", "entered_at", "created_at")
    )
    spans = [
        (row_key, kind, timezone.localdate(entered), timezone.localdate(left))
        for row_key, kind, entered, left in visits
        if kind and entered is not None
    ]
    if not spans:
        return
    count = working_days_counter(min(s[2] for s in spans), max(s[3] for s in spans))
    for row_key, kind, entered, left in spans:
        summed = rows[row_key].stage_days.setdefault(kind, [0, 0])
        summed[0] += count(entered, left)
        summed[1] += 1


def _fold_into_blocs(unit_rows: dict[int, ReportRow], year: int) -> list[ReportRow]:
    """Sum the units' rows into the blocs and clusters their units belong to in the year.

    A unit counts in every bloc or cluster it (or a unit above it) is a member of; units in
    none are summed in a last row.
    """
    memberships = (
        BlocMembership.objects.filter(start_year__lte=year)
        .filter(Q(end_year__isnull=True) | Q(end_year__gte=year))
        .values_list("bloc_id", "bloc__code", "bloc__name", "unit__path")
    )
    blocs: dict[int, ReportRow] = {}
    member_paths: dict[int, list[str]] = {}
    for bloc_id, code, name, path in memberships:
        blocs.setdefault(bloc_id, ReportRow(label=name, code=code, order=(code,)))
        member_paths.setdefault(bloc_id, []).append(path)
    outside = ReportRow(label=str(_("Không thuộc khối, cụm thi đua nào")))
    used: set[int] = set()
    for unit_row in unit_rows.values():
        inside = [
            bloc_id
            for bloc_id, paths in member_paths.items()
            if any(unit_row.path.startswith(path) for path in paths)
        ]
        for bloc_id in inside:
            blocs[bloc_id].add(unit_row)
            used.add(bloc_id)
        if not inside:
            outside.add(unit_row)
    rows = sorted((blocs[bloc_id] for bloc_id in used), key=lambda row: row.order)
    return [*rows, outside] if outside.counts["submitted"] else rows


def _link_params(report: YearlyReport) -> None:
    """The nomination list's filters behind each number, where the list reproduces it.

    The list filters by campaign, not by year: numbers link when the year has one campaign.
    The row of the units outside every bloc has no list filter.
    """
    if len(report.campaigns) != 1:
        return
    campaign = {"campaign": report.campaigns[0].code}
    for row in [*report.rows, report.total]:
        if row is report.total:
            group_filter = {}
        elif report.group == ReportGroup.UNIT:
            group_filter = {"unit": row.code, "subunits": "0"}  # the unit itself
        else:
            group_filter = {report.group: row.code} if row.code else None
        for cell in row.cells:
            filters = LIST_FILTERS.get(cell.metric)
            if filters and group_filter is not None:
                cell.params = {**campaign, **group_filter, **filters}


def yearly_report(user, *, year: int, group: str) -> YearlyReport:
    """The year's summary by bloc, submitting unit or award, counting what the user may see."""
    nominations = _submitted(user, year)
    # units and awards partition the nominations; blocs are folded from the units' rows
    by_key = _count_rows(nominations, group)
    _add_stage_days(nominations, group, by_key)
    total = ReportRow(label=str(_("Tổng cộng")))
    for row in by_key.values():
        total.add(row)
    if group == ReportGroup.BLOC:
        rows = _fold_into_blocs(by_key, year)
    else:
        rows = sorted(by_key.values(), key=lambda row: row.order)
    kinds = [(kind, label) for kind, label in StageKind.choices if kind in total.stage_days]
    for row in [*rows, total]:
        row.cells = [Cell(metric, row.counts[metric]) for metric, _label in METRICS]
        row.averages = [row.average_days(kind) for kind, _label in kinds]
    report = YearlyReport(
        year=year,
        group=group,
        rows=rows,
        total=total,
        stage_kinds=kinds,
        campaigns=list(Campaign.objects.filter(year=year).order_by("start_date", "code")),
    )
    _link_params(report)
    return report


# The statistical form: the lines of the Home Affairs sector's yearly form on the numbers
# of commendations (Thông tư 03/2018/TT-BNV). A line without a figure is one the data
# cannot fill: (figure or None, label, indent level, unit of measure).
FORM_LINES = (
    ("total", _("Tổng số"), 0, ""),
    ("total", _("1. Chia theo đối tượng khen thưởng"), 0, ""),
    ("collective", _("Tập thể"), 1, _("Tập thể")),
    (None, _("Trong đó: doanh nghiệp"), 2, _("Doanh nghiệp")),
    (None, _("Hộ gia đình"), 1, _("Hộ")),
    ("individual", _("Cá nhân"), 1, _("Người")),
    (None, _("Lãnh đạo cấp bộ, cấp tỉnh và tương đương trở lên"), 2, _("Người")),
    (None, _("Lãnh đạo cấp vụ, sở, ngành và tương đương"), 2, _("Người")),
    (None, _("Doanh nhân"), 2, _("Người")),
    (None, _("Các cấp lãnh đạo khác từ phó phòng trở lên"), 2, _("Người")),
    (
        None,
        _("Người trực tiếp công tác, lao động, học tập, chiến đấu và phục vụ chiến đấu"),
        2,
        _("Người"),
    ),
    ("total", _("2. Chia theo phương thức khen thưởng"), 0, ""),
    ("regular", _("Thường xuyên"), 1, ""),
    ("thematic", _("Chuyên đề"), 1, ""),
    (None, _("Đột xuất"), 1, ""),
    (None, _("Đối ngoại"), 1, ""),
    (None, _("Cống hiến"), 1, ""),
    (None, _("Niên hạn"), 1, ""),
    (None, _("Kháng chiến"), 1, ""),
    ("women", _("Cá nhân là nữ (bổ sung, ngoài biểu)"), 0, _("Người")),
)
# what the data cannot say, shown under the form and in its exports
FORM_NOTES = (
    _(
        "Số liệu là số đề nghị đã có quyết định khen thưởng trong các đợt thi đua của năm, "
        "trong phạm vi đồng chí được xem; khen thưởng nhập từ hồ sơ lưu trữ không tính."
    ),
    _(
        "Các dòng để trống hệ thống chưa có dữ liệu: doanh nghiệp (đơn vị không được phân loại "
        "doanh nghiệp quốc phòng), hộ gia đình (không áp dụng), cá nhân chia theo cấp lãnh đạo, "
        "doanh nhân, người trực tiếp chiến đấu (chức vụ chỉ ghi dạng văn bản, chưa phân loại) "
        "và các phương thức đột xuất, đối ngoại, cống hiến, niên hạn, kháng chiến (đề nghị "
        "chưa ghi phương thức khen thưởng)."
    ),
    _(
        "Phương thức “thường xuyên” và “chuyên đề” lấy theo loại đợt thi đua (hằng năm hoặc "
        "theo chuyên đề, theo đợt). Cấp khen thưởng (Nhà nước, Bộ, đơn vị) lấy theo cấp quyết "
        "định của danh hiệu trong tiêu chuẩn có hiệu lực khi bắt đầu đợt thi đua."
    ),
    _(
        "Biểu trình bày theo bố cục biểu thống kê số lượng khen thưởng của ngành Nội vụ "
        "(Thông tư 03/2018/TT-BNV); số hiệu biểu và mã số dòng không ghi vì chưa đối chiếu "
        "được với văn bản gốc."
    ),
)
FORM_SECTIONS = (
    (
        _("Khen thưởng cấp Nhà nước"),
        (DecidingLevel.PRIME_MINISTER, DecidingLevel.PRESIDENT),
    ),
    (_("Khen thưởng cấp Bộ Quốc phòng"), (DecidingLevel.MINISTER,)),
    (
        _("Khen thưởng của thủ trưởng đơn vị trong Quân đội (ngoài biểu)"),
        (
            DecidingLevel.UNIT_COMMANDER,
            DecidingLevel.PARENT_COMMANDER,
            DecidingLevel.DIRECT_COMMANDER,
        ),
    ),
)


@dataclass
class FormLine:
    label: str
    level: int
    measure: str
    total: int | None  # None: the data cannot fill the line
    values: list[int | None]  # one per column


@dataclass
class FormColumn:
    award: Award
    deciding_level: str
    params: dict | None = None  # the nomination list's filters for the column's total
    url: str = ""  # set by the page


@dataclass
class FormSection:
    title: str
    columns: list[FormColumn]  # emulation titles first, then commendation forms
    lines: list[FormLine]

    @property
    def titles(self) -> int:
        return sum(column.award.kind == AwardKind.TITLE for column in self.columns)

    @property
    def forms(self) -> int:
        return len(self.columns) - self.titles

    @property
    def total_cells(self) -> list[tuple[int | None, str]]:
        """The total line's figures with the link to each column's list."""
        return list(zip(self.lines[0].values, [c.url for c in self.columns], strict=True))


@dataclass
class StatisticsForm:
    year: int
    sections: list[FormSection]
    notes: tuple = FORM_NOTES


def _catalogue_level(award: Award, day: datetime.date) -> str:
    """The deciding level of the award's version in force on the day (else its first)."""
    versions = sorted(award.versions.all(), key=lambda version: version.effective_from)
    in_force = [
        v
        for v in versions
        if v.effective_from <= day and (v.effective_to is None or v.effective_to >= day)
    ]
    chosen = in_force[-1] if in_force else (versions[0] if versions else None)
    return chosen.deciding_level if chosen else DecidingLevel.UNIT_COMMANDER


def _form_columns(figures: dict, year: int) -> list[FormColumn]:
    """A column per award and deciding level: the levels its granted awards were decided
    at, or, for an award not granted, the level of its version in force on 1 January."""
    awards = Award.objects.filter(Q(is_active=True) | Q(pk__in={pk for pk, _ in figures}))
    columns = []
    for award in awards.prefetch_related("versions"):
        levels = sorted({level for pk, level in figures if pk == award.pk}) or [
            _catalogue_level(award, datetime.date(year, 1, 1))
        ]
        columns += [FormColumn(award, level) for level in levels]
    return columns


def statistics_form(user, *, year: int) -> StatisticsForm:
    """Awards granted in the year's campaigns, by award, subject and campaign kind.

    The level (state, Ministry, unit) is the award's deciding level in the catalogue version
    in force when the campaign started, as the list's "deciding" filter reads it.
    """
    aggregates = (
        nominations_for_user(user)
        .filter(campaign__year=year, status=NominationStatus.AWARDED)
        .annotate(decided_at_level=deciding_level())
        .order_by()
        .values("award_id", "decided_at_level")
        .annotate(
            total=Count("pk"),
            collective=Count("pk", filter=Q(nominee_unit__isnull=False)),
            individual=Count("pk", filter=Q(person__isnull=False)),
            women=Count("pk", filter=Q(person__gender=Gender.FEMALE)),
            regular=Count("pk", filter=Q(campaign__kind=CampaignKind.YEARLY)),
            thematic=Count("pk", filter=Q(campaign__kind=CampaignKind.THEMATIC)),
        )
    )
    figures = {(row["award_id"], row["decided_at_level"]): row for row in aggregates}
    columns = _form_columns(figures, year)
    campaigns = list(Campaign.objects.filter(year=year).values_list("code", flat=True))
    sections = []
    for title, section_levels in FORM_SECTIONS:
        in_section = [column for column in columns if column.deciding_level in section_levels]
        in_section.sort(key=lambda column: column.award.kind != AwardKind.TITLE)  # stable
        if len(campaigns) == 1:
            for column in in_section:
                column.params = {
                    "campaign": campaigns[0],
                    "award": column.award.code,
                    "deciding": column.deciding_level,
                    "status": NominationStatus.AWARDED,
                }
        lines = []
        for figure, label, level, measure in FORM_LINES:
            if figure is None:
                values = [None] * len(in_section)
                lines.append(FormLine(str(label), level, str(measure), None, values))
                continue
            values = [
                figures.get((column.award.pk, column.deciding_level), {}).get(figure, 0)
                for column in in_section
            ]
            lines.append(FormLine(str(label), level, str(measure), sum(values), values))
        sections.append(FormSection(str(title), in_section, lines))
    return StatisticsForm(year=year, sections=sections)
