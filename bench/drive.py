"""Service calls, run wave by wave, timed and counted.

A wave is a list of independent calls (each on its own nomination), for instance "every
nomination's submission". Waves run one after another; with BENCH_WORKERS > 1 the calls of
a wave are shared among forked worker processes, each with its own database connection.
Every call goes through the real services (approvals.services.nominations), so it locks the
row, checks the actor, moves the viewflow process, writes the event, the audit row and the
notifications, and e-mails them on commit (Celery eager, locmem backend: see bench.run).
Before an approval its actor uploads the documents the stage requires (bench.dossier), as a
request of its own: neither timed nor counted with the approval.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from time import perf_counter

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections

from approvals.models import Award, Campaign, Nomination, Person, SubmissionLetter, Unit
from approvals.services.nominations import (
    Action,
    ReturnTo,
    VoteResult,
    nomination_create,
    stage_act,
    stage_record_vote_result,
)
from bench.dossier import dossier_complete

# an Act's action at a decision stage: a numbered decision awarding that one nomination
DECIDE = "decide"
ACHIEVEMENTS = "Hoàn thành xuất sắc nhiệm vụ huấn luyện, sẵn sàng chiến đấu (benchmark)."


@dataclass(frozen=True)
class Create:
    """nomination_create by the unit's officer, for one person."""

    username: str
    submitting_unit_id: int
    campaign_id: int
    award_code: str
    person_id: int
    letter_id: int = 0  # the letter (tờ trình) it goes in, if any


@dataclass(frozen=True)
class Act:
    """stage_act, or stage_record_vote_result when `vote` is given: one transition."""

    username: str
    nomination_id: int
    action: str = Action.APPROVE
    comment: str = ""
    return_to: str = ReturnTo.PREVIOUS
    vote: VoteResult | None = None


@dataclass(frozen=True)
class LetterAct:
    """letter_act: one actor's action on every nomination of a letter waiting for them (as the
    letter's page does), each a transition; `moves` is how many."""

    username: str
    letter_id: int
    moves: int
    action: str = Action.APPROVE


@dataclass(frozen=True)
class DecideMany:
    """One decision awarding all these nominations (the decision page with every box ticked)."""

    username: str
    nomination_ids: tuple[int, ...]

    @property
    def moves(self) -> int:
        return len(self.nomination_ids)


@dataclass
class WaveResult:
    name: str
    calls: int = 0
    wall: float = 0.0
    queries: int = 0
    moves: int = 0  # transitions made: one per call, or a letter's or a decision's count
    durations: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def add(self, other: "WaveResult") -> None:
        self.calls += other.calls
        self.wall += other.wall
        self.queries += other.queries
        self.moves += other.moves
        self.durations += other.durations
        self.errors += other.errors


# Per-process caches: looked up once, as one request looks up its user once.
_users: dict[str, object] = {}
_objects: dict[tuple[type, object], object] = {}


def user_named(username: str):
    if username not in _users:
        _users[username] = get_user_model().objects.get(username=username)
    return _users[username]


def _cached(model, **lookup):
    key = (model, tuple(sorted(lookup.items())))
    if key not in _objects:
        _objects[key] = model.objects.get(**lookup)
    return _objects[key]


def _execute(call) -> None:
    actor = user_named(call.username)
    if isinstance(call, LetterAct):
        from approvals.services.letters import letter_act

        letter_act(actor=actor, letter=SubmissionLetter(pk=call.letter_id), action=call.action)
        return
    if isinstance(call, DecideMany):
        _decide(actor, list(call.nomination_ids))
        return
    if isinstance(call, Create):
        nomination_create(
            actor=actor,
            submitting_unit=_cached(Unit, pk=call.submitting_unit_id),
            award=_cached(Award, code=call.award_code),
            campaign=_cached(Campaign, pk=call.campaign_id),
            achievements=ACHIEVEMENTS,
            person=Person.objects.select_related("unit").get(pk=call.person_id),  # as a form
            letter=_cached(SubmissionLetter, pk=call.letter_id) if call.letter_id else None,
        )
        return
    if call.action == DECIDE:
        _decide(actor, [call.nomination_id])
        return
    nomination = Nomination(pk=call.nomination_id)  # the services lock and reload it by pk
    if call.vote is not None:
        stage_record_vote_result(actor=actor, nomination=nomination, result=call.vote)
    else:
        stage_act(
            actor=actor,
            nomination=nomination,
            action=call.action,
            comment=call.comment,
            return_to=call.return_to,
        )


def _decide(actor, nomination_ids: list[int]) -> None:
    """What the decision page does (the form reads the nominations with their authority)."""
    from django.utils import timezone

    from approvals.services.decisions import DecisionHeader, abbreviation, decision_issue

    nominations = list(
        Nomination.objects.select_related("acting_unit").filter(pk__in=nomination_ids)
    )
    authority = nominations[0].acting_unit
    decision_issue(
        actor=actor,
        authority=authority,
        nominations=nominations,
        header=DecisionHeader(
            number=f"{min(nomination_ids)}/QĐ-{abbreviation(authority)}",
            signed_on=timezone.localdate(),
            signer_name="Benchmark",
            signer_title="Thủ trưởng",
            issuer_title=f"Thủ trưởng {authority.name}",
            title="Về việc tặng thưởng (benchmark)",
            grounds="Căn cứ Luật Thi đua, khen thưởng năm 2022;",
        ),
    )


class QueryCounter:
    """A connection execute wrapper that only counts (cheaper than capturing the SQL)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    @contextmanager
    def paused(self):
        """Leave out the bench's own queries."""
        before = self.count
        yield
        self.count = before


def _upload_dossier(call) -> None:
    if isinstance(call, Act) and call.action == Action.APPROVE and call.vote is None:
        dossier_complete(user_named(call.username), call.nomination_id)


def letter_dossier_complete(call) -> None:
    """Before a letter's approval: its actor uploads what each of its nominations needs."""
    if isinstance(call, LetterAct) and call.action == Action.APPROVE:
        actor = user_named(call.username)
        for nomination_id in Nomination.objects.filter(letter_id=call.letter_id).values_list(
            "pk", flat=True
        ):
            dossier_complete(actor, nomination_id)


def _run_calls(calls: list) -> WaveResult:
    result = WaveResult(name="", calls=len(calls))
    result.moves = sum(getattr(call, "moves", 1) for call in calls)
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        for call in calls:
            with counter.paused():
                _upload_dossier(call)
            start = perf_counter()
            try:
                _execute(call)
            except (PermissionDenied, ValidationError) as exc:
                result.errors.append(f"{type(call).__name__} {call}: {exc}")
            result.durations.append(perf_counter() - start)
            if hasattr(mail, "outbox") and len(mail.outbox) > 1000:
                mail.outbox.clear()  # the locmem backend keeps every message
    result.queries = counter.count
    return result


def run_wave(name: str, calls: list, *, workers: int = 1) -> WaveResult:
    """Run the calls (one wave) and time the whole wave on the wall clock."""
    start = perf_counter()
    if workers <= 1 or len(calls) < 2 * workers:
        result = _run_calls(calls)
    else:
        connections.close_all()  # each forked worker opens its own connection
        chunks = [calls[index::workers] for index in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            result = WaveResult(name="")
            for part in pool.map(_run_calls, chunks):
                result.add(part)
    result.name = name
    result.wall = perf_counter() - start
    return result


def run_waves(name: str, waves: list, *, workers: int = 1) -> list[WaveResult]:
    """Run waves one after another: the stage calls' total first, then any council session.

    A wave is a list of calls, or a bench.council.CouncilVote (one session, in this process).
    """
    from bench.council import CouncilVote, run_council_vote

    total, council = WaveResult(name=name), []
    for index, calls in enumerate(waves, start=1):
        if isinstance(calls, CouncilVote):
            council += run_council_vote(calls)
        elif calls:
            total.add(run_wave(f"{name} #{index}", calls, workers=workers))
    return [total, *council]
