"""The Ministry council's vote, the real way: one session over the waiting nominations.

A council's result reaches a nomination only from a concluded session (secret ballot), so
the bench runs one: the secretary opens it with the agenda, records everyone present, the
chair opens the vote, every member of the roster casts a ballot, the chair closes and
concludes, and the conclusion moves each nomination on (stage_record_vote_result, run by
the `session_results_apply` task after commit; eager here).

Roster members without a login get a throw-away user `bench.tv.<membership id>` for the
session; they are deleted right after it (and by `dataset.clean()` should a run stop
half-way), which unlinks them from the demo people again.
"""

import datetime
from dataclasses import dataclass
from time import perf_counter

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from approvals.models import (
    AwardsCouncil,
    Choice,
    CouncilMembership,
    Nomination,
    NominationStatus,
    Person,
)
from approvals.services import voting
from bench.drive import QueryCounter, WaveResult, user_named

VOTER_PREFIX = "bench.tv."
COUNCIL_UNIT = "bqp"
SECRETARY, CHAIR = "hd.thuky", "hd.chutich"
SESSION_TITLE = "Benchmark (make bench)"
DISAGREEING = 2  # a passing item: all but the last two members agree (15/17)
AGREEING_ON_FAILURES = 8  # a failing item: 8/17 agree, 9 are needed


@dataclass(frozen=True)
class CouncilVote:
    """A wave that is one council session over these nominations; `failing` lose the vote."""

    nomination_ids: tuple[int, ...]
    failing_ids: frozenset[int] = frozenset()


def _voters(council: AwardsCouncil, day: datetime.date) -> dict[int, object]:
    """Every roster member's user by membership id, making throw-away ones where missing."""
    User = get_user_model()
    voters = {}
    for membership in council.roster_on(day).select_related("person__user"):
        person = membership.person
        if person.user is None:
            user = User(username=f"{VOTER_PREFIX}{membership.pk}")
            user.set_unusable_password()
            user.save()
            Person.objects.filter(pk=person.pk).update(user=user)
            person.user = user
        voters[membership.pk] = person.user
    return voters


def release_voters() -> int:
    """Delete the throw-away voters (their people keep no login); returns how many."""
    users = get_user_model().objects.filter(username__startswith=VOTER_PREFIX)
    return users.delete()[1].get(get_user_model()._meta.label, 0)


def _choices(session, membership, index: int, roster: int, failing: set[int]) -> dict:
    recused = voting.recused_item_ids(session, membership)
    choices = {}
    for item_id, nomination_id in session.items.values_list("pk", "nomination_id"):
        if item_id in recused:
            continue
        agrees = index < AGREEING_ON_FAILURES if nomination_id in failing else index < roster - 2
        choices[item_id] = Choice.AGREE if agrees else Choice.DISAGREE
    return choices


def run_council_vote(vote: CouncilVote) -> tuple[WaveResult, WaveResult]:
    """Run the session; returns its service calls and the results it applied."""
    council = AwardsCouncil.objects.get(unit__code=COUNCIL_UNIT)
    today = timezone.localdate()
    calls = WaveResult(name=f"council session ({len(vote.nomination_ids):,} items)")
    applied = WaveResult(name="council results applied")
    counter = QueryCounter()
    failing = set(vote.failing_ids)

    def timed(function, **kwargs):
        start = perf_counter()
        try:
            return function(**kwargs)
        finally:
            calls.durations.append(perf_counter() - start)
            calls.calls += 1

    secretary, chair = user_named(SECRETARY), user_named(CHAIR)
    started = perf_counter()
    try:
        voters = _voters(council, today)
        started = perf_counter()
        with connection.execute_wrapper(counter):
            session = timed(
                voting.session_create,
                actor=secretary,
                council=council,
                title=SESSION_TITLE,
                meeting_date=today,
                voting_deadline=timezone.now() + datetime.timedelta(days=1),
                nominations=[Nomination(pk=pk) for pk in vote.nomination_ids],
            )
            with counter.paused():
                members = list(
                    CouncilMembership.objects.filter(
                        pk__in=session.attendances.values("membership_id")
                    ).order_by("role_order", "pk")
                )
            timed(
                voting.attendance_record,
                actor=secretary,
                session=session,
                present=[m.pk for m in members],
                written=[],
            )
            session = timed(voting.voting_open, actor=chair, session=session)
            with counter.paused():
                ballots = [
                    _choices(session, membership, index, len(members), failing)
                    for index, membership in enumerate(members)
                ]
            for membership, choices in zip(members, ballots, strict=True):
                timed(
                    voting.ballot_cast,
                    actor=voters[membership.pk],
                    session=session,
                    choices=choices,
                )
            session = timed(voting.voting_close, actor=chair, session=session)
            with transaction.atomic():  # its commit runs the results task (eager)
                timed(voting.session_conclude, actor=chair, session=session)
                calls.queries = counter.count
                calls.wall = perf_counter() - started
                concluded = perf_counter()
            applied.wall = perf_counter() - concluded
            applied.queries = counter.count - calls.queries
    except (PermissionDenied, ValidationError) as exc:
        calls.errors.append(f"council session: {exc}")
        calls.wall = calls.wall or perf_counter() - started
    finally:
        release_voters()
    applied.calls = (
        Nomination.objects.filter(pk__in=vote.nomination_ids)
        .exclude(status=NominationStatus.IN_PROGRESS, current_stage__kind="council_vote")
        .count()
    )
    if applied.calls != len(vote.nomination_ids) and not calls.errors:
        calls.errors.append(
            f"council session moved {applied.calls} of {len(vote.nomination_ids)} nominations"
        )
    return calls, applied
