"""The nomination list's filters as SQL conditions.

`nominations_filtered` (selectors/nominations.py) applies them to what a user may see; the
dashboard counts with the same conditions, so that each of its figures links to a list of
exactly that many nominations.
"""

import datetime
from dataclasses import dataclass

from django.db.models import (
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
)
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from approvals.models import (
    AwardsCouncil,
    AwardVersion,
    BlocMembership,
    EmulationBloc,
    Nomination,
    NominationEvent,
    NominationStatus,
    Unit,
)
from approvals.models.catalogue import DecidingLevel
from approvals.models.people import fold_vietnamese
from approvals.selectors.scope import UserScope, scope_for
from workflows.models import StageKind, StageLevel

# Submitted and not finished: waiting for someone up the line (or for the unit, once returned).
WAITING_STATUSES = (NominationStatus.IN_PROGRESS, NominationStatus.RETURNED)
WAITING = "waiting"  # the status filter's value for both


class Milestone(TextChoices):
    """How far a nomination has got, whatever became of it afterwards."""

    SUBMITTED = "submitted", _("Đã gửi lên cấp trên")
    PAST_UNIT = "past_unit", _("Đã qua cấp đơn vị")
    COUNCIL = "council", _("Đã đến bước Hội đồng TĐKT bỏ phiếu")


class Order(TextChoices):
    NEWEST = "", _("Mới lập trước")
    OLDEST = "oldest", _("Chờ lâu nhất ở bước hiện tại trước")


def status_choices() -> list[tuple[str, str]]:
    return [(WAITING, _("Đang chờ xử lý (đã gửi, chưa kết thúc)")), *NominationStatus.choices]


def overdue_q(today: datetime.date | None = None) -> Q:
    return Q(status__in=WAITING_STATUSES, due_date__lt=today or timezone.localdate())


def _under(rows: QuerySet, path_field: str) -> Exists:
    """Nominations whose submitting unit is, or lies under, the unit at `path_field` of a row."""
    return Exists(
        rows.alias(
            nominee_path=ExpressionWrapper(
                OuterRef("submitting_unit__path"), output_field=CharField()
            )
        ).filter(nominee_path__startswith=F(path_field))
    )


def in_bloc_q(**bloc) -> Q:
    """Nominations whose submitting unit, or an ancestor, belongs to the bloc in the campaign's
    year (`bloc` is a lookup on BlocMembership: bloc__code=… or bloc_id=…)."""
    year = OuterRef("campaign__year")
    members = BlocMembership.objects.filter(**bloc, start_year__lte=year).filter(
        Q(end_year__isnull=True) | Q(end_year__gte=year)
    )
    return Q(_under(members, "unit__path"))


def deciding_level() -> Subquery:
    """The deciding level of the award's catalogue version in force when the campaign starts."""
    start = OuterRef("campaign__start_date")
    versions = AwardVersion.objects.filter(award=OuterRef("award"), effective_from__lte=start)
    versions = versions.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    return Subquery(versions.order_by("-effective_from").values("deciding_level")[:1])


def reached_q(milestone: str) -> Q:
    """Nominations that got as far as the milestone (stored on entering each stage)."""
    if milestone == Milestone.SUBMITTED:
        return Q(submitted_at__isnull=False)
    if milestone == Milestone.PAST_UNIT:
        return Q(reached_past_unit=True)
    return Q(reached_council=True)


def waiting_on_q(day: datetime.date, kind: str = "") -> Q:
    """Nominations waiting (at a stage of that kind) at the end of the day: their last event
    before then left them waiting there, as the dashboard's week chart counts them."""
    moment = end_of_day(day)
    last = NominationEvent.objects.filter(
        nomination=OuterRef(OuterRef("pk")), created_at__lt=moment
    ).order_by("-created_at", "-pk")
    events = NominationEvent.objects.filter(pk=Subquery(last.values("pk")[:1]))
    # the kind stored on the event (see NominationEvent.waiting_kind), as the week chart reads it
    events = events.filter(waiting_kind=kind) if kind else events.exclude(waiting_kind="")
    return Q(Exists(events))


def end_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min)) + (
        datetime.timedelta(days=1)
    )


def _id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _by_catalogue(nominations: QuerySet, params) -> QuerySet:
    status = params.get("status")
    if status == WAITING:
        nominations = nominations.filter(status__in=WAITING_STATUSES)
    elif status in NominationStatus.values:
        nominations = nominations.filter(status=status)
    if params.get("award"):
        nominations = nominations.filter(award__code=params["award"])
    if params.get("campaign"):
        nominations = nominations.filter(campaign__code=params["campaign"])
    if params.get("deciding") in DecidingLevel.values:
        nominations = nominations.alias(deciding_level=deciding_level()).filter(
            deciding_level=params["deciding"]
        )
    return nominations


def _by_organisation(nominations: QuerySet, params) -> QuerySet:
    code = params.get("unit")
    if code and params.get("subunits") == "0":
        nominations = nominations.filter(submitting_unit__code=code)
    elif code:
        # the unit's path first, so the prefix is a constant the index on paths can serve
        path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
        nominations = (
            nominations.filter(submitting_unit__path__startswith=path)
            if path
            else nominations.none()
        )
    if params.get("bloc"):
        nominations = nominations.filter(in_bloc_q(bloc__code=params["bloc"]))
    # who holds it now; at a council's vote the council does, not the unit it belongs to
    if (unit_id := _id(params.get("acting_unit"))) is not None:
        nominations = nominations.filter(acting_unit_id=unit_id, acting_council__isnull=True)
    if (bloc_id := _id(params.get("acting_bloc"))) is not None:
        nominations = nominations.filter(acting_bloc_id=bloc_id)
    if (council_id := _id(params.get("acting_council"))) is not None:
        nominations = nominations.filter(acting_council_id=council_id)
    return nominations


def _by_progress(nominations: QuerySet, params) -> QuerySet:
    if params.get("stage") in StageKind.values:
        nominations = nominations.filter(current_stage__kind=params["stage"])
    if params.get("level") in StageLevel.values:
        nominations = nominations.filter(current_stage__level=params["level"])
    if params.get("reached") in Milestone.values:
        nominations = nominations.filter(reached_q(params["reached"]))
    if params.get("overdue"):
        nominations = nominations.filter(overdue_q())
    if (day := _day(params.get("waiting_on"))) is not None:
        kind = params.get("waiting_stage")
        nominations = nominations.filter(
            waiting_on_q(day, kind if kind in StageKind.values else "")
        )
    return nominations


def _day(value) -> datetime.date | None:
    try:
        return parse_date(value or "")
    except ValueError:  # well formed but not a date (2026-02-30)
        return None


def filter_nominations(nominations: QuerySet[Nomination], params) -> QuerySet[Nomination]:
    """Narrow `nominations` by the list's parameters (a QueryDict or a dict); unknown values of
    a choice are ignored, unknown codes match nothing."""
    nominations = _by_progress(_by_organisation(_by_catalogue(nominations, params), params), params)
    search = fold_vietnamese(params.get("q", ""))
    if search:
        nominations = nominations.filter(search_name__contains=search)
    if params.get("order") == Order.OLDEST:
        nominations = nominations.order_by("stage_entered_at", "pk")
    return nominations


@dataclass(frozen=True)
class Choice:
    pk: int
    code: str
    name: str
    depth: int = 0

    @property
    def indented(self) -> str:
        return "\u00a0\u00a0" * self.depth + self.name


def _unit_choices_q(scope: UserScope) -> Q:
    """The user's units two levels down from their top one, and the units above them (where
    their nominations go); the Ministry and the units directly under it for everyone else."""
    paths = [path for _unit, path, _whole in scope.record_units]
    if scope.is_admin:
        return Q(depth__lte=2)
    if not paths:
        return Q(depth__lte=1)
    top = min(path.count("/") - 2 for path in paths)
    above = {int(part) for path in paths for part in path.strip("/").split("/")}
    return (scope.records_q(None) & Q(depth__lte=top + 2)) | Q(pk__in=above)


def filter_choices(user, params=None) -> dict[str, list[Choice]]:
    """Units, blocs and councils for the list's filter form, in one query (with the units
    chosen in `params`, so that the form keeps them)."""
    params = params or {}
    chosen = Q(code=params.get("unit") or None) | Q(pk=_id(params.get("acting_unit")))
    columns = ("pk", "code", "name", "depth")
    units = (
        Unit.objects.filter(_unit_choices_q(scope_for(user)) | chosen)
        .annotate(choice=Value("unit"), choice_order=F("path"))
        .values_list("choice", "pk", "code", "short_name", "depth", "choice_order")
    )
    blocs = EmulationBloc.objects.annotate(
        choice=Value("bloc"), choice_depth=Value(0), choice_order=F("code")
    ).values_list("choice", "pk", "code", "name", "choice_depth", "choice_order")
    councils = AwardsCouncil.objects.annotate(
        choice=Value("council"), choice_depth=Value(0), choice_order=F("unit__path")
    ).values_list("choice", "pk", "unit__code", "name", "choice_depth", "choice_order")
    rows = units.order_by().union(blocs.order_by(), councils.order_by(), all=True)
    choices: dict[str, list[Choice]] = {"unit": [], "bloc": [], "council": []}
    for kind, *values, _order in sorted(rows, key=lambda row: (row[0], row[-1])):
        choices[kind].append(Choice(**dict(zip(columns, values, strict=True))))
    return choices
