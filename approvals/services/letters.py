"""Submission letters (tờ trình): numbering, and acting on every nomination a letter carries."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import Campaign, Nomination, SubmissionLetter, Unit
from approvals.permissions import acting_q, may_act, may_prepare
from approvals.selectors.scope import scope_for
from approvals.services.audit import audit_record
from approvals.services.nominations import Move, ReturnTo, moves_apply, nominations_locked


@transaction.atomic
def letter_create(*, actor, unit: Unit, campaign: Campaign, title: str) -> SubmissionLetter:
    """Open a numbered letter of the unit ("12/TTr-F3"), numbered per unit and year.

    Side effects: locks the unit row while numbering; writes an audit event.
    """
    if not may_prepare(scope_for(actor), unit):
        raise PermissionDenied(_("Bạn không lập tờ trình cho đơn vị này."))
    if not title.strip():
        raise ValidationError({"title": _("Nhập trích yếu của tờ trình.")})
    Unit.objects.select_for_update().filter(pk=unit.pk).exists()
    year = timezone.localdate().year
    sequence = (
        SubmissionLetter.objects.filter(unit=unit, year=year).aggregate(top=Max("sequence"))["top"]
        or 0
    ) + 1
    letter = SubmissionLetter.objects.create(
        unit=unit,
        campaign=campaign,
        year=year,
        sequence=sequence,
        number=f"{sequence}/TTr-{unit.code.upper()}-{year}",
        title=title.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, verb="letter.create", obj=letter, data={"number": letter.number})
    return letter


def letter_actionable(*, actor, letter: SubmissionLetter):
    """The letter's nominations waiting for this actor now."""
    return (
        Nomination.objects.filter(letter=letter).filter(acting_q(scope_for(actor))).order_by("pk")
    )


@transaction.atomic
def letter_act(
    *,
    actor,
    letter: SubmissionLetter,
    action: str,
    comment: str = "",
    return_to: str = ReturnTo.PREVIOUS,
) -> list[Nomination]:
    """Act on every nomination of the letter that waits for the actor, all or none.

    Side effects: as stage_act for each nomination, in one transaction; if any one is
    refused, none changes.
    """
    scope = scope_for(actor)
    waiting = letter_actionable(actor=actor, letter=letter).values_list("pk", flat=True)
    nominations = [n for n in nominations_locked(list(waiting)) if may_act(scope, n)]
    if not nominations:
        raise ValidationError(_("Tờ trình không có đề nghị nào đang chờ bạn xử lý."))
    moves = [Move(n, action=action, comment=comment, return_to=return_to) for n in nominations]
    done = moves_apply(moves, actor=actor)
    audit_record(
        actor=actor,
        verb=f"letter.{action}",
        obj=letter,
        data={"nominations": [n.pk for n in done]},
    )
    return done
