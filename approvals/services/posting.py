"""Public posting: objections lodged by anyone in the organisation, answered by the secretariat."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Nomination, NominationStatus, NotificationKind, Objection
from approvals.permissions import may_act
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.notifications import notifications_create
from workflows.models import StageKind


def posted_nominations():
    """Nominees on public posting now: what everyone in the organisation may read."""
    return (
        Nomination.objects.filter(
            status=NominationStatus.IN_PROGRESS, current_stage__kind=StageKind.PUBLIC_POSTING
        )
        .select_related("award", "submitting_unit", "campaign", "person", "nominee_unit")
        .order_by("posted_until", "award__sort_order", "nominee_name")
    )


@transaction.atomic
def objection_lodge(*, actor, nomination: Nomination, text: str) -> Objection:
    """Lodge an objection to a posted nominee during the posting period.

    Side effects: writes the objection; notifies whoever handles the posting stage; writes
    an audit event.
    """
    nomination = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if not posted_nominations().filter(pk=nomination.pk).exists():
        raise ValidationError(_("Đề nghị này không còn trong thời gian công khai."))
    if nomination.posted_until and timezone.localdate() > nomination.posted_until:
        raise ValidationError(_("Đã hết thời gian công khai, không nhận thêm ý kiến."))
    if not text.strip():
        raise ValidationError({"text": _("Nhập nội dung ý kiến phản ánh.")})
    objection = Objection.objects.create(nomination=nomination, lodged_by=actor, text=text.strip())
    from approvals.selectors.nominations import acting_users

    notifications_create(
        recipients=list(acting_users(nomination)),
        nomination=nomination,
        kind=NotificationKind.TASK,
        context={"nomination": nomination, "stage": nomination.current_stage},
    )
    audit_record(
        actor=actor, verb="objection.lodge", obj=nomination, data={"objection": objection.pk}
    )
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str) -> Objection:
    """The secretariat answers an objection on the record.

    Side effects: saves the answer; writes an audit event.
    """
    objection = (
        Objection.objects.select_for_update().select_related("nomination").get(pk=objection.pk)
    )
    if not may_act(scope_for(actor), objection.nomination):
        raise PermissionDenied(_("Chỉ cơ quan đang xử lý bước công khai trả lời ý kiến phản ánh."))
    if objection.answered_at:
        raise ValidationError(_("Ý kiến này đã được trả lời."))
    if not answer.strip():
        raise ValidationError({"answer": _("Nhập nội dung trả lời.")})
    objection.answer = answer.strip()
    objection.answered_by = actor
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        verb="objection.answer",
        obj=objection.nomination,
        data={"objection": objection.pk},
    )
    return objection
