"""What a user may see: the units, blocs and councils they hold a role in, resolved once."""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import BooleanField, CharField, Q, Value

from approvals.models import (
    BlocUserObjectPermission,
    CouncilUserObjectPermission,
    RoleAssignment,
    Unit,
    UnitUserObjectPermission,
)
from approvals.models.roles import Role


def units_q(unit_field: str | None, ids) -> Q:
    """Rows whose `unit_field` (None or "": the Unit itself) is one of these units, on the
    row's own column: no join on the units' paths, so the planner can read by index and OR
    it with other conditions."""
    return Q(**{f"{unit_field}_id__in" if unit_field else "pk__in": ids})


@dataclass(frozen=True)
class UserScope:
    user_id: int | None
    is_admin: bool = False
    unit_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    bloc_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    council_perms: dict[str, frozenset[int]] = field(default_factory=dict)
    # units whose records the user may read: (id, path, whole subtree?)
    record_units: tuple[tuple[int, str, bool], ...] = ()
    # for each of those read as a whole subtree: the ids of the units in it, itself included
    subtree_ids: dict[int, frozenset[int]] = field(default_factory=dict)
    # the whole subtree of every top unit: all the organisation's records (the secretariat)
    reads_everything: bool = False

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

    def units_under(self, unit_id: int) -> frozenset[int]:
        """The unit and, when the user reads it as a whole subtree, every unit below it."""
        return self.subtree_ids.get(unit_id, frozenset((unit_id,)))

    @cached_property
    def record_unit_ids(self) -> frozenset[int]:
        return frozenset().union(*(self.units_under(pk) for pk, _path, _w in self.record_units))

    @cached_property
    def prepare_unit_ids(self) -> frozenset[int]:
        """Units the user prepares nominations for: theirs, and those below where they read
        the whole subtree (the unit prepares for its subunits)."""
        units = self.units_with("prepare_nomination")
        return frozenset().union(*(self.units_under(unit_id) for unit_id in units))

    def records_q(self, unit_field: str | None = "unit") -> Q:
        """A filter matching rows whose `unit_field` (None: the Unit itself) the user may read."""
        if self.is_admin:
            return Q()
        return units_q(unit_field, self.record_unit_ids)


def _group(rows) -> dict[str, frozenset[int]]:
    grouped: dict[str, set[int]] = {}
    for codename, object_id in rows:
        grouped.setdefault(codename, set()).add(object_id)
    return {codename: frozenset(ids) for codename, ids in grouped.items()}


def _rows(user):
    """Everything the scope is made of, in one query of rows (kind, codename, object id, path,
    flag): the user's unit permissions ("unit", with the unit's path and whether its
    nominations include its subunits'), their bloc and council permissions, the
    administrator role, and the organisation's units ("tree": a few hundred rows, whatever
    the user holds, from which the subtrees they read are worked out)."""

    def const(value, field=CharField):
        return Value(value, output_field=field())

    no_path, no_flag = const(""), const(False, BooleanField)
    units = UnitUserObjectPermission.objects.filter(user=user).annotate(kind=const("unit"))
    parts = [
        units.values_list(
            "kind",
            "permission__codename",
            "content_object_id",
            "content_object__path",
            "content_object__nominations_include_subunits",
        ),
        Unit.objects.annotate(kind=const("tree"), codename=const(""), flag=no_flag).values_list(
            "kind", "codename", "pk", "path", "flag"
        ),
        BlocUserObjectPermission.objects.filter(user=user)
        .annotate(kind=const("bloc"), path=no_path, flag=no_flag)
        .values_list("kind", "permission__codename", "content_object_id", "path", "flag"),
        CouncilUserObjectPermission.objects.filter(user=user)
        .annotate(kind=const("council"), path=no_path, flag=no_flag)
        .values_list("kind", "permission__codename", "content_object_id", "path", "flag"),
        RoleAssignment.objects.filter(user=user, role=Role.ADMINISTRATOR)
        .annotate(kind=const("admin"), path=no_path, flag=no_flag)
        .values_list("kind", "role", "user_id", "path", "flag"),
    ]
    first, *rest = (part.order_by() for part in parts)
    return first.union(*rest, all=True)


def _path_ids(path: str) -> list[int]:
    """The ids of a unit's ancestors and its own, from the top ("/1/7/" gives [1, 7])."""
    return [int(part) for part in path.strip("/").split("/")]


def _subtrees(whole: set[int], unit_paths) -> dict[int, frozenset[int]]:
    """The ids of the units in each subtree whose root is in `whole`, itself included: each
    unit's path names its ancestors, so one pass over the units settles every subtree."""
    subtrees: dict[int, set[int]] = {unit_id: {unit_id} for unit_id in whole}
    if whole:
        for unit_id, path in unit_paths:
            for ancestor in _path_ids(path)[:-1]:
                if ancestor in subtrees:
                    subtrees[ancestor].add(unit_id)
    return {unit_id: frozenset(ids) for unit_id, ids in subtrees.items()}


def scope_for(user) -> UserScope:
    """The user's scope, cached on the user object for the request (one query, `_rows`)."""
    cached = getattr(user, "_awards_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return UserScope(user_id=None)
    grouped: dict[str, list[tuple]] = {"unit": [], "tree": [], "bloc": [], "council": []}
    grouped["admin"] = []
    for kind, codename, object_id, path, flag in _rows(user):
        grouped[kind].append((codename, object_id, path, flag))
    unit_perms = _group((codename, unit_id) for codename, unit_id, _p, _f in grouped["unit"])
    record_units = {}
    for codename, unit_id, path, include_subunits in grouped["unit"]:
        if codename == "view_unit_records":
            subtree = include_subunits or unit_id in unit_perms.get("act_secretariat", ())
            record_units[unit_id] = (unit_id, path, subtree)
    whole = {unit_id for unit_id, _path, subtree in record_units.values() if subtree}
    unit_paths = [(unit_id, path) for _c, unit_id, path, _f in grouped["tree"]]
    roots = {unit_id for unit_id, path in unit_paths if path.count("/") == 2}
    scope = UserScope(
        user_id=user.pk,
        is_admin=user.is_superuser or bool(grouped["admin"]),
        unit_perms=unit_perms,
        bloc_perms=_group((codename, pk) for codename, pk, _p, _f in grouped["bloc"]),
        council_perms=_group((codename, pk) for codename, pk, _p, _f in grouped["council"]),
        record_units=tuple(record_units.values()),
        subtree_ids=_subtrees(whole, unit_paths),
        reads_everything=bool(roots) and roots <= whole,
    )
    user._awards_scope = scope
    return scope
