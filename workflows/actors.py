"""Who acts at a stage: the unit, bloc or council a stage's level points to, and the permission.

Resolved once when a nomination enters a stage and stored on the nomination, so inboxes and
lists filter in SQL on plain columns instead of asking guardian row by row.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from approvals.models import AwardsCouncil, BlocMembership, Unit, UnitLevel
from approvals.models.roles import Role, ScopeKind
from workflows.models import Stage, StageKind, StageLevel

# The object permission that lets a role act, and what it is held on.
ROLE_PERMISSION: dict[str, tuple[str, str]] = {
    Role.UNIT_OFFICER: (ScopeKind.UNIT, "prepare_nomination"),
    Role.UNIT_COMMANDER: (ScopeKind.UNIT, "approve_nomination"),
    Role.SECRETARIAT_OFFICER: (ScopeKind.UNIT, "act_secretariat"),
    Role.DECIDING_AUTHORITY: (ScopeKind.UNIT, "decide_award"),
    Role.BLOC_OFFICER: (ScopeKind.BLOC, "act_for_bloc"),
    Role.COUNCIL_SECRETARY: (ScopeKind.COUNCIL, "run_council_session"),
    Role.COUNCIL_CHAIR: (ScopeKind.COUNCIL, "chair_council"),
}


@dataclass(frozen=True)
class Acting:
    permission: str
    unit: Unit | None = None
    bloc_id: int | None = None
    council: AwardsCouncil | None = None


def _unit_at(level: str, submitting_unit: Unit, ancestors: list[Unit]) -> Unit | None:
    chain = [*ancestors, submitting_unit]  # root first
    if level == StageLevel.SUBMITTING_UNIT:
        return submitting_unit
    if level == StageLevel.PARENT_COMMAND:
        return ancestors[-1] if ancestors else None
    if level == StageLevel.DIRECT_COMMAND:
        return next((u for u in chain if u.level == UnitLevel.DIRECT), None)
    # the Ministry, and the authorities above it, are reached through the Ministry
    return next((u for u in chain if u.level == UnitLevel.MINISTRY), None)


def resolve_acting(*, stage: Stage, submitting_unit: Unit, year: int) -> Acting:
    """Where the stage happens for a nomination of `submitting_unit`; ValidationError if nowhere."""
    scope_kind, permission = ROLE_PERMISSION[stage.acting_role]
    if stage.level == StageLevel.BLOC:
        chain_ids = [*submitting_unit.ancestor_ids(), submitting_unit.pk]
        membership = (
            BlocMembership.objects.filter(unit_id__in=chain_ids, start_year__lte=year)
            .filter(Q(end_year__isnull=True) | Q(end_year__gte=year))
            .order_by("-unit__depth")
            .values_list("bloc_id", flat=True)
            .first()
        )
        if membership is None:
            raise ValidationError(
                _("Đơn vị %(unit)s không thuộc khối thi đua nào trong năm %(year)s.")
                % {"unit": submitting_unit, "year": year}
            )
        return Acting(permission=permission, bloc_id=membership)
    ancestors = list(submitting_unit.ancestors())
    unit = _unit_at(stage.level, submitting_unit, ancestors)
    if unit is None:
        raise ValidationError(
            _("Đơn vị %(unit)s không có cấp “%(level)s” để thực hiện bước “%(kind)s”.")
            % {
                "unit": submitting_unit,
                "level": stage.get_level_display(),
                "kind": stage.get_kind_display(),
            }
        )
    if scope_kind == ScopeKind.COUNCIL or stage.kind == StageKind.COUNCIL_VOTE:
        council = AwardsCouncil.objects.filter(unit=unit).first()
        if council is None:
            raise ValidationError(
                _("%(unit)s chưa có hội đồng thi đua, khen thưởng để bỏ phiếu.") % {"unit": unit}
            )
        return Acting(permission=permission, unit=unit, council=council)
    return Acting(permission=permission, unit=unit)
