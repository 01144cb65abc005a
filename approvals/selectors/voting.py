"""Reading council sessions as a given user may see them.

A session is visible to whoever holds a council permission on its council (members, the
secretary, the chair), to the secretariat and to administrators; to anyone else it does not
exist (404). The pages read a session in a fixed number of queries, whatever its size.
"""

from decimal import ROUND_FLOOR, Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from approvals.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AwardsCouncil,
    CouncilSession,
    SessionStatus,
    VoteMark,
)
from approvals.models.catalogue import ThresholdRule
from approvals.selectors.scope import UserScope, scope_for

SESSION_CODENAMES = ("vote_in_council", "run_council_session", "chair_council")
RUNNING_CODENAMES = ("run_council_session", "chair_council")


def session_council_ids(scope: UserScope) -> frozenset[int] | None:
    """Councils whose sessions the user may see; None meaning every council."""
    if scope.is_admin or scope.is_secretariat:
        return None
    return frozenset().union(*(scope.councils_with(code) for code in SESSION_CODENAMES))


def sessions_for_user(user) -> QuerySet[CouncilSession]:
    """Every session the user may see, with its council."""
    sessions = CouncilSession.objects.select_related("council__unit")
    council_ids = session_council_ids(scope_for(user))
    if council_ids is None:
        return sessions
    return sessions.filter(council_id__in=council_ids)


def get_session_for_user(user, session_id: int) -> CouncilSession:
    """The session, or 404 for anyone who may not see it."""
    return get_object_or_404(sessions_for_user(user), pk=session_id)


def councils_running_sessions(user) -> QuerySet[AwardsCouncil]:
    """Councils for which the user may prepare or chair a session."""
    scope = scope_for(user)
    ids = frozenset().union(*(scope.councils_with(code) for code in RUNNING_CODENAMES))
    return AwardsCouncil.objects.filter(pk__in=ids).select_related("unit")


def session_roles(user, session: CouncilSession) -> dict[str, bool]:
    """Whether the user prepares ("runs") or chairs sessions of the session's council."""
    scope = scope_for(user)
    return {
        "runs": session.council_id in scope.councils_with("run_council_session"),
        "chairs": session.council_id in scope.councils_with("chair_council"),
    }


def session_actions(user, session: CouncilSession) -> dict[str, bool]:
    """What the user may do to the session now, as the services would allow it."""
    roles = session_roles(user, session)
    status = session.status
    return {
        "record": (roles["runs"] or roles["chairs"]) and status == SessionStatus.PREPARING,
        "open": roles["chairs"] and status == SessionStatus.PREPARING,
        "close": roles["chairs"] and status == SessionStatus.VOTING,
        "conclude": roles["chairs"] and status == SessionStatus.CLOSED,
    }


def _count(queryset) -> Coalesce:
    """A per-session count as a subquery (no join multiplying the other counts)."""
    counted = queryset.order_by().values("session_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def session_list_for_user(user) -> list[dict]:
    """The councils whose sessions the user may see, each with its sessions (two queries).

    Councils are listed where the user holds a council role, or where a visible session exists.
    """
    scope = scope_for(user)
    council_ids = session_council_ids(scope)
    running = frozenset().union(*(scope.councils_with(code) for code in RUNNING_CODENAMES))
    here = OuterRef("pk")
    sessions = list(
        sessions_for_user(user)
        .annotate(
            agenda_size=_count(AgendaItem.objects.filter(session=here, round=1)),
            present=_count(
                Attendance.objects.filter(session=here, status=AttendanceStatus.PRESENT)
            ),
            written=_count(
                Attendance.objects.filter(session=here, status=AttendanceStatus.WRITTEN)
            ),
            voted=_count(VoteMark.objects.filter(session=here, round=OuterRef("round"))),
        )
        .order_by("council__unit__path", "-meeting_date", "-pk")
    )
    councils = AwardsCouncil.objects.select_related("unit").order_by("unit__path")
    with_sessions = {session.council_id for session in sessions}
    if council_ids is None:
        councils = councils.filter(Q(pk__in=with_sessions) | Q(pk__in=scope.council_ids))
    else:
        councils = councils.filter(pk__in=council_ids)
    by_council: dict[int, list] = {}
    for session in sessions:
        by_council.setdefault(session.council_id, []).append(session)
    return [
        {
            "council": council,
            "sessions": by_council.get(council.pk, []),
            "can_create": council.pk in running,
        }
        for council in councils
    ]


def _plain(value: Decimal) -> str:
    """A decimal in the current language's notation without trailing zeros: 8,5 / 10 / 15,3."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    places = len(text.split(".")[1]) if "." in text else 0
    return number_format(Decimal(text), decimal_pos=places)


def threshold_wording(item: AgendaItem, roster_size: int) -> str:
    """How an item's threshold on the whole roster gives its number of agree votes needed."""
    percent = Decimal(str(item.threshold_percent))
    exact = Decimal(roster_size) * percent / 100
    floor = exact.to_integral_value(rounding=ROUND_FLOOR)
    values = {
        "percent": _plain(percent),
        "size": roster_size,
        "exact": _plain(exact),
        "needed": item.required_agree,
    }
    if item.threshold_rule == ThresholdRule.AT_LEAST:
        if exact == floor:
            text = _(
                "≥ %(percent)s%% của toàn bộ %(size)s thành viên: %(size)s × %(percent)s%% = "
                "%(exact)s, không phải làm tròn → cần ít nhất %(needed)s phiếu tán thành."
            )
        else:
            text = _(
                "≥ %(percent)s%% của toàn bộ %(size)s thành viên: %(size)s × %(percent)s%% = "
                "%(exact)s, làm tròn lên → cần ít nhất %(needed)s phiếu tán thành."
            )
    else:
        text = _(
            "> %(percent)s%% của toàn bộ %(size)s thành viên: %(size)s × %(percent)s%% = "
            "%(exact)s, phải nhiều hơn %(exact)s → cần ít nhất %(needed)s phiếu tán thành."
        )
    return text % values


def session_overview(session: CouncilSession, user) -> dict:
    """Everything the session page shows, in three queries whatever the roster and agenda.

    Tallies are marked visible only for rounds that have closed; the page shows nothing
    counted before that.
    """
    attendances = list(
        session.attendances.select_related("membership__person__unit").order_by(
            "membership__role_order", "membership__person__full_name", "pk"
        )
    )
    voted = set(
        VoteMark.objects.filter(session=session, round=session.round).values_list(
            "membership_id", flat=True
        )
    )
    items = list(
        session.items.select_related(
            "nomination__award", "nomination__submitting_unit", "nomination__current_stage"
        ).order_by(
            "round", "nomination__award__sort_order", "nomination__award_id", "nomination_id"
        )
    )
    current_round_closed = session.status in (SessionStatus.CLOSED, SessionStatus.CONCLUDED)
    for item in items:
        item.tally_visible = item.round < session.round or current_round_closed
        item.wording = threshold_wording(item, session.roster_size)
    for attendance in attendances:
        attendance.voted = attendance.membership_id in voted
    present = sum(1 for a in attendances if a.status == AttendanceStatus.PRESENT)
    written = sum(1 for a in attendances if a.status == AttendanceStatus.WRITTEN)
    mine = next((a for a in attendances if a.membership.person.user_id == user.pk), None)
    rounds = sorted({item.round for item in items})
    final = {}
    for item in items:  # the last round each nomination was voted in
        final[item.nomination_id] = item
    return {
        "attendances": attendances,
        "rounds": [
            {"number": number, "items": [i for i in items if i.round == number]}
            for number in rounds
        ],
        "current_items": [i for i in items if i.round == session.round],
        "final_items": list(final.values()),
        "present": present,
        "written": written,
        "voters_expected": present + written,
        "voted": len(voted),
        "quorum_met": present >= session.quorum_required,
        "mine": mine,
        "i_voted": mine is not None and mine.voted,
    }
