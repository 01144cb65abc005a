"""What a user may see: the units, blocs and councils they hold a role in, resolved once."""

from dataclasses import dataclass, field

from django.db.models import CharField, Q, Value

from approvals.models import (
    BlocUserObjectPermission,
    CouncilUserObjectPermission,
    RoleAssignment,
    UnitUserObjectPermission,
)
from approvals.models.roles import Role


@dataclass(frozen=True)
class UserScope:
    user_id: int | None
    is_admin: bool = False
    unit_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    bloc_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    council_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    # units whose records the user may read: (id, path, whole subtree?)
    record_units: tuple[tuple[int, str, bool], ...] = ()

    def units_with(self, codename: str) -> frozenset[int]:
        return self.unit_perms.get(codename, frozenset())

    def blocs_with(self, codename: str) -> frozenset[int]:
        return self.bloc_perms.get(codename, frozenset())

    def councils_with(self, codename: str) -> frozenset[int]:
        return self.council_perms.get(codename, frozenset())

    @property
    def council_ids(self) -> frozenset[int]:
        return frozenset().union(*self.council_perms.values())

    @property
    def is_secretariat(self) -> bool:
        return bool(self.units_with("act_secretariat"))

    def records_q(self, unit_field: str | None = "unit") -> Q:
        """A filter matching rows whose `unit_field` (None: the Unit itself) the user may read."""
        if self.is_admin:
            return Q()
        prefix = f"{unit_field}__" if unit_field else ""
        exact = [unit_id for unit_id, _path, subtree in self.record_units if not subtree]
        condition = Q(**{f"{prefix}pk__in": exact})
        for _unit_id, path, subtree in self.record_units:
            if subtree:
                condition |= Q(**{f"{prefix}path__startswith": path})
        return condition


def _group(rows) -> dict[str, frozenset[int]]:
    grouped: dict[str, set[int]] = {}
    for codename, object_id in rows:
        grouped.setdefault(codename, set()).add(object_id)
    return {codename: frozenset(ids) for codename, ids in grouped.items()}


def scope_for(user) -> UserScope:
    """The user's scope, cached on the user object for the request (two queries)."""
    cached = getattr(user, "_awards_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return UserScope(user_id=None)
    unit_rows = list(
        UnitUserObjectPermission.objects.filter(user=user).values_list(
            "permission__codename",
            "content_object_id",
            "content_object__path",
            "content_object__nominations_include_subunits",
        )
    )
    unit_perms = _group((codename, unit_id) for codename, unit_id, _p, _s in unit_rows)
    record_units = {}
    for codename, unit_id, path, include_subunits in unit_rows:
        if codename == "view_unit_records":
            whole = include_subunits or unit_id in unit_perms.get("act_secretariat", ())
            record_units[unit_id] = (unit_id, path, whole)
    # the bloc and council permissions and the administrator role: one query
    rows = (
        BlocUserObjectPermission.objects.filter(user=user)
        .annotate(kind=Value("bloc", output_field=CharField()))
        .values_list("kind", "permission__codename", "content_object_id")
        .order_by()
        .union(
            CouncilUserObjectPermission.objects.filter(user=user)
            .annotate(kind=Value("council", output_field=CharField()))
            .values_list("kind", "permission__codename", "content_object_id")
            .order_by(),
            RoleAssignment.objects.filter(user=user, role=Role.ADMINISTRATOR)
            .annotate(kind=Value("admin", output_field=CharField()))
            .values_list("kind", "role", "user_id")
            .order_by(),
            all=True,
        )
    )
    grouped = {"bloc": [], "council": [], "admin": []}
    for row_kind, codename, object_id in rows:
        grouped[row_kind].append((codename, object_id))
    scope = UserScope(
        user_id=user.pk,
        is_admin=user.is_superuser or bool(grouped["admin"]),
        unit_perms=unit_perms,
        bloc_perms=_group(grouped["bloc"]),
        council_perms=_group(grouped["council"]),
        record_units=tuple(record_units.values()),
    )
    user._awards_scope = scope
    return scope
