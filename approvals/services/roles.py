"""Granting and revoking roles, and with them the guardian object permissions."""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from approvals.models import AwardsCouncil, EmulationBloc, RoleAssignment, Unit
from approvals.models.roles import ROLE_SCOPES, Role, ScopeKind
from approvals.services.audit import audit_record

ADMINISTRATORS_GROUP = "Quản trị hệ thống"
# Models the administrator role manages in the Django admin, per app.
ADMINISTERED_MODELS = {
    "approvals": (
        "unit",
        "person",
        "emulationbloc",
        "blocmembership",
        "blocleadership",
        "bloccriterion",
        "awardscouncil",
        "councilmembership",
        "award",
        "awardversion",
        "awardrule",
        "documenttype",
        "campaign",
        "emulationregistration",
        "roleassignment",
        "calendarday",
        "auditevent",
    ),
    "workflows": ("route", "routeversion", "stage"),
}


def _scope_object(role: str, unit, bloc, council):
    kind, _codenames = ROLE_SCOPES[role]
    given = {ScopeKind.UNIT: unit, ScopeKind.BLOC: bloc, ScopeKind.COUNCIL: council}
    wanted = given.get(kind)
    others = [obj for key, obj in given.items() if key != kind and obj is not None]
    if others or (kind != ScopeKind.GLOBAL and wanted is None):
        raise ValidationError(
            _("Vai trò “%(role)s” phải được giao tại đúng một %(scope)s.")
            % {"role": Role(role).label, "scope": ScopeKind(kind).label.lower()}
        )
    return wanted


def administrators_group() -> Group:
    """The administrators' group, with the model permissions of what they manage."""
    group, _created = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    scoped = {codename for _kind, codenames in ROLE_SCOPES.values() for codename in codenames}
    managed = Q()
    for app_label, models in ADMINISTERED_MODELS.items():
        managed |= Q(content_type__app_label=app_label, content_type__model__in=models)
    group.permissions.set(Permission.objects.filter(managed).exclude(codename__in=scoped))
    return group


@transaction.atomic
def role_grant(
    *,
    actor,
    user,
    role: str,
    unit: Unit | None = None,
    bloc: EmulationBloc | None = None,
    council: AwardsCouncil | None = None,
) -> RoleAssignment:
    """Give `user` a role at a unit, bloc or council (idempotent).

    Side effects: creates the RoleAssignment, grants its object permissions on that one
    object (never model-wide), for the administrator role sets is_staff and the
    administrators group; writes one audit event when something was granted.
    """
    target = _scope_object(role, unit, bloc, council)
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user,
        role=role,
        unit=unit,
        bloc=bloc,
        council=council,
        defaults={"granted_by": actor if getattr(actor, "pk", None) else None},
    )
    if not created:
        return assignment
    for codename in ROLE_SCOPES[role][1]:
        assign_perm(f"approvals.{codename}", user, target)
    if role == Role.ADMINISTRATOR:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(administrators_group())
    audit_record(
        actor=actor,
        verb="role.grant",
        obj=assignment,
        data={"user": user.username, "role": role, "scope": str(target or "")},
    )
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment) -> None:
    """Take a role back.

    Side effects: deletes the assignment and removes each object permission it granted
    unless another of the user's assignments grants the same one; writes one audit event.
    """
    user, target = assignment.user, assignment.scope_object
    still_granted = {
        codename
        for other in RoleAssignment.objects.filter(
            user=user, unit=assignment.unit, bloc=assignment.bloc, council=assignment.council
        ).exclude(pk=assignment.pk)
        for codename in ROLE_SCOPES[other.role][1]
    }
    for codename in ROLE_SCOPES[assignment.role][1]:
        if codename not in still_granted:
            remove_perm(f"approvals.{codename}", user, target)
    if assignment.role == Role.ADMINISTRATOR:
        user.groups.remove(administrators_group())
    audit_record(
        actor=actor,
        verb="role.revoke",
        obj=assignment,
        data={"user": user.username, "role": assignment.role, "scope": str(target or "")},
    )
    assignment.delete()
