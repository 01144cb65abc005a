"""A council session at scale: 1,000 agenda items × 25 members (BENCH_SESSION_ITEMS/MEMBERS).

    .venv/bin/python -m bench.session_scale

Times each member's ballot, the close (tally on the whole roster and the shuffle of the
anonymous rows), the chair's conclusion (its transaction only: the results and the minutes
are background tasks), then those two tasks run in-process. The agenda reuses nominations
already in the database (`make bench` leaves thousands); the session, its council and its
members are created for the run and removed afterwards.
"""

import datetime
import os
import statistics
from time import perf_counter

from bench.run import _check_migrated, _configure, _say

UNIT_CODE = "bench-hd"


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
            start_date=datetime.date(2026, 1, 1),
        )
    chair = User.objects.get(username="bench.hd.00")
    role_grant(actor=None, user=chair, role="council_chair", council=council)
    return council, chair


def _cleanup() -> None:
    from django.contrib.auth import get_user_model

    from approvals.models import (
        AgendaItem,
        Attendance,
        AuditEvent,
        AwardsCouncil,
        CouncilMembership,
        CouncilSession,
        Person,
        RoleAssignment,
        Unit,
        VoteMark,
    )

    council = AwardsCouncil.objects.filter(unit__code=UNIT_CODE).first()
    if council is None:
        return
    sessions = CouncilSession.objects.filter(council=council)
    AuditEvent.objects.filter(
        object_type="approvals.councilsession",
        object_id__in=[str(pk) for pk in sessions.values_list("pk", flat=True)],
    ).delete()
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
        CouncilSession,
        Nomination,
    )
    from approvals.models.catalogue import agree_votes_needed
    from approvals.services import voting
    from bench.report import database, machine, table
    from project.celery import app

    items = int(os.environ.get("BENCH_SESSION_ITEMS", 1000))
    members = int(os.environ.get("BENCH_SESSION_MEMBERS", 25))
    _cleanup()
    # nominations not waiting at a council vote: the results task only marks their items
    nominations = list(
        Nomination.objects.exclude(current_stage__kind="council_vote")
        .order_by("-pk")
        .values_list("pk", flat=True)[:items]
    )
    if len(nominations) < items:
        raise SystemExit(
            f"bench: {len(nominations)} nominations in the database; run `make bench` first"
        )
    council, chair = _council(members)
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
    for index, membership in enumerate(roster):
        # item k gets k mod (members + 1) agree votes: about half pass, some on the edge
        choices = {pk: ("agree" if index < pk % (members + 1) else "disagree") for pk in item_ids}
        started = perf_counter()
        voting.ballot_cast(actor=membership.person.user, session=session, choices=choices)
        ballots.append(perf_counter() - started)
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


if __name__ == "__main__":
    main()
