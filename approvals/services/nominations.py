"""Writing nominations: create, edit, act on a stage (approve, return, reject), withdraw, claim.

Every function here runs in one transaction, locks the nomination row, checks the actor
against approvals.permissions, moves the viewflow process through workflows.engine, records
one timeline event and one audit event, and leaves notifications to be sent on commit.
A refused action raises PermissionDenied or ValidationError and changes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, OuterRef, Subquery, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    LIVE_STATUSES,
    Award,
    AwardRecord,
    Campaign,
    DecisionEntry,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
    Person,
    SubmissionLetter,
    Unit,
)
from approvals.models.catalogue import AwardSubject
from approvals.models.people import fold_vietnamese
from approvals.permissions import may_act, may_prepare, may_record_vote, may_withdraw
from approvals.selectors.calendar import add_working_days
from approvals.selectors.dossier_checklist import missing_to_leave_many
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record, audit_record_many
from approvals.services.eligibility import check_nominations, refusal
from approvals.services.notifications import notify_moves
from workflows.actors import resolve_acting
from workflows.engine import (
    Step,
    process_advance,
    process_start,
    processes_advance,
    task_claim,
    task_release,
)
from workflows.models import Stage, StageKind, StageLevel
from workflows.routes import route_for

VOTE_KINDS = (StageKind.COUNCIL_VOTE, StageKind.BLOC_VOTE)


class Action:
    APPROVE = "approve"
    RETURN = "return"
    REJECT = "reject"


class ReturnTo:
    PREVIOUS = "previous"
    UNIT = "unit"


@dataclass(frozen=True)
class VoteResult:
    """What a council or bloc vote delivers to its stage (the voting work builds this)."""

    passed: bool
    agree: int
    members: int
    required: int
    note: str = ""
    # a council's result comes only from one of its concluded sessions (secret ballot)
    session_id: int | None = None

    def summary(self) -> str:
        return _("Tán thành %(agree)s/%(members)s thành viên (cần %(required)s): %(outcome)s.") % {
            "agree": self.agree,
            "members": self.members,
            "required": self.required,
            "outcome": _("đạt") if self.passed else _("không đạt"),
        }


def _stage_label(stage: Stage | None) -> str:
    if stage is None:
        return ""
    return str(stage)


class _Moving:
    """What the moves of one transaction share: the routes' stages, who acts at a stage for
    a unit and year, and working-day arithmetic; each read once however many nominations move.
    """

    def __init__(self, nominations: list[Nomination], checked=()) -> None:
        self.nominations = nominations
        self.checked = checked  # the nominations whose eligibility the moves check
        self._missing: dict | None = None
        self._verdicts: dict | None = None
        versions = {n.route_version_id for n in nominations}
        self.stages: dict[int, dict[int, Stage]] = {version: {} for version in versions}
        for stage in Stage.objects.filter(version_id__in=versions).order_by("position"):
            self.stages[stage.version_id][stage.position] = stage
        self._acting: dict[tuple, object] = {}
        self._days: dict[tuple, object] = {}
        self.now = timezone.now()  # one time for the batch: its rows are saved together
        self.records: list[AwardRecord] = []  # registry entries of awards, inserted together

    def acting(self, stage: Stage, nomination: Nomination):
        year = nomination.campaign.year
        key = (stage.pk, nomination.submitting_unit_id, year)
        if key not in self._acting:
            self._acting[key] = resolve_acting(
                stage=stage, submitting_unit=nomination.submitting_unit, year=year
            )
        return self._acting[key]

    def missing_documents(self, nomination: Nomination) -> list:
        """What the nomination's dossier lacks to leave its stage; read for the whole batch
        the first time one is asked."""
        if self._missing is None:
            stages = {
                version: list(by_position.values()) for version, by_position in self.stages.items()
            }
            self._missing = missing_to_leave_many(self.nominations, stages)
        return self._missing[nomination.pk]

    def verdict(self, nomination: Nomination):
        """The nomination's eligibility verdict; all of `checked` are checked together the
        first time one is asked (each counting those before it, as if submitted one by one)."""
        if self._verdicts is None:
            verdicts = check_nominations(self.checked)
            self._verdicts = {v.candidate.nomination.pk: v for v in verdicts}
        return self._verdicts[nomination.pk]

    def add_working_days(self, start, days: int):
        if (start, days) not in self._days:
            self._days[start, days] = add_working_days(start, days)
        return self._days[start, days]


def _enter(nomination: Nomination, stage: Stage, moving: _Moving) -> None:
    acting = moving.acting(stage, nomination)
    today = timezone.localdate()
    nomination.stage_position = stage.position
    nomination.current_stage = stage
    nomination.reached_past_unit |= stage.level != StageLevel.SUBMITTING_UNIT
    nomination.reached_council |= stage.kind == StageKind.COUNCIL_VOTE
    nomination.acting_permission = acting.permission
    nomination.acting_unit = acting.unit
    nomination.acting_bloc_id = acting.bloc_id
    nomination.acting_council = acting.council
    nomination.claimed_by = None
    nomination.stage_entered_at = moving.now
    nomination.posted_until = None
    start = today
    if stage.kind == StageKind.PUBLIC_POSTING:
        days = (stage.settings or {}).get("posting_working_days", 10)
        nomination.posted_until = moving.add_working_days(today, days)
        start = nomination.posted_until
    nomination.due_date = moving.add_working_days(start, stage.time_limit_working_days)


def _finish(nomination: Nomination, status: str, now=None) -> None:
    nomination.status = status
    nomination.acting_permission = ""
    nomination.acting_unit = None
    nomination.acting_bloc_id = None
    nomination.acting_council = None
    nomination.claimed_by = None
    nomination.due_date = None
    nomination.posted_until = None
    nomination.resume_position = None
    nomination.finished_at = now or timezone.now()


def _new_event(
    nomination: Nomination,
    *,
    actor,
    action: str,
    before: Stage | None,
    comment: str,
    data: dict,
    waiting_before: str,
) -> NominationEvent:
    """The timeline event (unsaved) of a change that left the nomination where it is now;
    `waiting_before`: the waiting kind the event before it recorded."""
    after = nomination.current_stage if nomination.is_active else None
    waiting = after is not None and nomination.status in (
        NominationStatus.IN_PROGRESS,
        NominationStatus.RETURNED,
    )
    return NominationEvent(
        nomination=nomination,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_position=before.position if before else None,
        from_stage=_stage_label(before),
        to_position=after.position if after else None,
        to_stage=_stage_label(after),
        status_after=nomination.status,
        waiting_kind=after.kind if waiting else "",
        waiting_kind_before=waiting_before if before else "",
        comment=comment,
        data=data,
    )


def _audit_entry(event: NominationEvent) -> tuple:
    """The audit trail's (verb, object, data) for a timeline event."""
    return (
        f"nomination.{event.action}",
        event.nomination,
        {
            "from": event.from_position,
            "to": event.to_position,
            "status": event.status_after,
            **event.data,
        },
    )


def event_record(
    nomination: Nomination,
    *,
    actor,
    action: str,
    before: Stage | None,
    comment: str = "",
    data: dict | None = None,
) -> NominationEvent:
    """Record one change on the timeline and in the audit trail (the caller's transaction)."""
    previous = nomination.events.order_by("-created_at", "-pk").values_list("waiting_kind")
    event = _new_event(
        nomination,
        actor=actor,
        action=action,
        before=before,
        comment=comment,
        data=data or {},
        waiting_before=next((kind for (kind,) in previous[:1]), "") if before else "",
    )
    event.save()
    audit_record_many(actor=actor, entries=[_audit_entry(event)])
    return event


def _locked_rows():
    """Nominations locked with what moving them reads: the process's open task, the author
    (told of the outcome) and the last event's waiting kind (the next event's "before")."""
    last_waiting = NominationEvent.objects.filter(nomination=OuterRef("pk")).order_by(
        "-created_at", "-pk"
    )
    return (
        Nomination.objects.select_for_update(of=("self",))
        .select_related(
            "submitting_unit",
            "campaign",
            "current_stage",
            "acting_unit",
            "current_task__process",
            "created_by",
            "award",
            "person",
            "nominee_unit",
        )
        .annotate(last_waiting_kind=Subquery(last_waiting.values("waiting_kind")[:1]))
    )


def _locked(nomination: Nomination) -> Nomination:
    return _locked_rows().get(pk=nomination.pk)


def nominations_locked(ids) -> list[Nomination]:
    """The nominations with these ids, locked in primary-key order (no deadlock between two
    callers locking overlapping sets); the caller's transaction holds the locks."""
    return list(_locked_rows().filter(pk__in=ids).order_by("pk"))


def _check_nominee(
    *, award: Award, unit: Unit, person: Person | None, nominee_unit: Unit | None
) -> None:
    if (person is None) == (nominee_unit is None):
        raise ValidationError(_("Chọn một cá nhân hoặc một tập thể được đề nghị."))
    if person is not None and award.subject == AwardSubject.COLLECTIVE:
        raise ValidationError(
            {"person": _("“%(award)s” chỉ xét cho tập thể.") % {"award": award.name}}
        )
    if nominee_unit is not None and award.subject == AwardSubject.INDIVIDUAL:
        raise ValidationError(
            {"nominee_unit": _("“%(award)s” chỉ xét cho cá nhân.") % {"award": award.name}}
        )
    if person is not None and not person.unit.is_within(unit):
        raise ValidationError({"person": _("Người này không thuộc đơn vị đề nghị.")})
    if nominee_unit is not None and not nominee_unit.is_within(unit):
        raise ValidationError({"nominee_unit": _("Tập thể này không thuộc đơn vị đề nghị.")})


@transaction.atomic
def nomination_create(
    *,
    actor,
    submitting_unit: Unit,
    award: Award,
    campaign: Campaign,
    achievements: str,
    person: Person | None = None,
    nominee_unit: Unit | None = None,
    letter: SubmissionLetter | None = None,
) -> Nomination:
    """Start a nomination as a draft at the first stage of the award's route.

    Side effects: pins the route version in force; starts the viewflow process; records the
    "created" event and an audit event.
    """
    if not may_prepare(scope_for(actor), submitting_unit):
        raise PermissionDenied(_("Bạn không lập đề nghị cho đơn vị này."))
    if not campaign.is_open:
        raise ValidationError({"campaign": _("Đợt thi đua này đã dừng nhận đề nghị.")})
    _check_nominee(award=award, unit=submitting_unit, person=person, nominee_unit=nominee_unit)
    if not achievements.strip():
        raise ValidationError({"achievements": _("Nhập tóm tắt thành tích.")})
    if letter is not None and (letter.unit_id, letter.campaign_id) != (
        submitting_unit.pk,
        campaign.pk,
    ):
        raise ValidationError({"letter": _("Tờ trình phải của cùng đơn vị và đợt thi đua.")})
    nominee = {"award": award, "campaign": campaign, "person": person, "nominee_unit": nominee_unit}
    if _live_duplicate(**nominee):
        raise _duplicate_error(award)
    version = route_for(award=award, campaign=campaign)
    if version is None:
        raise ValidationError(
            _("Chưa có quy trình xét duyệt đang áp dụng cho “%(award)s”.") % {"award": award.name}
        )
    try:
        # a savepoint: a twin request that got in first leaves no process, task or event
        # behind, even when the caller's transaction carries on
        with transaction.atomic():
            process, task = process_start()
            nomination = Nomination(
                **nominee,
                submitting_unit=submitting_unit,
                nominee_name=person.full_name if person else nominee_unit.name,
                achievements=achievements.strip(),
                letter=letter,
                route_version=version,
                process=process,
                current_task=task,
                created_by=actor,
            )
            moving = _Moving([nomination])
            _enter(nomination, moving.stages[version.pk][1], moving)
            nomination.save()
            event_record(nomination, actor=actor, action=EventAction.CREATED, before=None)
    except IntegrityError:
        # the live-nominee constraints: the check above passed while a twin was uncommitted
        if _live_duplicate(**nominee):
            raise _duplicate_error(award) from None
        raise
    return nomination


def _live_duplicate(*, award: Award, campaign: Campaign, person, nominee_unit) -> bool:
    return Nomination.objects.filter(
        award=award,
        campaign=campaign,
        person=person,
        nominee_unit=nominee_unit,
        status__in=LIVE_STATUSES,
    ).exists()


def _duplicate_error(award: Award) -> ValidationError:
    return ValidationError(
        _("Đã có đề nghị “%(award)s” cho đối tượng này trong đợt thi đua.") % {"award": award.name}
    )


@transaction.atomic
def nomination_update(
    *, actor, nomination: Nomination, achievements: str, letter: SubmissionLetter | None
) -> Nomination:
    """Edit a nomination while it is being prepared at its unit.

    Side effects: saves the summary and the letter; writes an audit event.
    """
    nomination = _locked(nomination)
    if not (nomination.stage_position == 1 and may_act(scope_for(actor), nomination)):
        raise PermissionDenied(_("Chỉ sửa được đề nghị đang lập hoặc bị trả lại ở đơn vị."))
    if not achievements.strip():
        raise ValidationError({"achievements": _("Nhập tóm tắt thành tích.")})
    if letter is not None and (letter.unit_id, letter.campaign_id) != (
        nomination.submitting_unit_id,
        nomination.campaign_id,
    ):
        raise ValidationError({"letter": _("Tờ trình phải của cùng đơn vị và đợt thi đua.")})
    nomination.achievements = achievements.strip()
    nomination.letter = letter
    nomination.save(update_fields=["achievements", "letter"])
    audit_record(actor=actor, verb="nomination.update", obj=nomination)
    return nomination


def _check_posting_over(nomination: Nomination) -> None:
    """A posted nominee moves on only after the period and once every objection is answered."""
    if nomination.posted_until and timezone.localdate() <= nomination.posted_until:
        raise ValidationError(
            _("Chưa hết thời gian công khai (đến hết ngày %(date)s).")
            % {"date": nomination.posted_until.strftime("%d/%m/%Y")}
        )
    open_objections = nomination.objections.filter(answered_at__isnull=True).count()
    if open_objections:
        raise ValidationError(
            _("Còn %(n)s ý kiến phản ánh chưa được trả lời.") % {"n": open_objections}
        )


def _check_dossier(nomination: Nomination, moving: "_Moving") -> None:
    """Refuse to approve past a stage while the dossier lacks a document required by then.

    Only an actor's approval is checked: a vote's result and a decision's entry move the
    nomination whatever its dossier holds (the vote or the decision has been taken).
    """
    missing = moving.missing_documents(nomination)
    if missing:
        raise ValidationError(
            _("Hồ sơ còn thiếu: %(documents)s. Tải lên trước khi chuyển bước.")
            % {"documents": "; ".join(document.name for document in missing)}
        )


def award_record_create(*, nomination: Nomination | None, entry: DecisionEntry) -> AwardRecord:
    """Enter a decision's entry in the award registry (the caller's transaction)."""
    record = award_record_build(nomination=nomination, entry=entry)
    record.save()
    return record


def award_record_build(*, nomination: Nomination | None, entry: DecisionEntry) -> AwardRecord:
    """The registry record of a decision's entry, not yet saved (bulk_create ready)."""
    decision = entry.decision
    holder_unit_id = entry.person.unit_id if entry.person_id else entry.unit_id
    return AwardRecord(
        person=entry.person,
        unit=entry.unit,
        award=entry.award,
        year=nomination.campaign.year if nomination else decision.year,
        nomination=nomination,
        decision=decision,
        entry=entry,
        decision_number=decision.number,
        decision_date=decision.signed_on,
        authority=decision.issuer_title,
        holder_unit_id=holder_unit_id,
        holder_name=entry.nominee_name,
        search_name=fold_vietnamese(entry.nominee_name),
    )


def _require_reason(comment: str) -> str:
    if not comment.strip():
        raise ValidationError({"comment": _("Phải nêu lý do.")})
    return comment.strip()


@dataclass
class Move:
    """What to do to one nomination in a batch of moves (`moves_apply`)."""

    nomination: Nomination  # locked (_locked_rows, nominations_locked)
    action: str
    comment: str = ""
    return_to: str = ReturnTo.PREVIOUS
    vote: VoteResult | None = None
    entry: DecisionEntry | None = None


@dataclass
class _Moved:
    nomination: Nomination
    before: Stage
    event_action: str
    comment: str
    data: dict
    step: Step


# what a move changes on the nomination row
MOVED_FIELDS = [
    "status",
    "stage_position",
    "current_stage",
    "current_task",
    "reached_past_unit",
    "reached_council",
    "acting_permission",
    "acting_unit",
    "acting_bloc",
    "acting_council",
    "claimed_by",
    "stage_entered_at",
    "posted_until",
    "due_date",
    "resume_position",
    "finished_at",
    "submitted_at",
]


def _moved_save(nominations: list[Nomination]) -> None:
    """Save what the moves changed: one UPDATE per group of nominations left in the same state
    (a letter moving together is one group), each row given its own open task."""
    if len(nominations) == 1:
        nominations[0].save(update_fields=MOVED_FIELDS)
        return
    shared = [name for name in MOVED_FIELDS if name != "current_task"]
    attnames = [Nomination._meta.get_field(name).attname for name in shared]
    groups: dict[tuple, list[Nomination]] = {}
    for nomination in nominations:
        key = tuple(getattr(nomination, attname) for attname in attnames)
        groups.setdefault(key, []).append(nomination)
    for key, group in groups.items():
        task_ids = {n.current_task_id for n in group}
        current_task_id = (
            task_ids.pop()
            if len(task_ids) == 1
            else Case(
                *(When(pk=n.pk, then=Value(n.current_task_id)) for n in group),
                output_field=BigIntegerField(),
            )
        )
        Nomination.objects.filter(pk__in=[n.pk for n in group]).update(
            **dict(zip(attnames, key, strict=True)), current_task_id=current_task_id
        )


def _approve(move: Move, moving: _Moving, data: dict) -> tuple[str, dict, Step]:
    """Check an approval and set the state it leads to: (event action, event data, step)."""
    nomination, vote, entry = move.nomination, move.vote, move.entry
    before = nomination.current_stage
    if before.kind in VOTE_KINDS and vote is None:
        raise ValidationError(
            _("Bước bỏ phiếu chỉ chuyển tiếp theo kết quả biểu quyết của hội đồng hoặc khối.")
        )
    if before.kind == StageKind.PUBLIC_POSTING:
        _check_posting_over(nomination)
    if before.kind == StageKind.DECISION and entry is None:
        raise ValidationError(
            _(
                "Khen thưởng được quyết định bằng văn bản: chọn các đề nghị và "
                "“Ban hành quyết định”."
            )
        )
    if vote is None and entry is None:
        _check_dossier(nomination, moving)
    if before.position == 1 or before.kind == StageKind.APPRAISAL:
        # at submission, and again at the secretariat's appraisal: the facts may have changed
        verdict = moving.verdict(nomination)
        if not verdict.eligible:
            raise refusal(verdict)
    if entry is not None:
        data = {"decision": entry.decision.number, "decision_id": entry.decision_id}
    first_submission = nomination.status == NominationStatus.DRAFT
    stages = moving.stages[nomination.route_version_id]
    # on to the next stage, or back to the stage that returned it; awarded after the last
    # (only a decision's entry ends the last stage, the decision stage: services.decisions)
    target = before.position + 1
    if nomination.resume_position and nomination.resume_position > before.position:
        target = nomination.resume_position
    step = Step(task=nomination.current_task, finished=target > max(stages), outcome=move.action)
    if step.finished:
        _finish(nomination, NominationStatus.AWARDED, moving.now)
        moving.records.append(award_record_build(nomination=nomination, entry=entry))
        return EventAction.AWARDED, data, step
    _enter(nomination, stages[target], moving)
    if target >= (nomination.resume_position or 0):
        nomination.resume_position = None
    nomination.status = NominationStatus.IN_PROGRESS
    if vote is not None:
        return EventAction.VOTED, data, step
    if before.position == 1:
        if first_submission:
            nomination.submitted_at = moving.now
        return EventAction.SUBMITTED, data, step
    return EventAction.APPROVED, data, step


def _move(move: Move, moving: _Moving) -> _Moved:
    """Check one move and set the nomination's new state (not saved yet)."""
    nomination, vote = move.nomination, move.vote
    before = nomination.current_stage
    comment = move.comment
    data = {}
    if vote is not None:
        data = {"agree": vote.agree, "members": vote.members, "required": vote.required}
    if move.action == Action.APPROVE:
        event_action, data, step = _approve(move, moving, data)
    elif move.action == Action.RETURN:
        comment = _require_reason(comment)
        if before.position == 1:
            raise ValidationError(_("Đề nghị đang ở đơn vị đề nghị, không trả lại được nữa."))
        target = 1 if move.return_to == ReturnTo.UNIT else before.position - 1
        step = Step(task=nomination.current_task, finished=False, outcome=move.action)
        nomination.resume_position = before.position
        _enter(nomination, moving.stages[nomination.route_version_id][target], moving)
        nomination.status = (
            NominationStatus.RETURNED if target == 1 else NominationStatus.IN_PROGRESS
        )
        event_action = EventAction.RETURNED
    elif move.action == Action.REJECT:
        if vote is None and before.position == 1:
            raise ValidationError(
                _("Đề nghị còn ở đơn vị đề nghị: đơn vị dùng “Rút đề nghị” nếu không gửi nữa.")
            )
        if vote is None and before.kind in VOTE_KINDS:
            raise ValidationError(
                _("Bước bỏ phiếu chỉ kết thúc theo kết quả biểu quyết của hội đồng hoặc khối.")
            )
        comment = comment.strip() if vote is not None else _require_reason(comment)
        step = Step(task=nomination.current_task, finished=True, outcome=move.action)
        _finish(nomination, NominationStatus.REJECTED, moving.now)
        event_action = EventAction.VOTED if vote is not None else EventAction.REJECTED
    else:
        raise ValidationError(_("Thao tác không hợp lệ."))
    return _Moved(nomination, before, event_action, comment, data, step)


def moves_apply(moves: list[Move], *, actor) -> list[Nomination]:
    """Carry out the moves in the caller's transaction, all or none: each checked (a refusal
    raises and nothing is written), then every process advanced, nomination saved, timeline
    event, audit event and notification written in one statement per kind of row.

    The caller has locked the nominations and checked that `actor` may act on each.
    """
    checked = [
        move.nomination
        for move in moves
        if move.action == Action.APPROVE
        and (
            move.nomination.stage_position == 1
            or move.nomination.current_stage.kind == StageKind.APPRAISAL
        )
    ]
    moving = _Moving([move.nomination for move in moves], checked)
    moved = [_move(move, moving) for move in moves]
    following = processes_advance([m.step for m in moved])
    for m in moved:
        m.nomination.current_task = following[m.step.task.pk]
    nominations = [m.nomination for m in moved]
    _moved_save(nominations)
    AwardRecord.objects.bulk_create(moving.records)
    events = NominationEvent.objects.bulk_create(
        [
            _new_event(
                m.nomination,
                actor=actor,
                action=m.event_action,
                before=m.before,
                comment=m.comment,
                data=m.data,
                waiting_before=getattr(m.nomination, "last_waiting_kind", None) or "",
            )
            for m in moved
        ]
    )
    audit_record_many(actor=actor, entries=[_audit_entry(event) for event in events])
    notify_moves(
        waiting=[n for n in nominations if n.is_active],
        outcomes=[
            (m.nomination, event)
            for m, event, move in zip(moved, events, moves, strict=True)
            if move.action != Action.APPROVE or not m.nomination.is_active
        ],
    )
    return nominations


@transaction.atomic
def stage_act(
    *,
    actor,
    nomination: Nomination,
    action: str,
    comment: str = "",
    return_to: str = ReturnTo.PREVIOUS,
) -> Nomination:
    """Approve, return or reject the nomination at its current stage.

    Approve moves on (back to the stage that returned it, after a return; awarded after the
    decision stage), refused while the dossier lacks a document required by the current or
    an earlier stage. Return goes to the previous stage or to the submitting unit and needs a
    reason. Reject ends it and needs a reason.
    Side effects: completes the stage's viewflow task and opens the next one; records a
    timeline event and an audit event; notifies whoever must act next (and the submitting
    unit of returns, rejections and awards) after commit.
    """
    seen = _where(nomination)
    nomination = _locked(nomination)
    if not may_act(scope_for(actor), nomination):
        if _where(nomination) != seen:  # someone else acted between the page and the click
            raise PermissionDenied(
                _(
                    "Đề nghị vừa được người khác xử lý và đã chuyển sang bước khác; thao tác "
                    "của đồng chí không được thực hiện."
                )
            )
        raise PermissionDenied(_("Bạn không có quyền xử lý đề nghị này ở bước hiện tại."))
    move = Move(nomination, action=action, comment=comment, return_to=return_to)
    return moves_apply([move], actor=actor)[0]


def _where(nomination: Nomination) -> tuple:
    """Where the nomination stands, as loaded: its stage task changes with every move."""
    return (nomination.status, nomination.stage_position, nomination.current_task_id)


def award_move(*, nomination: Nomination, entry: DecisionEntry) -> Move:
    """The move that ends a nomination at its decision stage as awarded by a decision's entry.

    Only services.decisions.decision_issue makes these, inside its transaction, after locking
    (nominations_locked) and checking every nomination of the decision, and applies them
    together with moves_apply: as stage_act, and enters each award in the registry.
    """
    decision = entry.decision
    comment = _("Quyết định số %(number)s ngày %(date)s của %(issuer)s.") % {
        "number": decision.number,
        "date": decision.signed_on.strftime("%d/%m/%Y"),
        "issuer": decision.issuer_title,
    }
    return Move(nomination, action=Action.APPROVE, comment=comment, entry=entry)


def stage_record_vote_result(*, actor, nomination: Nomination, result: VoteResult) -> Nomination:
    """Deliver a council or bloc vote's result to the nomination's vote stage.

    Passed: the nomination goes on. Not passed: it is not approved at this level, with the
    tally as the reason. The voting sessions call this; until then the stage's page does.
    Side effects: as stage_act.
    """
    return stage_record_vote_results(actor=actor, results=[(nomination, result)])[0]


@transaction.atomic
def stage_record_vote_results(*, actor, results: list[tuple[Nomination, VoteResult]]):
    """stage_record_vote_result for many nominations at once (a session's results), all or
    none, in a bounded number of statements."""
    locked = {n.pk: n for n in nominations_locked([nomination.pk for nomination, _ in results])}
    scope = scope_for(actor)
    from_session = _from_sessions(locked.values(), {result.session_id for _, result in results})
    moves = []
    for given, result in results:
        nomination = locked[given.pk]
        if not (nomination.current_stage.kind in VOTE_KINDS and may_record_vote(scope, nomination)):
            raise PermissionDenied(_("Bạn không ghi nhận kết quả biểu quyết cho đề nghị này."))
        if (
            nomination.current_stage.kind == StageKind.COUNCIL_VOTE
            and (nomination.pk, result.session_id) not in from_session
        ):
            raise ValidationError(
                _(
                    "Kết quả biểu quyết của hội đồng chỉ được ghi nhận từ phiên họp hội đồng "
                    "đã kết luận (bỏ phiếu kín)."
                )
            )
        if result.agree > result.members or result.required > result.members:
            raise ValidationError(_("Số phiếu tán thành không thể lớn hơn tổng số thành viên."))
        moves.append(vote_move(nomination, result))
    return moves_apply(moves, actor=actor)


def vote_move(nomination: Nomination, result: VoteResult) -> Move:
    """The move a vote's result makes: on if it passed, out with the tally if not."""
    comment = " ".join(part for part in (result.summary(), result.note.strip()) if part)
    return Move(
        nomination,
        action=Action.APPROVE if result.passed else Action.REJECT,
        comment=comment,
        vote=result,
    )


def _from_sessions(nominations, session_ids: set) -> set[tuple[int, int]]:
    """(nomination, session) pairs where the session is a concluded one of the council acting
    on the nomination, with the nomination's result not yet applied (one query)."""
    from approvals.models import AgendaItem, SessionStatus

    session_ids.discard(None)
    if not session_ids:
        return set()
    items = AgendaItem.objects.filter(
        session_id__in=session_ids,
        session__status=SessionStatus.CONCLUDED,
        nomination__in=[n.pk for n in nominations],
        applied_at__isnull=True,
    ).values_list("nomination_id", "session_id", "session__council_id")
    councils = {n.pk: n.acting_council_id for n in nominations}
    return {
        (nomination, session)
        for nomination, session, council in items
        if councils[nomination] == council
    }


@transaction.atomic
def nomination_withdraw(*, actor, nomination: Nomination, comment: str = "") -> Nomination:
    """The submitting unit withdraws the nomination before it is decided.

    Side effects: ends its viewflow process; records the event and an audit event.
    """
    nomination = _locked(nomination)
    if not may_withdraw(scope_for(actor), nomination):
        raise PermissionDenied(_("Chỉ đơn vị đề nghị rút được đề nghị chưa có quyết định."))
    before = nomination.current_stage
    nomination.current_task = process_advance(
        task=nomination.current_task, finished=True, outcome="withdraw"
    )
    _finish(nomination, NominationStatus.WITHDRAWN)
    nomination.save()
    event_record(
        nomination, actor=actor, action=EventAction.WITHDRAWN, before=before, comment=comment
    )
    return nomination


@transaction.atomic
def nomination_claim(*, actor, nomination: Nomination) -> Nomination:
    """Take a shared task so that colleagues holding the same role leave it alone.

    Side effects: sets the task's owner; records the event and an audit event.
    """
    nomination = _locked(nomination)
    if nomination.claimed_by_id is not None or not may_act(scope_for(actor), nomination):
        raise PermissionDenied(_("Không nhận xử lý được đề nghị này."))
    nomination.claimed_by = actor
    nomination.save(update_fields=["claimed_by"])
    task_claim(task=nomination.current_task, user=actor)
    event_record(
        nomination, actor=actor, action=EventAction.CLAIMED, before=nomination.current_stage
    )
    return nomination


@transaction.atomic
def nomination_release(*, actor, nomination: Nomination) -> Nomination:
    """Give a claimed task back to everyone holding the role.

    Side effects: clears the task's owner; records the event and an audit event.
    """
    nomination = _locked(nomination)
    if nomination.claimed_by_id != actor.pk:
        raise PermissionDenied(_("Chỉ người đã nhận mới trả lại được."))
    nomination.claimed_by = None
    nomination.save(update_fields=["claimed_by"])
    task_release(task=nomination.current_task)
    event_record(
        nomination, actor=actor, action=EventAction.RELEASED, before=nomination.current_stage
    )
    return nomination
