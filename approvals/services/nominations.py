"""Writing nominations: create, edit, act on a stage (approve, return, reject), withdraw, claim.

Every function here runs in one transaction, locks the nomination row, checks the actor
against approvals.permissions, moves the viewflow process through workflows.engine, records
one timeline event and one audit event, and leaves notifications to be sent on commit.
A refused action raises PermissionDenied or ValidationError and changes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
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
from approvals.permissions import may_act, may_prepare, may_record_vote, may_withdraw
from approvals.selectors.calendar import add_working_days
from approvals.selectors.dossier_checklist import missing_to_leave
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.eligibility import nomination_check_or_refuse
from approvals.services.notifications import notify_outcome, notify_stage_actors
from workflows.actors import resolve_acting
from workflows.engine import process_advance, process_start, task_claim, task_release
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


def _stages(nomination: Nomination) -> dict[int, Stage]:
    return {s.position: s for s in nomination.route_version.stages.order_by("position")}


def _stage_label(stage: Stage | None) -> str:
    if stage is None:
        return ""
    return f"{stage.position}. {stage.get_kind_display()} — {stage.get_level_display()}"


def _enter(nomination: Nomination, stage: Stage) -> None:
    acting = resolve_acting(
        stage=stage, submitting_unit=nomination.submitting_unit, year=nomination.campaign.year
    )
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
    nomination.stage_entered_at = timezone.now()
    nomination.posted_until = None
    start = today
    if stage.kind == StageKind.PUBLIC_POSTING:
        days = (stage.settings or {}).get("posting_working_days", 10)
        nomination.posted_until = add_working_days(today, days)
        start = nomination.posted_until
    nomination.due_date = add_working_days(start, stage.time_limit_working_days)


def _finish(nomination: Nomination, status: str) -> None:
    nomination.status = status
    nomination.acting_permission = ""
    nomination.acting_unit = None
    nomination.acting_bloc_id = None
    nomination.acting_council = None
    nomination.claimed_by = None
    nomination.due_date = None
    nomination.posted_until = None
    nomination.resume_position = None
    nomination.finished_at = timezone.now()


def event_record(
    nomination: Nomination,
    *,
    actor,
    action: str,
    before: Stage | None,
    comment: str = "",
    data: dict | None = None,
) -> NominationEvent:
    after = nomination.current_stage if nomination.is_active else None
    waiting = after is not None and nomination.status in (
        NominationStatus.IN_PROGRESS,
        NominationStatus.RETURNED,
    )
    previous = nomination.events.order_by("-created_at", "-pk").values("waiting_kind")[:1]
    event = NominationEvent.objects.create(
        nomination=nomination,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_position=before.position if before else None,
        from_stage=_stage_label(before),
        to_position=after.position if after else None,
        to_stage=_stage_label(after),
        status_after=nomination.status,
        waiting_kind=after.kind if waiting else "",
        waiting_kind_before=next((row["waiting_kind"] for row in previous), "") if before else "",
        comment=comment,
        data=data or {},
    )
    audit_record(
        actor=actor,
        verb=f"nomination.{action}",
        obj=nomination,
        data={
            "from": event.from_position,
            "to": event.to_position,
            "status": nomination.status,
            **(data or {}),
        },
    )
    return event


def _locked_rows():
    return Nomination.objects.select_for_update(of=("self",)).select_related(
        "submitting_unit", "campaign", "route_version", "current_stage", "acting_unit"
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
    stages = _stages(Nomination(route_version=version))
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
            _enter(nomination, stages[1])
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


def _advance(
    nomination: Nomination,
    *,
    actor,
    stages: dict[int, Stage],
    outcome: str,
    entry: DecisionEntry | None = None,
) -> Stage:
    """Move to the next stage (or back to the stage that returned it); AWARDED after the last.

    Only a decision's entry ends the last stage (the decision stage): see services.decisions.
    """
    position = nomination.stage_position
    target = position + 1
    if nomination.resume_position and nomination.resume_position > position:
        target = nomination.resume_position
    if target > max(stages):
        nomination.current_task = process_advance(
            task=nomination.current_task, finished=True, outcome=outcome
        )
        _finish(nomination, NominationStatus.AWARDED)
        award_record_create(nomination=nomination, entry=entry)
        return None
    _enter(nomination, stages[target])
    if target >= (nomination.resume_position or 0):
        nomination.resume_position = None
    nomination.status = NominationStatus.IN_PROGRESS
    nomination.current_task = process_advance(
        task=nomination.current_task, finished=False, outcome=outcome
    )
    return stages[target]


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


def _check_dossier(nomination: Nomination) -> None:
    """Refuse to approve past a stage while the dossier lacks a document required by then.

    Only an actor's approval is checked: a vote's result and a decision's entry move the
    nomination whatever its dossier holds (the vote or the decision has been taken).
    """
    missing = missing_to_leave(nomination)
    if missing:
        raise ValidationError(
            _("Hồ sơ còn thiếu: %(documents)s. Tải lên trước khi chuyển bước.")
            % {"documents": "; ".join(document.name for document in missing)}
        )


def award_record_create(*, nomination: Nomination | None, entry: DecisionEntry) -> AwardRecord:
    """Enter a decision's entry in the award registry (the caller's transaction)."""
    decision = entry.decision
    holder_unit_id = entry.person.unit_id if entry.person_id else entry.unit_id
    return AwardRecord.objects.create(
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
    )


def _require_reason(comment: str) -> str:
    if not comment.strip():
        raise ValidationError({"comment": _("Phải nêu lý do.")})
    return comment.strip()


def _apply(
    nomination: Nomination,
    *,
    actor,
    action: str,
    comment: str,
    return_to: str,
    vote: VoteResult | None = None,
    entry: DecisionEntry | None = None,
) -> Nomination:
    stages = _stages(nomination)
    before = nomination.current_stage
    data = {}
    if vote is not None:
        data = {"agree": vote.agree, "members": vote.members, "required": vote.required}
    if action == Action.APPROVE:
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
            _check_dossier(nomination)
        if before.position == 1 or before.kind == StageKind.APPRAISAL:
            # at submission, and again at the secretariat's appraisal: the facts may have changed
            nomination_check_or_refuse(nomination)
        if entry is not None:
            data = {"decision": entry.decision.number, "decision_id": entry.decision_id}
        first_submission = nomination.status == NominationStatus.DRAFT
        _advance(nomination, actor=actor, stages=stages, outcome=action, entry=entry)
        if nomination.status == NominationStatus.AWARDED:
            event_action = EventAction.AWARDED
        elif vote is not None:
            event_action = EventAction.VOTED
        elif before.position == 1:
            event_action = EventAction.SUBMITTED
            if first_submission:
                nomination.submitted_at = timezone.now()
        else:
            event_action = EventAction.APPROVED
    elif action == Action.RETURN:
        comment = _require_reason(comment)
        if before.position == 1:
            raise ValidationError(_("Đề nghị đang ở đơn vị đề nghị, không trả lại được nữa."))
        target = 1 if return_to == ReturnTo.UNIT else before.position - 1
        nomination.resume_position = before.position
        _enter(nomination, stages[target])
        nomination.status = (
            NominationStatus.RETURNED if target == 1 else NominationStatus.IN_PROGRESS
        )
        nomination.current_task = process_advance(
            task=nomination.current_task, finished=False, outcome=action
        )
        event_action = EventAction.RETURNED
    elif action == Action.REJECT:
        if vote is None and before.position == 1:
            raise ValidationError(
                _("Đề nghị còn ở đơn vị đề nghị: đơn vị dùng “Rút đề nghị” nếu không gửi nữa.")
            )
        if vote is None and before.kind in VOTE_KINDS:
            raise ValidationError(
                _("Bước bỏ phiếu chỉ kết thúc theo kết quả biểu quyết của hội đồng hoặc khối.")
            )
        comment = comment.strip() if vote is not None else _require_reason(comment)
        nomination.current_task = process_advance(
            task=nomination.current_task, finished=True, outcome=action
        )
        _finish(nomination, NominationStatus.REJECTED)
        event_action = EventAction.VOTED if vote is not None else EventAction.REJECTED
    else:
        raise ValidationError(_("Thao tác không hợp lệ."))
    nomination.save()
    event = event_record(
        nomination, actor=actor, action=event_action, before=before, comment=comment, data=data
    )
    if nomination.is_active:
        notify_stage_actors(nomination)
    if action != Action.APPROVE or not nomination.is_active:
        notify_outcome(nomination, event)
    return nomination


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
    return _apply(nomination, actor=actor, action=action, comment=comment, return_to=return_to)


def _where(nomination: Nomination) -> tuple:
    """Where the nomination stands, as loaded: its stage task changes with every move."""
    return (nomination.status, nomination.stage_position, nomination.current_task_id)


def nomination_award(*, actor, nomination: Nomination, entry: DecisionEntry) -> Nomination:
    """End a nomination at its decision stage as awarded, by a decision's entry.

    Only services.decisions.decision_issue calls this, inside its transaction, after locking
    (nominations_locked) and checking every nomination of the decision.
    Side effects: as stage_act, and enters the award in the registry.
    """
    decision = entry.decision
    comment = _("Quyết định số %(number)s ngày %(date)s của %(issuer)s.") % {
        "number": decision.number,
        "date": decision.signed_on.strftime("%d/%m/%Y"),
        "issuer": decision.issuer_title,
    }
    return _apply(
        nomination,
        actor=actor,
        action=Action.APPROVE,
        comment=comment,
        return_to=ReturnTo.PREVIOUS,
        entry=entry,
    )


@transaction.atomic
def stage_record_vote_result(*, actor, nomination: Nomination, result: VoteResult) -> Nomination:
    """Deliver a council or bloc vote's result to the nomination's vote stage.

    Passed: the nomination goes on. Not passed: it is not approved at this level, with the
    tally as the reason. The voting sessions call this; until then the stage's page does.
    Side effects: as stage_act.
    """
    nomination = _locked(nomination)
    if not (
        nomination.current_stage.kind in VOTE_KINDS
        and may_record_vote(scope_for(actor), nomination)
    ):
        raise PermissionDenied(_("Bạn không ghi nhận kết quả biểu quyết cho đề nghị này."))
    if nomination.current_stage.kind == StageKind.COUNCIL_VOTE and not _from_session(
        nomination, result
    ):
        raise ValidationError(
            _(
                "Kết quả biểu quyết của hội đồng chỉ được ghi nhận từ phiên họp hội đồng "
                "đã kết luận (bỏ phiếu kín)."
            )
        )
    if result.agree > result.members or result.required > result.members:
        raise ValidationError(_("Số phiếu tán thành không thể lớn hơn tổng số thành viên."))
    comment = " ".join(part for part in (result.summary(), result.note.strip()) if part)
    return _apply(
        nomination,
        actor=actor,
        action=Action.APPROVE if result.passed else Action.REJECT,
        comment=comment,
        return_to=ReturnTo.PREVIOUS,
        vote=result,
    )


def _from_session(nomination: Nomination, result: VoteResult) -> bool:
    from approvals.models import AgendaItem, SessionStatus

    return (
        result.session_id is not None
        and AgendaItem.objects.filter(
            session_id=result.session_id,
            session__status=SessionStatus.CONCLUDED,
            session__council_id=nomination.acting_council_id,
            nomination=nomination,
            applied_at__isnull=True,
        ).exists()
    )


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
