"""Roles held per unit, bloc or council, and the guardian object-permission tables they fill.

A role assignment is the record of who holds what where; the service that writes it also
grants the matching object permissions (never the model-wide form) so that viewflow and
guardian decide access from a handful of organisation objects.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Role(models.TextChoices):
    UNIT_OFFICER = "unit_officer", _("Cán bộ thi đua, khen thưởng đơn vị")
    UNIT_COMMANDER = "unit_commander", _("Chỉ huy đơn vị")
    BLOC_OFFICER = "bloc_officer", _("Cán bộ khối thi đua")
    COUNCIL_MEMBER = "council_member", _("Ủy viên hội đồng TĐKT")
    COUNCIL_SECRETARY = "council_secretary", _("Thư ký hội đồng TĐKT")
    COUNCIL_CHAIR = "council_chair", _("Chủ tịch hội đồng TĐKT")
    SECRETARIAT_OFFICER = "secretariat_officer", _("Cán bộ cơ quan thường trực")
    DECIDING_AUTHORITY = "deciding_authority", _("Cấp có thẩm quyền quyết định")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class ScopeKind(models.TextChoices):
    UNIT = "unit", _("Đơn vị")
    BLOC = "bloc", _("Khối thi đua")
    COUNCIL = "council", _("Hội đồng")
    GLOBAL = "global", _("Toàn hệ thống")


# role -> (what it is held on, the object permissions it grants there)
ROLE_SCOPES: dict[str, tuple[str, tuple[str, ...]]] = {
    Role.UNIT_OFFICER: (ScopeKind.UNIT, ("view_unit_records", "prepare_nomination")),
    Role.UNIT_COMMANDER: (ScopeKind.UNIT, ("view_unit_records", "approve_nomination")),
    Role.BLOC_OFFICER: (ScopeKind.BLOC, ("act_for_bloc",)),
    Role.COUNCIL_MEMBER: (ScopeKind.COUNCIL, ("vote_in_council",)),
    Role.COUNCIL_SECRETARY: (ScopeKind.COUNCIL, ("run_council_session",)),
    Role.COUNCIL_CHAIR: (ScopeKind.COUNCIL, ("vote_in_council", "chair_council")),
    Role.SECRETARIAT_OFFICER: (ScopeKind.UNIT, ("view_unit_records", "act_secretariat")),
    Role.DECIDING_AUTHORITY: (ScopeKind.UNIT, ("decide_award",)),
    Role.ADMINISTRATOR: (ScopeKind.GLOBAL, ()),
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("vai trò"), max_length=24, choices=Role.choices)
    unit = models.ForeignKey(
        "approvals.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    bloc = models.ForeignKey(
        "approvals.EmulationBloc",
        verbose_name=_("khối thi đua"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    council = models.ForeignKey(
        "approvals.AwardsCouncil",
        verbose_name=_("hội đồng"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    granted_at = models.DateTimeField(_("thời điểm giao"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người giao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("vai trò được giao")
        verbose_name_plural = _("vai trò được giao")
        ordering = ["user__username", "role"]
        constraints = [
            # one constraint per scope: partial unique indexes work on SQLite and PostgreSQL
            *(
                models.UniqueConstraint(
                    fields=["user", "role", scope],
                    name=f"role_assignment_unique_{scope}",
                    condition=models.Q(**{f"{scope}__isnull": False}),
                )
                for scope in ("unit", "bloc", "council")
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                name="role_assignment_unique_global",
                condition=models.Q(unit__isnull=True, bloc__isnull=True, council__isnull=True),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(unit__isnull=False, bloc__isnull=True, council__isnull=True)
                    | models.Q(unit__isnull=True, bloc__isnull=False, council__isnull=True)
                    | models.Q(unit__isnull=True, bloc__isnull=True, council__isnull=False)
                    | models.Q(
                        role="administrator",
                        unit__isnull=True,
                        bloc__isnull=True,
                        council__isnull=True,
                    )
                ),
                name="role_assignment_one_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.scope_object or ''}"

    @property
    def scope_object(self):
        return self.unit or self.bloc or self.council


class UnitUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("approvals.Unit", on_delete=models.CASCADE)


class UnitGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("approvals.Unit", on_delete=models.CASCADE)


class BlocUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("approvals.EmulationBloc", on_delete=models.CASCADE)


class BlocGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("approvals.EmulationBloc", on_delete=models.CASCADE)


class CouncilUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey("approvals.AwardsCouncil", on_delete=models.CASCADE)


class CouncilGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey("approvals.AwardsCouncil", on_delete=models.CASCADE)
