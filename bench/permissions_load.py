"""A user holding 2,000 guardian object permissions, for bench.scale_pages.

The load issue asks that every page costs the same number of queries whether its user
holds no extra permission or 2,000 (viewflow's stock queue view made 4,006 queries for such
a user). Here the extra permissions are unit-officer roles on empty units created for the
purpose: the rows `services.roles.role_grant` writes (one RoleAssignment and the role's
UnitUserObjectPermission rows per unit), written in bulk and without audit events, so that
they can be removed again without touching the audit trail. The units hold no nominations,
so the user sees the same rows with or without them: only the size of their scope changes.

Everything hangs off units whose code starts with `bench-perm-`; `clean()` deletes them,
and their role assignments and permissions go with them (ON DELETE CASCADE). Create them
after seeding: bench.scale_data spreads its people over every unit it finds.
"""

from django.contrib.auth.models import Permission
from django.db import transaction

from approvals.models import (
    BlocUserObjectPermission,
    CouncilUserObjectPermission,
    RoleAssignment,
    Unit,
    UnitLevel,
    UnitUserObjectPermission,
)
from approvals.models.roles import ROLE_SCOPES, Role

UNIT_PREFIX = "bench-perm-"
HELD = 2000  # object permissions the loaded user ends up holding
ROLE = Role.UNIT_OFFICER
AVOID = "f3"  # keep the units out of the unit officer's (canbo.f3) subtree and filter choices
BATCH = 1000


def clean() -> int:
    """Delete the bench's permission units (with their roles and permissions); how many went."""
    units = Unit.objects.filter(code__startswith=UNIT_PREFIX)
    count = units.count()
    units.delete()
    return count


def held(user) -> int:
    """Object permissions the user holds on units, blocs and councils."""
    return sum(
        model.objects.filter(user=user).count()
        for model in (
            UnitUserObjectPermission,
            BlocUserObjectPermission,
            CouncilUserObjectPermission,
        )
    )


def _parent() -> Unit:
    """The oldest regiment outside the unit officer's division: its new children (depth 4)
    stay out of the secretariat's filter choices (depth ≤ 2) and the unit officer's."""
    avoid = Unit.objects.filter(code=AVOID).values_list("path", flat=True).first() or "-"
    parent = (
        Unit.objects.filter(level=UnitLevel.REGIMENT)
        .exclude(path__startswith=avoid)
        .exclude(code__startswith=UNIT_PREFIX)
        .order_by("pk")  # the demo's own regiments come first, not another bench's
        .first()
    )
    if parent is None:
        raise SystemExit("bench.permissions_load: no regiment to hang the permission units on")
    return parent


@transaction.atomic
def units(count: int) -> list[Unit]:
    """At least `count` empty grassroots units `bench-perm-NNNN` (made once, shared by users)."""
    existing = list(Unit.objects.filter(code__startswith=UNIT_PREFIX).order_by("code"))
    if len(existing) >= count:
        return existing[:count]
    parent = _parent()
    new = [
        Unit(
            code=f"{UNIT_PREFIX}{index:04d}",
            short_name=f"Đơn vị quyền {index:04d}",
            name=f"Đơn vị quyền {index:04d} (make bench, phân quyền)",
            level=UnitLevel.GRASSROOTS,
            parent=parent,
        )
        for index in range(len(existing), count)
    ]
    Unit.objects.bulk_create(new, batch_size=BATCH)  # bulk_create skips save(): set the path
    for unit in new:
        unit.path, unit.depth = f"{parent.path}{unit.pk}/", parent.depth + 1
    Unit.objects.bulk_update(new, ["path", "depth"], batch_size=BATCH)
    return existing + new


@transaction.atomic
def grant(user, total: int = HELD) -> int:
    """Give `user` unit-officer roles on permission units until they hold `total` object
    permissions (their own roles included); returns how many permissions were added."""
    codenames = ROLE_SCOPES[ROLE][1]
    missing = total - held(user)
    if missing <= 0:
        return 0
    have = set(
        RoleAssignment.objects.filter(
            user=user, role=ROLE, unit__code__startswith=UNIT_PREFIX
        ).values_list("unit_id", flat=True)
    )
    wanted = -(-missing // len(codenames))  # whole roles: may overshoot by one permission
    targets = [unit for unit in units(len(have) + wanted) if unit.pk not in have][:wanted]
    permissions = list(
        Permission.objects.filter(content_type__app_label="approvals", codename__in=codenames)
    )
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=user, role=ROLE, unit=unit) for unit in targets], batch_size=BATCH
    )
    rows = [
        UnitUserObjectPermission(user=user, permission=permission, content_object=unit)
        for unit in targets
        for permission in permissions
    ]
    UnitUserObjectPermission.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


@transaction.atomic
def revoke(user) -> int:
    """Take the permission units' roles and permissions back from `user`; how many went."""
    UnitUserObjectPermission.objects.filter(
        user=user, content_object__code__startswith=UNIT_PREFIX
    ).delete()
    return RoleAssignment.objects.filter(user=user, unit__code__startswith=UNIT_PREFIX).delete()[0]
