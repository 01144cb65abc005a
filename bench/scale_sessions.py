"""Concluded council sessions written in bulk, stored as the real services store them.

A session run through approvals.services.voting leaves: the session (concluded, with its
opening, closing and conclusion times and the chair who concluded), one attendance row per
roster member on the meeting date, one agenda item per nomination with its threshold, tally
(agree, disagree, recused on the whole roster) and result, marked applied by the results
task, one "has voted" mark per voter, and, rewritten together in random order by the close,
one anonymous ballot (a receipt's hash) per voter and one anonymous choice per voter and
item the voter was not recused from. This writes the same rows in the same two steps: the
marks in one transaction, the anonymous rows in a later one (as the close rewrites them), so
the checks of bench.secrecy_checks hold on them as on a real session. It writes no audit
events (a hash chain written one by one) and no minutes (files): the pages and checks over
sessions read neither.

Two sources of agendas: bench.scale_data's nominations voted at the Ministry council (the
tally of each item is the one in its timeline), and for bench.session_scale any nominations
in the database with tallies drawn here.
"""

import datetime
import hashlib
import random
import secrets
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from approvals.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AwardsCouncil,
    Ballot,
    BallotChoice,
    Choice,
    CouncilSession,
    EventAction,
    NominationEvent,
    SessionStatus,
    Unit,
    VoteMark,
)
from approvals.models.catalogue import agree_votes_needed
from approvals.services.nominations import VoteResult

SESSIONS = 39  # with bench.session_scale's own 1,000 × 25 session, the 40
ITEMS = (10, 200, 40)  # low, high, mode of a session's agenda (triangular)
PRESENT = (15, 25)  # members present, within the roster
THRESHOLD = (50, "gt")  # more than half of the whole roster, as the demo routes ask
OPINION_EVERY = 200  # about one choice in 200 carries a written opinion
OPINION = "Đề nghị xem xét thêm thành tích năm trước."
CONCLUSION = "Hội đồng thống nhất kết quả biểu quyết; đề nghị cấp có thẩm quyền quyết định."


@dataclass
class ItemSpec:
    nomination_id: int
    unit_path: str  # the submitting unit's, for the chain-of-command recusal
    agree: int | None = None  # from the nomination's timeline; None: drawn here
    event_id: int | None = None  # the timeline's vote event, to name the session in it


@dataclass
class SessionSpec:
    title: str
    meeting: datetime.datetime
    items: list[ItemSpec]


@contextmanager
def _given_created_at():
    field = CouncilSession._meta.get_field("created_at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _receipt_hash() -> str:
    """What ballot_cast stores: the SHA-256 of a receipt nobody keeps."""
    return hashlib.sha256(secrets.token_hex(8).upper().encode()).hexdigest()


class _Rosters:
    """The council's roster on each meeting date, with each member's unit path (cached)."""

    def __init__(self, council: AwardsCouncil) -> None:
        self.council = council
        self.by_day = {}
        self.paths = {}

    def on(self, day: datetime.date) -> list:
        if day not in self.by_day:
            roster = list(self.council.roster_on(day).select_related("person__user"))
            missing = {m.person.unit_id for m in roster} - set(self.paths)
            self.paths.update(Unit.objects.filter(pk__in=missing).values_list("pk", "path"))
            self.by_day[day] = roster
        return self.by_day[day]


def _recused(council: AwardsCouncil, voters: list, paths: dict, unit_path: str) -> int:
    """Voters whose unit is the submitting unit or above it, as voting_close counts them."""
    if not council.recuse_chain_of_command:
        return 0
    return sum(
        1
        for member in voters
        if member.person.unit_id != council.unit_id
        and unit_path.startswith(paths[member.person.unit_id])
    )


def write(council: AwardsCouncil, specs: list[SessionSpec], *, seed: str) -> Counter:
    """Write concluded sessions; returns how many rows of each kind."""
    rng = random.Random(f"bench-sessions-{seed}")  # noqa: S311 - repeatable data, not secrets
    rosters = _Rosters(council)
    planned = []  # (session, voters, items with their choices)
    with transaction.atomic(), _given_created_at():
        sessions, attendances, items, marks = [], [], [], []
        for spec in specs:
            day = timezone.localtime(spec.meeting).date()
            roster = rosters.on(day)
            if not roster:
                continue
            low, high = PRESENT
            present = rng.randint(min(low, len(roster)), min(high, len(roster)))
            present = max(present, council.quorum_for(len(roster)))
            # the chair presides; the others present are drawn
            chair, others = roster[0], roster[1:]
            voters = [chair, *rng.sample(others, present - 1)]
            chair_user = chair.person.user
            session = CouncilSession(
                council=council,
                title=spec.title,
                meeting_date=day,
                voting_deadline=spec.meeting + datetime.timedelta(hours=4),
                status=SessionStatus.CONCLUDED,
                round=1,
                roster_size=len(roster),
                quorum_required=council.quorum_for(len(roster)),
                created_by=chair_user,
                created_at=spec.meeting - datetime.timedelta(days=rng.randint(3, 10)),
                opened_at=spec.meeting,
                closed_at=spec.meeting + datetime.timedelta(hours=2),
                concluded_at=spec.meeting + datetime.timedelta(hours=3),
                concluded_by=chair_user,
                conclusion=CONCLUSION,
            )
            sessions.append(session)
            chosen = {member.pk for member in voters}
            for member in roster:
                status = (
                    AttendanceStatus.PRESENT if member.pk in chosen else AttendanceStatus.ABSENT
                )
                attendances.append(Attendance(session=session, membership=member, status=status))
            marks += [VoteMark(session=session, round=1, membership=m) for m in voters]
            required = agree_votes_needed(len(roster), *THRESHOLD)
            session_items = []
            for item in spec.items:
                recused = _recused(council, voters, rosters.paths, item.unit_path)
                eligible = len(voters) - recused
                if item.agree is None:  # most pass, some narrowly miss
                    passing = rng.random() < 0.85 and required <= eligible
                    low_agree = required if passing else max(0, required - 3)
                    high_agree = eligible if passing else min(required - 1, eligible)
                    agree = rng.randint(min(low_agree, high_agree), high_agree)
                else:
                    agree = min(item.agree, eligible)
                row = AgendaItem(
                    session=session,
                    nomination_id=item.nomination_id,
                    round=1,
                    threshold_percent=THRESHOLD[0],
                    threshold_rule=THRESHOLD[1],
                    required_agree=required,
                    agree=agree,
                    disagree=eligible - agree,
                    recused=recused,
                    passed=agree >= required,
                    applied_at=session.concluded_at,
                )
                items.append(row)
                session_items.append((row, item))
            planned.append((session, voters, session_items))
        CouncilSession.objects.bulk_create(sessions)
        Attendance.objects.bulk_create(attendances, batch_size=2000)
        AgendaItem.objects.bulk_create(items, batch_size=2000)
        VoteMark.objects.bulk_create(marks, batch_size=2000)
    # the close: the anonymous rows, in random order, in a transaction of their own
    written = Counter(sessions=len(sessions), items=len(items), marks=len(marks))
    with transaction.atomic():
        for session, voters, session_items in planned:
            ballots = [
                Ballot(session=session, round=1, receipt_hash=_receipt_hash()) for _ in voters
            ]
            choices = []
            for row, _item in session_items:
                choices += [BallotChoice(item=row, choice=Choice.AGREE) for _ in range(row.agree)]
                choices += [
                    BallotChoice(item=row, choice=Choice.DISAGREE) for _ in range(row.disagree)
                ]
            for choice in rng.sample(choices, len(choices) // OPINION_EVERY):
                choice.opinion = OPINION
            random.shuffle(ballots)
            random.shuffle(choices)
            Ballot.objects.bulk_create(ballots)
            BallotChoice.objects.bulk_create(choices, batch_size=2000)
            written.update(ballots=len(ballots), choices=len(choices))
    _name_sessions_in_timelines(planned)
    return written


def _name_sessions_in_timelines(planned: list) -> None:
    """The vote events say what stage_record_vote_result writes: the tally and the session."""
    events = []
    for session, _voters, session_items in planned:
        note = f"Phiên họp “{session.title}” ngày {session.meeting_date.strftime('%d/%m/%Y')}."
        for row, item in session_items:
            if item.event_id is None:
                continue
            result = VoteResult(
                passed=bool(row.passed),
                agree=row.agree,
                members=session.roster_size,
                required=row.required_agree,
                session_id=session.pk,
            )
            event = NominationEvent(pk=item.event_id, comment=f"{result.summary()} {note}")
            event.data = {
                "agree": row.agree,
                "members": session.roster_size,
                "required": row.required_agree,
            }
            events.append(event)
    NominationEvent.objects.bulk_update(events, ["comment", "data"], batch_size=1000)


def _sizes(rng: random.Random, count: int) -> list[int]:
    low, high, mode = ITEMS
    return [round(rng.triangular(low, high, mode)) for _ in range(count)]


def from_votes(campaign_codes, *, count: int = SESSIONS) -> list[SessionSpec]:
    """Sessions of the Ministry council over the seeded nominations it voted on.

    The council votes (the timeline's `voted` events at a council stage) are taken in the
    order they happened and cut into `count` sessions of realistic size, spread evenly over
    them (votes between two sessions' agendas have no session: there are more than 39
    sessions' worth). Each item keeps its timeline's tally.
    """
    votes = list(
        NominationEvent.objects.filter(
            nomination__campaign__code__in=campaign_codes,
            action=EventAction.VOTED,
            waiting_kind_before="council_vote",
        )
        .order_by("created_at", "pk")
        .values_list(
            "pk", "nomination_id", "created_at", "data", "nomination__submitting_unit__path"
        )
    )
    rng = random.Random(f"bench-sessions-votes-{len(votes)}")  # noqa: S311
    count = min(count, len(votes) // ITEMS[2])  # a few votes make a few sessions
    sizes = _sizes(rng, count)
    specs = []
    for number, size in enumerate(sizes):
        start = number * len(votes) // count
        end = min(start + size, (number + 1) * len(votes) // count)
        group = votes[start:end]
        if len(group) < ITEMS[0]:
            continue
        items = [
            ItemSpec(nomination_id, path, agree=data.get("agree"), event_id=pk)
            for pk, nomination_id, _moment, data, path in group
        ]
        meeting = group[-1][2]
        specs.append(
            SessionSpec(
                title=f"Phiên họp Hội đồng TĐKT Bộ số {number + 1} (make bench, quy mô lớn)",
                meeting=meeting,
                items=items,
            )
        )
    return specs


def from_pool(
    pool: list[tuple[int, str]], *, count: int = SESSIONS, first_day: datetime.date
) -> list[SessionSpec]:
    """`count` sessions between `first_day` and yesterday over nominations drawn from `pool`."""
    rng = random.Random(f"bench-sessions-pool-{count}")  # noqa: S311
    now = timezone.now()
    start = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time(8)))
    span = max((now - start) - datetime.timedelta(days=1), datetime.timedelta(hours=count))
    specs = []
    for number, size in enumerate(_sizes(rng, count)):
        chosen = rng.sample(pool, min(size, len(pool)))
        meeting = start + span * (number + 0.5) / count
        meeting = meeting.replace(hour=8, minute=0, second=0, microsecond=0)
        specs.append(
            SessionSpec(
                title=f"Phiên họp thử tải số {number + 1}",
                meeting=meeting,
                items=[ItemSpec(pk, path) for pk, path in chosen],
            )
        )
    return specs


def remove(sessions) -> int:
    """Delete sessions and what hangs off them (ballots and choices cascade), FK-safe."""
    ids = list(sessions.values_list("pk", flat=True))
    VoteMark.objects.filter(session_id__in=ids).delete()
    Attendance.objects.filter(session_id__in=ids).delete()
    AgendaItem.objects.filter(session_id__in=ids).delete()
    CouncilSession.objects.filter(pk__in=ids).delete()
    return len(ids)
