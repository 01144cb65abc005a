"""Council sessions under democratic centralism: agenda, attendance, quorum, secret ballot,
tally on the whole roster, the chair's conclusion, and the results into each nomination.

See docs/ballot-secrecy.md for what the ballot tables may and may not hold.
"""

import datetime
import hashlib
import random
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    AwardsCouncil,
    Ballot,
    BallotChoice,
    Choice,
    CouncilMembership,
    CouncilSession,
    Nomination,
    NominationStatus,
    SessionStatus,
    VoteMark,
)
from approvals.models.catalogue import agree_votes_needed
from approvals.selectors.nominations import vote_threshold
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.secrecy import rewrite_in_random_order
from workflows.models import StageKind

OPEN_SESSION_STATUSES = (SessionStatus.PREPARING, SessionStatus.VOTING, SessionStatus.CLOSED)


def _require(actor, council: AwardsCouncil, *codenames: str) -> None:
    councils = scope_for(actor)
    if not any(council.pk in councils.councils_with(code) for code in codenames):
        raise PermissionDenied(_("Bạn không có quyền này đối với hội đồng %(c)s.") % {"c": council})


def _locked(session: CouncilSession) -> CouncilSession:
    return CouncilSession.objects.select_for_update().select_related("council").get(pk=session.pk)


def waiting_nominations(council: AwardsCouncil):
    """Nominations at this council's vote stage that are on no unfinished session's agenda."""
    busy = AgendaItem.objects.filter(session__status__in=OPEN_SESSION_STATUSES).values(
        "nomination_id"
    )
    return (
        Nomination.objects.filter(
            acting_council=council,
            status=NominationStatus.IN_PROGRESS,
            current_stage__kind=StageKind.COUNCIL_VOTE,
        )
        .exclude(pk__in=busy)
        .select_related("award", "campaign", "current_stage", "submitting_unit")
    )


@transaction.atomic
def session_create(
    *,
    actor,
    council: AwardsCouncil,
    title: str,
    meeting_date: datetime.date,
    voting_deadline: datetime.datetime,
    nominations: list[Nomination] | None = None,
) -> CouncilSession:
    """Open a session with an agenda of nominations waiting at the council's vote stage.

    Without `nominations`, every waiting nomination goes on the agenda. Attendance rows are
    written for the council's roster on the meeting date, all absent until recorded.
    Side effects: creates the session, its agenda and attendance; writes an audit event.
    """
    _require(actor, council, "run_council_session", "chair_council")
    if not title.strip():
        raise ValidationError({"title": _("Nhập tên phiên họp.")})
    if timezone.localtime(voting_deadline).date() < meeting_date:
        raise ValidationError({"voting_deadline": _("Hạn bỏ phiếu không được trước ngày họp.")})
    waiting = waiting_nominations(council)
    if nominations is not None:
        chosen = list(waiting.filter(pk__in=[n.pk for n in nominations]))
        if len(chosen) != len(nominations):
            raise ValidationError(
                _("Có đề nghị không ở bước bỏ phiếu của hội đồng này hoặc đã có trong phiên khác.")
            )
    else:
        chosen = list(waiting)
    if not chosen:
        raise ValidationError(_("Không có đề nghị nào đang chờ hội đồng biểu quyết."))
    roster = list(council.roster_on(meeting_date))
    if not roster:
        raise ValidationError(_("Hội đồng không có thành viên nào vào ngày họp."))
    session = CouncilSession.objects.create(
        council=council,
        title=title.strip(),
        meeting_date=meeting_date,
        voting_deadline=voting_deadline,
        roster_size=len(roster),
        quorum_required=council.quorum_for(len(roster)),
        created_by=actor,
    )
    items = []
    for nomination in chosen:
        percent, rule = vote_threshold(nomination)
        items.append(
            AgendaItem(
                session=session,
                nomination=nomination,
                threshold_percent=percent,
                threshold_rule=rule,
                required_agree=agree_votes_needed(len(roster), percent, rule),
            )
        )
    AgendaItem.objects.bulk_create(items)
    Attendance.objects.bulk_create(Attendance(session=session, membership=m) for m in roster)
    audit_record(actor=actor, verb="session.create", obj=session, data={"agenda": len(items)})
    return session


@transaction.atomic
def attendance_record(
    *, actor, session: CouncilSession, present: list[int], written: list[int]
) -> CouncilSession:
    """Record who is present and who, absent, votes in writing (membership ids).

    Side effects: updates the session's attendance rows; writes an audit event.
    """
    session = _locked(session)
    _require(actor, session.council, "run_council_session", "chair_council")
    if session.status != SessionStatus.PREPARING:
        raise ValidationError(_("Chỉ điểm danh được trước khi mở bỏ phiếu."))
    if set(present) & set(written):
        raise ValidationError(_("Một thành viên không thể vừa có mặt vừa bỏ phiếu bằng văn bản."))
    if written and not session.council.allows_written_votes:
        raise ValidationError(_("Quy chế của hội đồng không cho phép bỏ phiếu bằng văn bản."))
    rows = session.attendances
    known = set(rows.values_list("membership_id", flat=True))
    if not set(present) | set(written) <= known:
        raise ValidationError(_("Có người không thuộc thành phần hội đồng vào ngày họp."))
    rows.update(status=AttendanceStatus.ABSENT)
    rows.filter(membership_id__in=present).update(status=AttendanceStatus.PRESENT)
    rows.filter(membership_id__in=written).update(status=AttendanceStatus.WRITTEN)
    audit_record(
        actor=actor,
        verb="session.attendance",
        obj=session,
        data={"present": len(present), "written": len(written)},
    )
    return session


def quorum_state(session: CouncilSession) -> tuple[int, int, bool]:
    """Members present, members needed, and whether the quorum is met (one query)."""
    present = session.attendances.filter(status=AttendanceStatus.PRESENT).count()
    return present, session.quorum_required, present >= session.quorum_required


@transaction.atomic
def voting_open(*, actor, session: CouncilSession) -> CouncilSession:
    """The chair opens the vote, only with a quorum of the whole roster present.

    Side effects: moves the session to voting; writes an audit event.
    """
    session = _locked(session)
    _require(actor, session.council, "chair_council")
    if session.status != SessionStatus.PREPARING:
        raise ValidationError(_("Phiên họp không ở trạng thái chuẩn bị."))
    present, needed, met = quorum_state(session)
    if not met:
        raise ValidationError(
            _(
                "Chưa đủ túc số: có mặt %(present)s/%(roster)s thành viên, cần ít nhất "
                "%(needed)s. Chưa thể mở bỏ phiếu."
            )
            % {"present": present, "roster": session.roster_size, "needed": needed}
        )
    session.status = SessionStatus.VOTING
    session.opened_at = timezone.now()
    session.save(update_fields=["status", "opened_at"])
    audit_record(actor=actor, verb="session.open", obj=session, data={"present": present})
    return session


def membership_of(user, session: CouncilSession) -> CouncilMembership | None:
    """The user's seat on the session's roster, if they hold one (one query)."""
    return (
        CouncilMembership.objects.filter(
            pk__in=session.attendances.values("membership_id"), person__user=user
        )
        .select_related("person__unit")
        .first()
    )


def recused_item_ids(session: CouncilSession, membership: CouncilMembership) -> set[int]:
    """Agenda items of the current round this member does not vote on (chain of command)."""
    council = session.council
    member_unit = membership.person.unit
    if not council.recuse_chain_of_command or member_unit.pk == council.unit_id:
        return set()
    return set(
        session.items.filter(
            round=session.round, nomination__submitting_unit__path__startswith=member_unit.path
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def ballot_cast(
    *,
    actor,
    session: CouncilSession,
    choices: dict[int, str],
    opinions: dict[int, str] | None = None,
) -> str:
    """Cast the actor's own ballot on the whole agenda of the current round; returns a receipt.

    Every item the member is not recused from needs agree or disagree. A ballot cannot be
    changed once cast. Side effects: writes the member's "has voted" mark, the anonymous
    ballot (its receipt's hash only) and one anonymous choice per item, in one transaction
    and in random order; writes an audit event naming the session, never the choices.
    """
    session = _locked(session)
    membership = membership_of(actor, session)
    if membership is None:
        raise PermissionDenied(_("Bạn không phải thành viên hội đồng trong phiên họp này."))
    if session.status != SessionStatus.VOTING:
        raise ValidationError(_("Phiên họp không đang bỏ phiếu."))
    if timezone.now() > session.voting_deadline:
        raise ValidationError(_("Đã hết hạn bỏ phiếu."))
    attendance = session.attendances.get(membership=membership)
    if attendance.status == AttendanceStatus.ABSENT:
        raise PermissionDenied(
            _("Đồng chí vắng mặt và không đăng ký bỏ phiếu bằng văn bản nên không bỏ phiếu.")
        )
    if VoteMark.objects.filter(
        session=session, round=session.round, membership=membership
    ).exists():
        raise ValidationError(_("Đồng chí đã bỏ phiếu ở vòng này; phiếu đã nộp không sửa được."))
    items = set(session.items.filter(round=session.round).values_list("pk", flat=True))
    recused = recused_item_ids(session, membership)
    expected = items - recused
    given = {int(k): v for k, v in choices.items()}
    if set(given) & recused:
        raise ValidationError(_("Đồng chí không biểu quyết đề nghị của đơn vị mình."))
    if set(given) != expected or any(v not in Choice.values for v in given.values()):
        raise ValidationError(
            _("Phiếu phải có ý kiến tán thành hoặc không tán thành cho từng đề nghị (%(n)s).")
            % {"n": len(expected)}
        )
    try:
        with transaction.atomic():
            VoteMark.objects.create(session=session, round=session.round, membership=membership)
    except IntegrityError as error:
        raise ValidationError(_("Đồng chí đã bỏ phiếu ở vòng này.")) from error
    receipt = secrets.token_hex(8).upper()
    Ballot.objects.create(session=session, round=session.round, receipt_hash=_hash(receipt))
    opinions = {int(k): v.strip() for k, v in (opinions or {}).items() if v and v.strip()}
    rows = [
        BallotChoice(item_id=item_id, choice=choice, opinion=opinions.get(item_id, ""))
        for item_id, choice in given.items()
    ]
    random.shuffle(rows)
    BallotChoice.objects.bulk_create(rows)
    audit_record(actor=actor, verb="ballot.cast", obj=session, data={"round": session.round})
    return "-".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def _hash(receipt: str) -> str:
    return hashlib.sha256(receipt.replace("-", "").upper().encode()).hexdigest()


def receipt_counted(session: CouncilSession, receipt: str) -> bool:
    """Whether the ballot with this receipt is among the session's counted ballots."""
    return Ballot.objects.filter(session=session, receipt_hash=_hash(receipt.strip())).exists()


def _shuffle_anonymous_rows(session: CouncilSession, round_: int) -> None:
    """Rewrite the round's ballots and choices in random order, in one statement each.

    The rows were inserted member by member; rewriting them together leaves neither their
    physical order nor their transaction ids telling which were written together.
    """
    rewrite_in_random_order(Ballot.objects.filter(session=session, round=round_))
    rewrite_in_random_order(BallotChoice.objects.filter(item__in=_round_items(session, round_)))


def _round_items(session: CouncilSession, round_: int):
    return AgendaItem.objects.filter(session=session, round=round_)


# PostgreSQL: every item's counts and result in one statement over one join of the round's
# items and choices (EXPLAIN ANALYZE, 1,000 items x 25: 73 ms, against 109 ms for a correlated
# count per item and column, the portable form _tally uses elsewhere). UPDATE ... FROM needs
# SQLite 3.33, newer than Django 5.2 requires.
_TALLY_SQL = """
UPDATE {item} SET agree = tally.agree, disagree = tally.disagree,
    passed = tally.agree >= {item}.required_agree
FROM (
    SELECT i.id,
        COUNT(c.id) FILTER (WHERE c.choice = %s) AS agree,
        COUNT(c.id) FILTER (WHERE c.choice = %s) AS disagree
    FROM {item} i LEFT JOIN {choice} c ON c.item_id = i.id
    WHERE i.session_id = %s AND i.round = %s
    GROUP BY i.id
) AS tally
WHERE {item}.id = tally.id
"""


def _tally(session: CouncilSession, round_: int) -> None:
    """Write each item's agree and disagree counts and whether it passed, in the database."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        sql = _TALLY_SQL.format(
            item=quote(AgendaItem._meta.db_table), choice=quote(BallotChoice._meta.db_table)
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [Choice.AGREE, Choice.DISAGREE, session.pk, round_])
        return
    items = _round_items(session, round_)

    def count(choice: str):
        rows = BallotChoice.objects.filter(item=OuterRef("pk"), choice=choice).order_by()
        return Coalesce(Subquery(rows.values("item").annotate(n=Count("pk")).values("n")), Value(0))

    items.update(agree=count(Choice.AGREE), disagree=count(Choice.DISAGREE))
    items.update(passed=Q(agree__gte=F("required_agree")))


def _recusals(session: CouncilSession, round_: int, voters: list[VoteMark]) -> None:
    """Write each item's count of voters recused from it (chain of command), one UPDATE per
    distinct count."""
    council = session.council
    if not council.recuse_chain_of_command:
        return
    paths = [
        mark.membership.person.unit.path
        for mark in voters
        if mark.membership.person.unit_id != council.unit_id
    ]
    if not paths:  # the items keep their 0
        return
    by_count: dict[int, list[int]] = {}
    items = _round_items(session, round_)
    for pk, path in items.values_list("pk", "nomination__submitting_unit__path"):
        n = sum(1 for unit_path in paths if path.startswith(unit_path))
        by_count.setdefault(n, []).append(pk)
    for n, ids in by_count.items():
        rows = items.filter(pk__in=ids)
        (rows.exclude(recused=0) if n == 0 else rows).update(recused=n)


@transaction.atomic
def voting_close(*, actor, session: CouncilSession) -> CouncilSession:
    """Close the current round and count it against the whole roster.

    The chair closes it, or the deadline task does (actor None). Side effects: fills each
    item's agree/disagree/recused counts and result; rewrites the anonymous rows in random
    order; writes an audit event. Set-based: no statement per item or per ballot.
    """
    session = _locked(session)
    if actor is not None:
        _require(actor, session.council, "chair_council")
    if session.status != SessionStatus.VOTING:
        raise ValidationError(_("Phiên họp không đang bỏ phiếu."))
    voters = list(
        VoteMark.objects.filter(session=session, round=session.round).select_related(
            "membership__person__unit"
        )
    )
    _tally(session, session.round)
    _recusals(session, session.round, voters)
    _shuffle_anonymous_rows(session, session.round)
    session.status = SessionStatus.CLOSED
    session.closed_at = timezone.now()
    session.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        verb="session.close",
        obj=session,
        data={"round": session.round, "ballots": len(voters)},
    )
    return session


@transaction.atomic
def session_conclude(
    *,
    actor,
    session: CouncilSession,
    conclusion: str = "",
    second_round: list[int] | None = None,
) -> CouncilSession:
    """The chair concludes on the result as voted, or sends short items to a second round.

    The chair confirms the count and may add a conclusion; no argument can change whether an
    item passed. Where the council allows it, items that fell short in the first round can
    go to one more round in the same session. Side effects: closes the session (or opens the
    second round); on commit, moves every concluded nomination in its workflow and writes
    the minutes into each dossier.
    """
    session = _locked(session)
    _require(actor, session.council, "chair_council")
    if session.status != SessionStatus.CLOSED:
        raise ValidationError(_("Chỉ kết luận được sau khi đã kết thúc bỏ phiếu."))
    second_round = [int(pk) for pk in second_round or []]
    if second_round:
        if not session.council.allows_second_round:
            raise ValidationError(_("Quy chế của hội đồng không cho phép bỏ phiếu vòng hai."))
        if session.round != 1:
            raise ValidationError(_("Chỉ có thêm một vòng bỏ phiếu."))
        short = session.items.filter(round=1, passed=False, pk__in=second_round)
        if short.count() != len(set(second_round)):
            raise ValidationError(_("Chỉ đưa ra vòng hai những đề nghị chưa đạt ở vòng một."))
        AgendaItem.objects.bulk_create(
            AgendaItem(
                session=session,
                nomination_id=item.nomination_id,
                round=2,
                threshold_percent=item.threshold_percent,
                threshold_rule=item.threshold_rule,
                required_agree=item.required_agree,
            )
            for item in short
        )
        session.round = 2
        session.status = SessionStatus.VOTING
        session.conclusion = conclusion.strip()
        session.save(update_fields=["round", "status", "conclusion"])
        audit_record(
            actor=actor, verb="session.second_round", obj=session, data={"items": len(second_round)}
        )
        return session
    session.status = SessionStatus.CONCLUDED
    session.concluded_at = timezone.now()
    session.concluded_by = actor
    if conclusion.strip():
        session.conclusion = "\n\n".join(p for p in (session.conclusion, conclusion.strip()) if p)
    session.save(update_fields=["status", "concluded_at", "concluded_by", "conclusion"])
    audit_record(actor=actor, verb="session.conclude", obj=session)

    from approvals.tasks import minutes_generate, session_results_apply

    session_id = session.pk
    # robust: a broker outage must not fail the chair's committed conclusion; the periodic
    # sessions sweep (approvals.tasks.concluded_sessions_sweep) finishes the work then
    transaction.on_commit(lambda: session_results_apply.delay(session_id=session_id), robust=True)
    transaction.on_commit(lambda: minutes_generate.delay(session_id=session_id), robust=True)
    return session


def final_items(session: CouncilSession):
    """Each nomination's item in the last round it was voted in."""
    carried = session.items.filter(round=2).values("nomination_id")
    return session.items.filter(Q(round=2) | (Q(round=1) & ~Q(nomination_id__in=carried)))


RESULTS_CHUNK = 200  # nominations moved per transaction when a session's results are applied


def session_results_apply(*, session: CouncilSession) -> int:
    """Move every concluded nomination on: passed to the next stage, failed out with the tally.

    RESULTS_CHUNK nominations per transaction, each chunk all or none; safe to run again
    (applied items are skipped, a chunk another run holds is waited for then skipped).
    Returns how many were moved now.
    """
    from approvals.services.nominations import VoteResult, stage_record_vote_results

    if session.status != SessionStatus.CONCLUDED:
        return 0
    note = _("Phiên họp “%(title)s” ngày %(date)s.") % {
        "title": session.title,
        "date": session.meeting_date.strftime("%d/%m/%Y"),
    }
    moved = 0
    pending = list(
        final_items(session)
        .filter(applied_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(pending), RESULTS_CHUNK):
        with transaction.atomic():
            items = list(
                AgendaItem.objects.select_for_update(of=("self",))
                .select_related("nomination__current_stage")
                .filter(pk__in=pending[start : start + RESULTS_CHUNK], applied_at__isnull=True)
                .order_by("pk")
            )
            results = [
                (
                    item.nomination,
                    VoteResult(
                        passed=bool(item.passed),
                        agree=item.agree or 0,
                        members=session.roster_size,
                        required=item.required_agree,
                        session_id=session.pk,
                        note=note,
                    ),
                )
                for item in items
                if item.nomination.is_active
                and item.nomination.current_stage.kind == StageKind.COUNCIL_VOTE
            ]
            if results:
                stage_record_vote_results(actor=session.concluded_by, results=results)
            moved += len(results)
            AgendaItem.objects.filter(pk__in=[item.pk for item in items]).update(
                applied_at=timezone.now()
            )
    return moved
