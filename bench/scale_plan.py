"""What nomination number i of bench.scale_data is: who, for what, how far it got, and when.

Each nomination is planned from its own seeded random generator, so that nomination i is the
same whatever the run's size. The columns a stage sets are those services.nominations sets
(`_enter`, `_finish`), resolved once per stage and submitting unit (workflows.actors).
"""

import datetime
import functools
import random
from dataclasses import dataclass, field

from django.utils import timezone

from approvals.models import (
    Award,
    Campaign,
    Decision,
    EmulationBloc,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
    Person,
    Unit,
)
from approvals.models.people import fold_vietnamese
from approvals.selectors.calendar import add_working_days
from approvals.services.nominations import _stage_label  # the timeline's stage wording
from workflows.actors import resolve_acting
from workflows.models import StageKind, StageLevel

CURRENT, PREVIOUS = "bench-scale", "bench-scale-prev"
CAMPAIGN_CODES = (CURRENT, PREVIOUS)
INDIVIDUAL_AWARDS = (("giay-khen", 72), ("bk-bqp", 22), ("hc-bvtq-3", 6))
COLLECTIVE_AWARD = "co-bqp"
# (status, weight) in this year's open campaign and in last year's closed one
STATES = {
    CURRENT: (
        (NominationStatus.DRAFT, 8),
        (NominationStatus.IN_PROGRESS, 50),
        (NominationStatus.RETURNED, 5),
        (NominationStatus.REJECTED, 7),
        (NominationStatus.WITHDRAWN, 3),
        (NominationStatus.AWARDED, 27),
    ),
    PREVIOUS: (
        (NominationStatus.REJECTED, 12),
        (NominationStatus.WITHDRAWN, 5),
        (NominationStatus.AWARDED, 83),
    ),
}
ACHIEVEMENTS = (
    "Hoàn thành xuất sắc nhiệm vụ huấn luyện, sẵn sàng chiến đấu.",
    "Có thành tích xuất sắc trong công tác phòng, chống thiên tai, tìm kiếm cứu nạn.",
    "Hoàn thành xuất sắc nhiệm vụ xây dựng đơn vị vững mạnh toàn diện.",
    "Có sáng kiến cải tiến kỹ thuật được áp dụng trong toàn đơn vị.",
)
RETURN_COMMENT = "Bổ sung báo cáo thành tích có xác nhận của cấp ủy."
REJECT_COMMENT = "Chưa đủ tiêu chuẩn theo quy định."
VOTE_KINDS = (StageKind.COUNCIL_VOTE, StageKind.BLOC_VOTE)


def seeded_random(kind: str, index: int) -> random.Random:
    return random.Random(f"bench-scale-{kind}-{index}")  # noqa: S311 - repeatable data, not secrets


@dataclass(frozen=True)
class Route:
    version_id: int
    stages: dict  # position -> Stage

    @property
    def last(self) -> int:
        return max(self.stages)


@dataclass
class Context:
    """What planning a nomination needs, read once."""

    now: datetime.datetime
    campaigns: dict[str, Campaign]
    awards: dict[str, Award]
    routes: dict[tuple[str, str], Route]  # (campaign code, award code)
    units: dict[int, Unit]
    regions: list[Unit]  # members of the Ministry's blocs, which nominate themselves collectively
    people: dict[int, Person] = field(default_factory=dict)  # by index
    _acting: dict = field(default_factory=dict)
    _days: dict = field(default_factory=dict)
    _voters: dict = field(default_factory=dict)

    @property
    def collective(self) -> int:
        """Nominations 0 .. collective-1 are the regions' flags, one per campaign."""
        return 2 * len(self.regions)

    def _where(self, level: str, unit: Unit):
        """What resolve_acting's answer depends on, so that it is asked once per answer:
        the unit for its own stages, its parent, its direct command, the Ministry."""
        if level == StageLevel.SUBMITTING_UNIT:
            return unit.pk
        if level == StageLevel.PARENT_COMMAND:
            return ("parent", unit.parent_id)
        if level == StageLevel.DIRECT_COMMAND:
            chain = [self.units[int(pk)] for pk in unit.path.strip("/").split("/")]
            return ("direct", next((u.pk for u in chain if u.level == "direct"), None))
        return ("above", None)  # the Ministry, and the authorities above it

    def acting(self, stage, unit: Unit, year: int):
        if stage.level == StageLevel.BLOC:  # memberships change with the years
            key = (stage.pk, unit.pk, year)
        else:
            key = (stage.pk, self._where(stage.level, unit))
        if key not in self._acting:
            self._acting[key] = resolve_acting(stage=stage, submitting_unit=unit, year=year)
        return self._acting[key]

    def working_days(self, start: datetime.date, days: int) -> datetime.date:
        if (start, days) not in self._days:
            self._days[(start, days)] = add_working_days(start, days)
        return self._days[(start, days)]

    def voters(self, acting, year: int) -> int:
        key = (acting.council.pk if acting.council else None, acting.bloc_id, year)
        if key not in self._voters:
            if acting.council is not None:
                count = acting.council.roster_on(datetime.date(year, 11, 1)).count()
            else:
                count = EmulationBloc.objects.get(pk=acting.bloc_id).members_in(year).count()
            self._voters[key] = count
        return self._voters[key]


@dataclass
class Planned:
    index: int
    nomination: Nomination
    events: list[NominationEvent]
    decided_by: tuple | None = None  # (authority id, permission, campaign code) when awarded
    decision: Decision | None = None


def _submitting_unit(unit: Unit, units: dict[int, Unit]) -> Unit:
    """Regiments and above nominate their own people; a battalion's go through its regiment."""
    return units[unit.parent_id] if unit.level == "grassroots" else unit


def _moments(rng, count: int, end: datetime.datetime, earliest: datetime.datetime) -> list:
    """`count` increasing moments ending at `end`, a few hours to nine days apart."""
    gaps = [datetime.timedelta(hours=rng.uniform(4, 24 * 9)) for _ in range(count - 1)]
    # early in January the campaign may be younger than the path: squeeze it in
    room = max(end - earliest, datetime.timedelta(hours=count)) * 0.95
    total = sum(gaps, datetime.timedelta())
    if total > room:
        gaps = [gap * (room / total) for gap in gaps]
    moments = [end - sum(gaps, datetime.timedelta())]
    for gap in gaps:
        moments.append(moments[-1] + gap)
    return moments


def _end(rng, ctx: Context, campaign: Campaign, status: str) -> datetime.datetime:
    """When the nomination's last event happened."""
    start = timezone.make_aware(datetime.datetime(campaign.year, 1, 1))
    if campaign.code == PREVIOUS:
        return start + datetime.timedelta(days=rng.uniform(60, 364))
    if status in (NominationStatus.AWARDED, NominationStatus.REJECTED, NominationStatus.WITHDRAWN):
        return start + (ctx.now - start) * rng.uniform(0.15, 1.0)
    return ctx.now - datetime.timedelta(days=45 * rng.random() ** 2)  # mostly recent


def _enter(ctx: Context, nomination: Nomination, stage, unit: Unit, year: int, moment) -> None:
    """The columns services.nominations._enter sets on reaching a stage."""
    acting = ctx.acting(stage, unit, year)
    nomination.stage_position = stage.position
    nomination.current_stage = stage
    nomination.reached_past_unit |= stage.level != StageLevel.SUBMITTING_UNIT
    nomination.reached_council |= stage.kind == StageKind.COUNCIL_VOTE
    nomination.acting_permission = acting.permission
    nomination.acting_unit_id = acting.unit.pk if acting.unit else None
    nomination.acting_bloc_id = acting.bloc_id
    nomination.acting_council_id = acting.council.pk if acting.council else None
    nomination.stage_entered_at = moment
    day = timezone.localtime(moment).date()
    if stage.kind == StageKind.PUBLIC_POSTING:
        day = nomination.posted_until = ctx.working_days(
            day, (stage.settings or {}).get("posting_working_days", 10)
        )
    nomination.due_date = ctx.working_days(day, stage.time_limit_working_days)


def _finish(nomination: Nomination, status: str, moment) -> None:
    """The columns services.nominations._finish clears and sets."""
    nomination.status = status
    nomination.acting_permission = ""
    nomination.acting_unit_id = nomination.acting_bloc_id = nomination.acting_council_id = None
    nomination.due_date = nomination.posted_until = nomination.resume_position = None
    nomination.finished_at = moment


@functools.cache
def _label(stage) -> str:
    return _stage_label(stage)


def _event(nomination, action, before, after, moment, *, comment="", data=None):
    """The event services.nominations._record writes (the kind before: see plan)."""
    waiting = after is not None and nomination.status in (
        NominationStatus.IN_PROGRESS,
        NominationStatus.RETURNED,
    )
    return NominationEvent(
        waiting_kind=after.kind if waiting else "",
        nomination=nomination,
        created_at=moment,
        action=action,
        from_position=before.position if before else None,
        from_stage=_label(before),
        to_position=after.position if after else None,
        to_stage=_label(after),
        status_after=nomination.status,
        comment=comment,
        data=data or {},
    )


def _vote(ctx: Context, stage, unit: Unit, year: int, *, passed: bool, rng) -> dict:
    members = ctx.voters(ctx.acting(stage, unit, year), year)
    required = members // 2 + 1
    agree = rng.randint(required, members) if passed else rng.randint(0, required - 1)
    return {"agree": agree, "members": members, "required": required}


def plan(index: int, ctx: Context) -> Planned:
    """Nomination `index`: who, for what, and how far it got, with its timeline."""
    planned = _plan(index, ctx)
    previous = ""
    for event in planned.events:  # the kind it waited at before each event: the last one's
        event.waiting_kind_before, previous = previous, event.waiting_kind
    return planned


def _plan(index: int, ctx: Context) -> Planned:
    rng = seeded_random("nomination", index)
    if index < ctx.collective:
        campaign = ctx.campaigns[CAMPAIGN_CODES[index % 2]]
        region = ctx.regions[index // 2]
        award, unit, person = COLLECTIVE_AWARD, region, None
        nominee = {"nominee_unit": region, "nominee_name": region.name}
    else:
        # person j gets one nomination in each campaign: never twice the same award in one
        offset = index - ctx.collective
        campaign = ctx.campaigns[CAMPAIGN_CODES[offset % 2]]
        person = ctx.people[offset // 2]
        codes, weights = zip(*INDIVIDUAL_AWARDS, strict=True)
        award = rng.choices(codes, weights)[0]
        unit = _submitting_unit(person.unit, ctx.units)
        nominee = {"person": person, "nominee_name": person.full_name}
    route = ctx.routes[(campaign.code, award)]
    statuses, weights = zip(*STATES[campaign.code], strict=True)
    status = rng.choices(statuses, weights)[0]
    reached = {  # the stage it got to
        NominationStatus.DRAFT: 1,
        NominationStatus.WITHDRAWN: rng.randint(1, route.last),
        NominationStatus.AWARDED: route.last,
    }.get(status) or rng.randint(2, route.last)
    finals = 0 if status in (NominationStatus.DRAFT, NominationStatus.IN_PROGRESS) else 1
    moments = _moments(
        rng,
        reached + finals,
        _end(rng, ctx, campaign, status),
        timezone.make_aware(datetime.datetime(campaign.year, 1, 1)),
    )
    nomination = Nomination(
        award=ctx.awards[award],
        campaign=campaign,
        submitting_unit=unit,
        search_name=fold_vietnamese(nominee["nominee_name"]),  # bulk_create skips save()
        achievements=rng.choice(ACHIEVEMENTS),
        route_version_id=route.version_id,
        status=NominationStatus.DRAFT,
        created_at=moments[0],
        **nominee,
    )
    year, stages = campaign.year, route.stages
    _enter(ctx, nomination, stages[1], unit, year, moments[0])
    events = [_event(nomination, EventAction.CREATED, None, stages[1], moments[0])]
    for position in range(1, reached):
        before, after, moment = stages[position], stages[position + 1], moments[position]
        nomination.status = NominationStatus.IN_PROGRESS
        _enter(ctx, nomination, after, unit, year, moment)
        if position == 1:
            nomination.submitted_at = moment
            events.append(_event(nomination, EventAction.SUBMITTED, before, after, moment))
        elif before.kind in VOTE_KINDS:
            data = _vote(ctx, before, unit, year, passed=True, rng=rng)
            events.append(_event(nomination, EventAction.VOTED, before, after, moment, data=data))
        else:
            events.append(_event(nomination, EventAction.APPROVED, before, after, moment))
    if not finals:
        return Planned(index, nomination, events)
    at, moment = stages[reached], moments[-1]
    if status == NominationStatus.RETURNED:  # to the unit, to come straight back here
        nomination.status = NominationStatus.RETURNED
        _enter(ctx, nomination, stages[1], unit, year, moment)
        nomination.resume_position = reached
        events.append(
            _event(nomination, EventAction.RETURNED, at, stages[1], moment, comment=RETURN_COMMENT)
        )
        return Planned(index, nomination, events)
    decided_by = None
    if status == NominationStatus.AWARDED:
        acting = ctx.acting(at, unit, year)
        decided_by = (acting.unit.pk, acting.permission, campaign.code)
    _finish(nomination, status, moment)
    if status == NominationStatus.REJECTED and at.kind in VOTE_KINDS:
        data = _vote(ctx, at, unit, year, passed=False, rng=rng)
        events.append(_event(nomination, EventAction.VOTED, at, None, moment, data=data))
    else:
        action, comment = {
            NominationStatus.REJECTED: (EventAction.REJECTED, REJECT_COMMENT),
            NominationStatus.WITHDRAWN: (EventAction.WITHDRAWN, ""),
            NominationStatus.AWARDED: (EventAction.AWARDED, ""),
        }[status]
        events.append(_event(nomination, action, at, None, moment, comment=comment))
    return Planned(index, nomination, events, decided_by)
