"""A council session at scale: 1,000 agenda items × 25 members (BENCH_SESSION_ITEMS/MEMBERS).

    .venv/bin/python -m bench.session_scale

Times each member's ballot, the close (tally on the whole roster and the shuffle of the
anonymous rows), the chair's conclusion (its transaction only: the results and the minutes
are background tasks), then those two tasks run in-process. The agenda reuses nominations
already in the database (`make bench` leaves thousands); the session, its council and its
members are created for the run and removed afterwards.

Before it, the council gets the rest of a year's sessions, written in bulk as the services
store them (bench.scale_sessions: 39, or BENCH_SESSIONS_SEEDED; 9 at BENCH_SCALE=small), and
after it the ballot-secrecy checks of tests/approvals/test_ballot_secrecy.py run over all of
them (bench.secrecy_checks), with one more the test cannot make at its size: the rank
correlation between the order the 25,000 choices were cast in and the orders they are stored
in (by key, and physically) after the close.

On PostgreSQL the voting tables get a VACUUM (ANALYZE) after the seeding (BENCH_SESSION_VACUUM,
default 1), as autovacuum would after a year of sessions: without it each run's removed rows
stay behind where autovacuum is off, and the close's statements walk more dead rows at every
run. The run prints the close's slowest statements with their times (the debug cursor's).
"""

import datetime
import os
import statistics
from time import perf_counter

from bench.config import Names
from bench.run import _check_migrated, _configure, _say

UNIT_CODE = "bench-hd"
TERM_START = datetime.date(2026, 1, 1)  # the members' seats, and the seeded sessions, start then
SEEDED = {"full": 39, "small": 9}
ITEMS = {"full": 1000, "small": 100}  # the agenda of the session run through the services
SLOWEST = 5  # statements of the close printed with their times


def _council(members: int):
    from django.contrib.auth import get_user_model

    from approvals.models import AwardsCouncil, CouncilMembership, Person, Unit
    from approvals.services.roles import role_grant

    User = get_user_model()
    ministry = Unit.objects.get(code="bqp")
    unit = Unit.objects.create(
        code=UNIT_CODE,
        short_name="HĐ thử tải",
        name="Đơn vị thử tải",
        level="direct",
        parent=ministry,
    )
    council = AwardsCouncil.objects.create(unit=unit, name="Hội đồng thử tải")
    for index in range(members):
        user = User.objects.create(username=f"bench.hd.{index:02d}")
        person = Person.objects.create(
            service_number=f"BENCH-HD-{index:03d}",
            full_name=f"Thành viên thử tải {index}",
            category="officer",
            unit=unit,
            gender="male",
            birth_date=datetime.date(1975, 1, 1),
            enlistment_date=datetime.date(1995, 9, 1),
            user=user,
        )
        CouncilMembership.objects.create(
            council=council,
            person=person,
            role="chair" if index == 0 else "member",
            start_date=TERM_START,
        )
    chair = User.objects.get(username="bench.hd.00")
    role_grant(actor=None, user=chair, role="council_chair", council=council)
    return council, chair


# the part's own drafts when the database holds fewer nominations than the session needs
DRAFTS = Names(campaign="bench-ss", unit="bench-ss-f3", service_prefix="BENCH-SS-")


def _drafts(count: int) -> list[int]:
    """`count` draft Giấy khen nominations of the part's own unit, written in bulk (their
    items are only counted and marked, never moved); removed by _cleanup."""
    from approvals.models import Award, Campaign, Nomination, Unit
    from bench import dataset
    from workflows.routes import route_for

    data = dataset.prepare(count, DRAFTS)
    award = Award.objects.get(code="giay-khen")
    campaign = Campaign.objects.get(pk=data.campaign_id)
    version = route_for(award=award, campaign=campaign)
    first = version.stages.get(position=1)
    unit = Unit.objects.get(pk=data.submitting_unit_id)
    Nomination.objects.bulk_create(
        Nomination(
            award=award,
            campaign=campaign,
            submitting_unit=unit,
            person_id=person_id,
            nominee_name=f"Quân nhân benchmark {index}",
            search_name=f"quan nhan benchmark {index}",
            achievements="Phiên thử tải (benchmark).",
            route_version=version,
            current_stage=first,
            stage_position=1,
            acting_permission="prepare_nomination",
            acting_unit=unit,
        )
        for index, person_id in enumerate(data.person_ids, start=1)
    )
    _say(f"{count:,} draft nominations written for the session (the database held too few)")
    return list(
        Nomination.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )


def _cleanup() -> None:
    from django.contrib.auth import get_user_model

    from approvals.models import (
        AgendaItem,
        Attendance,
        AwardsCouncil,
        CouncilMembership,
        CouncilSession,
        Person,
        RoleAssignment,
        Unit,
        VoteMark,
    )
    from bench import dataset

    dataset.clean(DRAFTS)
    council = AwardsCouncil.objects.filter(unit__code=UNIT_CODE).first()
    if council is None:
        return
    sessions = CouncilSession.objects.filter(council=council)
    # the audit trail keeps its events: it is append-only and hash-chained (verify_audit)
    VoteMark.objects.filter(session__in=sessions).delete()
    Attendance.objects.filter(session__in=sessions).delete()
    AgendaItem.objects.filter(session__in=sessions).delete()  # cascades to the choices
    sessions.delete()
    RoleAssignment.objects.filter(council=council).delete()
    memberships = CouncilMembership.objects.filter(council=council)
    people = list(memberships.values_list("person_id", flat=True))
    memberships.delete()
    get_user_model().objects.filter(username__startswith="bench.hd.").delete()
    Person.objects.filter(pk__in=people).delete()
    council.delete()
    Unit.objects.filter(code=UNIT_CODE).delete()


def _secrecy(council, session, cast: dict, anonymous: dict, before_close: dict):
    """The voting issue's secrecy checks over every session of the council; table rows and
    the summary row."""
    from approvals.models import Ballot, BallotChoice, CouncilSession
    from bench import secrecy_checks

    sessions = list(CouncilSession.objects.filter(council=council).order_by("pk"))
    ids = [s.pk for s in sessions]
    rows, failed = [], 0

    def row(check: str, over: str, problems: list[str]) -> None:
        nonlocal failed
        failed += bool(problems)
        rows.append(
            [check, over, "passed" if not problems else "FAILED: " + "; ".join(problems[:3])]
        )

    row(
        "no link to a member, no timestamp, random keys (schema)",
        "Ballot, BallotChoice",
        secrecy_checks.schema_problems(),
    )
    row(
        '"has voted" marks and ballot.cast audit rows carry no choice',
        f"{len(ids)} sessions",
        secrecy_checks.mark_problems(ids),
    )
    problems = []
    for one in sessions:
        problems += [f"session {one.pk}: {p}" for p in secrecy_checks.session_problems(one)]
    row(
        "counts match the tally; UUID4 keys; one close xmin, none a voter's",
        f"{len(ids)} sessions",
        problems,
    )
    for model in (Ballot, BallotChoice):
        n = len(cast[model])
        limit = secrecy_checks.bound(n)
        after = secrecy_checks.order_correlations(cast[model], model, anonymous[model])
        for order, rho in after.items():
            rows_over = f"{n:,} {model.__name__} rows of the run's session"
            check = (
                f"cast order vs {order} order after the close: rho {rho:+.3f} (bound ±{limit:.3f})"
            )
            row(check, rows_over, [] if abs(rho) < limit else [f"rho {rho:+.3f}"])
    physical = before_close["physical"]
    rows.append(
        [
            f"control: cast order vs physical order before the close: rho {physical:+.3f}",
            f"{len(cast[BallotChoice]):,} BallotChoice rows",
            "(what the close erases)",
        ]
    )
    ballots = Ballot.objects.filter(session__in=ids).count()
    choices = BallotChoice.objects.filter(item__session__in=ids).count()
    checks = len(rows) - 1
    verdict = f"{checks - failed}/{checks} passed" if failed else f"all {checks} passed"
    return rows, ["ballot secrecy at scale", f"{ballots:,}", f"{choices:,}", verdict]


def _slowest(queries: list[dict]) -> list[list[str]]:
    """The slowest captured statements: ms and the statement's start, on one line."""
    rows = sorted(queries, key=lambda q: float(q["time"]), reverse=True)[:SLOWEST]
    return [
        [f"{float(q['time']) * 1000:.0f}", " ".join(q["sql"].split())[:90].replace("|", "/")]
        for q in rows
    ]


def main() -> None:
    _configure()
    _check_migrated()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from approvals.models import (
        AgendaItem,
        Attendance,
        AttendanceStatus,
        Ballot,
        BallotChoice,
        CouncilSession,
        Nomination,
    )
    from approvals.models.catalogue import agree_votes_needed
    from approvals.services import voting
    from bench import scale_sessions, secrecy_checks
    from bench.report import database, machine, table
    from project.celery import app

    scale = os.environ.get("BENCH_SCALE", "full").strip().lower()
    items = int(os.environ.get("BENCH_SESSION_ITEMS", ITEMS.get(scale, 1000)))
    members = int(os.environ.get("BENCH_SESSION_MEMBERS", 25))
    _cleanup()
    # nominations not waiting at a council vote: the results task only marks their items
    nominations = list(
        Nomination.objects.exclude(current_stage__kind="council_vote")
        .order_by("-pk")
        .values_list("pk", flat=True)[:items]
    )
    if len(nominations) < items:
        nominations += _drafts(items - len(nominations))
    council, chair = _council(members)
    seeded_count = int(os.environ.get("BENCH_SESSIONS_SEEDED", SEEDED.get(scale, 39)))
    started = perf_counter()
    pool = list(Nomination.objects.order_by("pk").values_list("pk", "submitting_unit__path")[:5000])
    specs = scale_sessions.from_pool(pool, count=seeded_count, first_day=TERM_START)
    seeded = scale_sessions.write(council, specs, seed="session-scale")
    seeded_s = perf_counter() - started
    _say(
        f"seeded {seeded['sessions']} concluded sessions in {seeded_s:.1f} s: "
        f"{seeded['items']:,} items, {seeded['ballots']:,} ballots, {seeded['choices']:,} choices"
    )
    if os.environ.get("BENCH_SESSION_VACUUM", "1").strip() != "0":
        from approvals.models import VoteMark
        from bench.dataset import analyze

        if analyze((AgendaItem, Ballot, BallotChoice, VoteMark, Attendance), vacuum=True):
            _say("VACUUM (ANALYZE) of the voting tables (PostgreSQL)")
    roster = list(council.roster_on(timezone.localdate()))
    session = CouncilSession.objects.create(
        council=council,
        title="Phiên thử tải",
        meeting_date=timezone.localdate(),
        voting_deadline=timezone.now() + datetime.timedelta(hours=2),
        roster_size=len(roster),
        quorum_required=council.quorum_for(len(roster)),
    )
    AgendaItem.objects.bulk_create(
        AgendaItem(
            session=session,
            nomination_id=pk,
            threshold_percent=50,
            threshold_rule="gt",
            required_agree=agree_votes_needed(len(roster), 50, "gt"),
        )
        for pk in nominations
    )
    Attendance.objects.bulk_create(
        Attendance(session=session, membership=m, status=AttendanceStatus.PRESENT) for m in roster
    )
    session = voting.voting_open(actor=chair, session=session)
    item_ids = list(session.items.values_list("pk", flat=True))
    ballots = []
    cast = {Ballot: {}, BallotChoice: {}}  # row key -> the position of its ballot in the casting
    anonymous = {
        Ballot: Ballot.objects.filter(session=session),
        BallotChoice: BallotChoice.objects.filter(item__session=session),
    }
    for index, membership in enumerate(roster):
        # item k gets k mod (members + 1) agree votes: about half pass, some on the edge
        choices = {pk: ("agree" if index < pk % (members + 1) else "disagree") for pk in item_ids}
        started = perf_counter()
        voting.ballot_cast(actor=membership.person.user, session=session, choices=choices)
        ballots.append(perf_counter() - started)
        for model, rows in anonymous.items():  # what an observer of the open vote could note
            for key in rows.values_list("pk", flat=True):
                cast[model].setdefault(str(key), index)
    before_close = secrecy_checks.order_correlations(
        cast[BallotChoice], BallotChoice, anonymous[BallotChoice]
    )
    with CaptureQueriesContext(connection) as close_queries:
        started = perf_counter()
        session = voting.voting_close(actor=chair, session=session)
        close_s = perf_counter() - started
    # the conclusion's transaction alone: its tasks are queued to an in-memory broker
    app.conf.task_always_eager = False
    app.conf.broker_url = "memory://"
    with CaptureQueriesContext(connection) as conclude_queries:
        started = perf_counter()
        session = voting.session_conclude(actor=chair, session=session, conclusion="Thử tải.")
        conclude_s = perf_counter() - started
    app.conf.task_always_eager = True
    started = perf_counter()
    voting.session_results_apply(session=session)
    apply_s = perf_counter() - started
    from approvals.documents.minutes import minutes_render

    started = perf_counter()
    pdf, docx = minutes_render(session)
    minutes_s = perf_counter() - started
    passed = session.items.filter(passed=True).count()
    secrecy, summary = _secrecy(council, session, cast, anonymous, before_close)
    _cleanup()

    rows = [
        [
            "ballot_cast (one member, whole agenda)",
            len(ballots),
            f"{statistics.median(ballots) * 1000:.0f}",
            f"{max(ballots) * 1000:.0f}",
            "—",
        ],
        ["voting_close (tally + shuffle)", 1, f"{close_s * 1000:.0f}", "—", len(close_queries)],
        [
            "session_conclude (transaction)",
            1,
            f"{conclude_s * 1000:.0f}",
            "—",
            len(conclude_queries),
        ],
        ["tally + conclusion", 1, f"{(close_s + conclude_s) * 1000:.0f}", "—", "—"],
        ["results task (items marked; no stage to move)", items, f"{apply_s * 1000:.0f}", "—", "—"],
        ["minutes PDF + DOCX rendered", 1, f"{minutes_s * 1000:.0f}", "—", "—"],
    ]
    _say("")
    _say(f"Council session at scale: {items} items × {members} members ({passed} passed)")
    _say(f"{machine()}; {database()}")
    _say(table(["what", "calls", "ms (median)", "ms (max)", "queries"], rows))
    _say(f"minutes: PDF {len(pdf) // 1024} KiB, DOCX {len(docx) // 1024} KiB")
    statements = _slowest(close_queries.captured_queries)
    _say("")
    _say(f"voting_close: its {SLOWEST} slowest statements")
    _say(table(["ms", "statement"], statements))
    _say("")
    _say(
        f"Ballot secrecy at scale: the {seeded['sessions']} seeded sessions and this one "
        "(tests/approvals/test_ballot_secrecy.py's checks, bench/secrecy_checks.py)"
    )
    _say(table(["check", "over", "result"], secrecy))
    _say(table(["what", "ballots", "choices", "checks"], [summary]))
    docs_default = "1" if scale == "full" else "0"
    if os.environ.get("BENCH_DOCS", docs_default).strip() == "1":
        from bench.report import write_docs

        text = "\n".join(
            [
                f"### Council sessions at scale, {database().split(' (')[0]}",
                "",
                f"`python -m bench.session_scale`: {seeded['sessions']} sessions seeded in bulk "
                f"({seeded['items']:,} items, {seeded_s:.1f} s), then one of {items:,} items × "
                f"{members} members through the services ({passed:,} passed).",
                "",
                f"- Machine: {machine()}",
                f"- Database: {database()}",
                "",
                table(["what", "calls", "ms (median)", "ms (max)", "queries"], rows),
                "",
                table(["check", "over", "result"], secrecy),
                "",
                table(["what", "ballots", "choices", "checks"], [summary]),
                "",
                table(["voting_close: slowest statements, ms", "statement"], statements),
            ]
        )
        key = f"{database().split()[0].lower()}-session-scale"
        _say(f"\nresults written to {write_docs(text, key=key)}")


if __name__ == "__main__":
    main()
