"""Issuing award decisions, and correcting them only by later decisions.

`decision_issue` grants the awards of many nominations waiting at their decision stage, in
one transaction: every nomination is awarded and entered in the registry, or none is.
`decision_correct` amends some lines of an earlier decision (re-states them) or revokes
them; the earlier decision is never changed, its registry records are marked as revoked by
the new one.
"""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    Award,
    AwardRecord,
    Decision,
    DecisionEntry,
    DecisionKind,
    EntryAction,
    EventAction,
    Nomination,
    NominationEvent,
    NominationStatus,
    Unit,
)
from approvals.permissions import may_act
from approvals.selectors.decisions import may_correct
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.nominations import (
    award_move,
    award_record_create,
    moves_apply,
    nominations_locked,
)
from workflows.models import StageKind

# "129/QĐ-BQP", "129A/QĐ-BQP", "1234/QĐ-CTN", "15/QĐ-F3": a number, an optional letter, the
# kind of document (QĐ) and the issuing body's abbreviation
NUMBER_PATTERN = re.compile(r"^\d{1,6}[A-Z]?/QĐ-[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$")


@dataclass(frozen=True)
class DecisionHeader:
    """What is printed above a decision's list."""

    number: str
    signed_on: datetime.date
    signer_name: str
    signer_title: str
    issuer_title: str
    title: str
    grounds: str
    reason: str = ""


@dataclass(frozen=True)
class Correction:
    """How an amending decision re-states one line of the earlier decision."""

    nominee_name: str
    nominee_detail: str
    unit_name: str
    award: Award


def abbreviation(unit: Unit) -> str:
    """The issuing body's abbreviation in document numbers ("BQP", "QK3")."""
    return unit.code.upper().replace("-", "")


def decision_number_suggest(authority: Unit, year: int) -> str:
    """The next free number in the authority's register for the year ("130/QĐ-BQP")."""
    numbers = Decision.objects.filter(authority=authority, year=year).values_list(
        "number", flat=True
    )
    highest = max((int(m.group()) for n in numbers if (m := re.match(r"\d+", n))), default=0)
    return f"{highest + 1}/QĐ-{abbreviation(authority)}"


def _check_header(header: DecisionHeader, authority: Unit, *, needs_reason: bool) -> None:
    errors = {}
    number = header.number.strip()
    if not NUMBER_PATTERN.match(number):
        errors["number"] = _(
            "Số quyết định viết theo mẫu “129/QĐ-BQP” hoặc “129A/QĐ-BQP” (số, ký hiệu QĐ, "
            "chữ viết tắt của cơ quan ban hành)."
        )
    elif Decision.objects.filter(
        authority=authority, year=header.signed_on.year, number=number
    ).exists():
        errors["number"] = _("Số %(number)s đã được dùng cho một quyết định năm %(year)s.") % {
            "number": number,
            "year": header.signed_on.year,
        }
    if header.signed_on > timezone.localdate():
        errors["signed_on"] = _("Ngày ký không được sau ngày hôm nay.")
    for field in ("signer_name", "signer_title", "issuer_title", "title", "grounds"):
        if not getattr(header, field).strip():
            errors[field] = _("Trường này không được để trống.")
    if needs_reason and not header.reason.strip():
        errors["reason"] = _("Phải nêu lý do sửa đổi, hủy bỏ.")
    if errors:
        raise ValidationError(errors)


def _decision(*, actor, authority, permission, kind, header, target=None) -> Decision:
    try:
        with transaction.atomic():  # a savepoint: the same number may have been taken since
            return Decision.objects.create(
                kind=kind,
                authority=authority,
                permission=permission,
                issuer_title=header.issuer_title.strip(),
                number=header.number.strip(),
                signed_on=header.signed_on,
                signer_name=header.signer_name.strip(),
                signer_title=header.signer_title.strip(),
                title=header.title.strip(),
                grounds=header.grounds.strip(),
                reason=header.reason.strip(),
                target=target,
                issued_by=actor,
            )
    except IntegrityError as error:
        message = _("Số %(number)s vừa được dùng cho một quyết định khác.") % {
            "number": header.number.strip()
        }
        raise ValidationError({"number": message}) from error


def nominee_detail(nomination: Nomination) -> str:
    """ "Thượng tá, Trưởng phòng Chính trị" for a person; nothing for a collective."""
    person = nomination.person
    if person is None:
        return ""
    return ", ".join(part for part in (person.get_rank_display(), person.position) if part)


def nominee_unit_name(nomination: Nomination) -> str:
    if nomination.person_id:
        return nomination.person.unit.name
    parent = nomination.nominee_unit.parent
    return parent.name if parent else ""


def _entry_order(nomination: Nomination):
    unit = nomination.person.unit if nomination.person_id else nomination.nominee_unit
    return (nomination.award.sort_order, nomination.award_id, unit.path, nomination.nominee_name)


@transaction.atomic
def decision_issue(*, actor, authority: Unit, nominations, header: DecisionHeader) -> Decision:
    """Issue a numbered decision that awards every given nomination, or refuse and change nothing.

    Each nomination must wait at its decision stage for `authority`, and `actor` must be the
    one who may act there. Side effects: locks the nominations; creates the decision and its
    numbered lines; ends each nomination's workflow as awarded (event, audit event, registry
    record, notification to its unit on commit); writes an audit event for the decision.
    """
    ids = sorted({n.pk for n in nominations})
    if not ids:
        raise ValidationError({"nominations": _("Chọn ít nhất một đề nghị.")})
    _check_header(header, authority, needs_reason=False)
    locked = nominations_locked(ids)
    scope = scope_for(actor)
    refused = [
        n
        for n in locked
        if not (
            n.status == NominationStatus.IN_PROGRESS
            and n.current_stage.kind == StageKind.DECISION
            and n.acting_unit_id == authority.pk
            and may_act(scope, n)
        )
    ]
    if len(locked) != len(ids) or refused:
        if not any(may_act(scope, n) for n in locked):
            raise PermissionDenied(_("Bạn không có quyền quyết định khen thưởng các đề nghị này."))
        raise ValidationError(
            {
                "nominations": _(
                    "Không ban hành được: các đề nghị sau không còn chờ quyết định của "
                    "%(authority)s: %(names)s."
                )
                % {"authority": authority, "names": ", ".join(n.nominee_name for n in refused)}
            }
        )
    decision = _decision(
        actor=actor,
        authority=authority,
        permission=locked[0].acting_permission,
        kind=DecisionKind.AWARD,
        header=header,
    )
    related = Nomination.objects.filter(pk__in=ids).select_related(
        "award", "person__unit", "nominee_unit__parent"
    )
    ordered = sorted(related, key=_entry_order)
    by_pk = {n.pk: n for n in locked}
    entries = DecisionEntry.objects.bulk_create(
        DecisionEntry(
            decision=decision,
            line=line,
            action=EntryAction.GRANT,
            nomination=shown,
            person=shown.person,
            unit=shown.nominee_unit,
            award=shown.award,
            nominee_name=shown.nominee_name,
            nominee_detail=nominee_detail(shown),
            unit_name=nominee_unit_name(shown),
        )
        for line, shown in enumerate(ordered, start=1)
    )
    moves_apply(
        [award_move(nomination=by_pk[e.nomination_id], entry=e) for e in entries], actor=actor
    )
    audit_record(
        actor=actor,
        verb="decision.issue",
        obj=decision,
        data={"number": decision.number, "nominations": ids},
    )
    return decision


@transaction.atomic
def decision_correct(
    *,
    actor,
    target: Decision,
    kind: str,
    header: DecisionHeader,
    changes: dict[int, Correction | None],
) -> Decision:
    """Amend or revoke lines of an issued decision by a new decision; the target stays intact.

    `changes` maps a line (DecisionEntry pk) of `target` still in force to its correction,
    or to None to revoke it (a revoking decision takes None only). Side effects: creates the
    new decision and its lines; marks the registry records of the changed lines as revoked
    by it; an amended line gets a new registry record; a timeline event on each nomination
    concerned; an audit event.
    """
    target = Decision.objects.select_for_update().get(pk=target.pk)
    if not may_correct(scope_for(actor), target):
        raise PermissionDenied(_("Chỉ cấp đã ban hành quyết định mới sửa đổi, hủy bỏ được."))
    if kind not in (DecisionKind.AMEND, DecisionKind.REVOKE):
        raise ValidationError(_("Chọn sửa đổi hoặc hủy bỏ."))
    if not changes:
        raise ValidationError({"entries": _("Chọn ít nhất một dòng cần sửa đổi, hủy bỏ.")})
    if kind == DecisionKind.REVOKE and any(c is not None for c in changes.values()):
        raise ValidationError(_("Quyết định hủy bỏ chỉ hủy các dòng, không sửa nội dung."))
    _check_header(header, target.authority, needs_reason=True)
    records = {
        r.entry_id: r
        for r in AwardRecord.objects.select_for_update(of=("self",))
        .filter(entry__decision=target, entry_id__in=changes, revoked_by__isnull=True)
        .select_related("entry__nomination__campaign", "entry__person", "entry__unit")
    }
    missing = set(changes) - set(records)
    if missing:
        raise ValidationError(
            {"entries": _("Có dòng không thuộc quyết định này hoặc đã được sửa đổi, hủy bỏ.")}
        )
    decision = _decision(
        actor=actor,
        authority=target.authority,
        permission=target.permission,
        kind=kind,
        header=header,
        target=target,
    )
    for line, entry_id in enumerate(sorted(changes, key=lambda pk: records[pk].entry.line), 1):
        record = records[entry_id]
        old = record.entry
        correction = changes[entry_id]
        entry = DecisionEntry.objects.create(
            decision=decision,
            line=line,
            action=EntryAction.REVOKE if correction is None else EntryAction.CORRECT,
            nomination=old.nomination,
            person=old.person,
            unit=old.unit,
            award=correction.award if correction else old.award,
            nominee_name=(correction.nominee_name if correction else old.nominee_name).strip(),
            nominee_detail=(
                correction.nominee_detail if correction else old.nominee_detail
            ).strip(),
            unit_name=(correction.unit_name if correction else old.unit_name).strip(),
            corrects=old,
        )
        record.revoked_by = decision
        record.save(update_fields=["revoked_by"])
        if correction is not None:
            award_record_create(nomination=old.nomination, entry=entry)
        if old.nomination_id:
            _note_on_timeline(actor, old.nomination, decision, header.reason)
    audit_record(
        actor=actor,
        verb=f"decision.{kind}",
        obj=decision,
        data={"number": decision.number, "target": target.number, "entries": sorted(changes)},
    )
    return decision


def _note_on_timeline(actor, nomination: Nomination, decision: Decision, reason: str) -> None:
    action = EventAction.REVOKED if decision.kind == DecisionKind.REVOKE else EventAction.AMENDED
    NominationEvent.objects.create(
        nomination=nomination,
        actor=actor,
        action=action,
        status_after=nomination.status,
        comment=_("Quyết định số %(number)s (%(target)s): %(reason)s")
        % {"number": decision.number, "target": decision.target.number, "reason": reason.strip()},
        data={"decision": decision.number, "decision_id": decision.pk},
    )
