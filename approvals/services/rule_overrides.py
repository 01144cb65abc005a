"""The secretariat's override of a failed eligibility rule, for one nomination, with a reason."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from approvals.models import AwardRule, EventAction, Nomination, RuleOverride
from approvals.selectors.scope import scope_for
from approvals.services.eligibility import check_nomination
from approvals.services.nominations import event_record


@transaction.atomic
def rule_override(*, actor, nomination: Nomination, rule: AwardRule, reason: str) -> RuleOverride:
    """The secretariat sets a failed rule aside for one nomination, with a reason.

    Side effects: an override row; a timeline event (shown in the timeline and the council's
    minutes) and its audit event.
    """
    if not scope_for(actor).is_secretariat:
        raise PermissionDenied(_("Chỉ cơ quan thường trực được miễn áp dụng điều kiện."))
    nomination = Nomination.objects.select_for_update(of=("self",)).get(pk=nomination.pk)
    if not nomination.is_active:
        raise ValidationError(_("Đề nghị đã kết thúc."))
    if not reason.strip():
        raise ValidationError({"reason": _("Phải nêu lý do miễn áp dụng.")})
    verdict = check_nomination(nomination)
    result = next((r for r in verdict.results if r.rule and r.rule.pk == rule.pk), None)
    if result is None:
        raise ValidationError(_("Điều kiện này không thuộc tiêu chuẩn áp dụng cho đề nghị."))
    if not result.failed:
        raise ValidationError(_("Chỉ miễn áp dụng được điều kiện đang không đạt."))
    override = RuleOverride.objects.create(
        nomination=nomination, rule=rule, reason=reason.strip(), created_by=actor
    )
    event_record(
        nomination,
        actor=actor,
        action=EventAction.OVERRIDDEN,
        before=nomination.current_stage,
        comment=reason.strip(),
        data={"rule": rule.description, "rule_id": rule.pk, "found": result.explanation},
    )
    return override
