"""The ballot-secrecy checks of tests/approvals/test_ballot_secrecy.py, over any sessions.

The test runs them on a three-item session of the demo; bench.session_scale runs them on the
year's sessions (bulk-seeded ones and its own 1,000 × 25 one run through the services). Each
function returns a list of problems, empty when the check holds, so a caller can assert or
report. See docs/ballot-secrecy.md for what they stand for.
"""

import math
import uuid

from django.apps import apps
from django.db import connection, models

from approvals.models import AgendaItem, AuditEvent, Ballot, BallotChoice, VoteMark

ANONYMOUS = (Ballot, BallotChoice)
IDENTIFYING = {"CouncilMembership", "Person", "User", "VoteMark", "Attendance", "AuditEvent"}
MARK_FIELDS = {"id", "session", "round", "membership"}  # that a member voted, and nothing else


def schema_problems() -> list[str]:
    """No link from an anonymous row to a member, no timestamp, random keys; none to them."""
    problems = []
    for model in ANONYMOUS:
        for field in model._meta.get_fields():
            related = field.related_model if field.is_relation else None
            if related is not None and related.__name__ in IDENTIFYING:
                problems.append(f"{model.__name__}.{field.name} points to an identifying table")
            if isinstance(field, models.DateTimeField | models.DateField):
                problems.append(f"{model.__name__}.{field.name} is a timestamp")
        if not isinstance(model._meta.pk, models.UUIDField):
            problems.append(f"{model.__name__} has a sequential key")
    for model in apps.get_models():
        for field in model._meta.get_fields():
            allowed = model in ANONYMOUS or model.__name__ == "AgendaItem"
            if field.is_relation and field.related_model in ANONYMOUS and not allowed:
                problems.append(f"{model.__name__}.{field.name} points to an anonymous table")
    return problems


def mark_problems(session_ids: list[int]) -> list[str]:
    """The "has voted" marks and the audit trail of the casts carry no choice."""
    problems = []
    fields = {field.name for field in VoteMark._meta.concrete_fields}
    if fields - MARK_FIELDS:
        problems.append(f"VoteMark holds more than who voted: {sorted(fields - MARK_FIELDS)}")
    casts = AuditEvent.objects.filter(
        verb="ballot.cast",
        object_type="approvals.councilsession",
        object_id__in=[str(pk) for pk in session_ids],
    )
    for data in casts.values_list("data", flat=True):
        if set(data) != {"round"}:
            problems.append(f"a ballot.cast audit event holds {sorted(data)}")
            break
    return problems


def _xmins(table: str, column: str, ids: list[int]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT xmin::text FROM {table} WHERE {column} = ANY(%s)",  # noqa: S608
            [ids],
        )
        return {row[0] for row in cursor.fetchall()}


def session_problems(session) -> list[str]:
    """One closed session: counts agree with the tally, random keys, and (PostgreSQL) every
    anonymous row carries the close's transaction id, none a voter's."""
    problems = []
    items = AgendaItem.objects.filter(session=session)
    item_ids = list(items.values_list("pk", flat=True))
    ballots = Ballot.objects.filter(session=session)
    marks = VoteMark.objects.filter(session=session)
    choices = BallotChoice.objects.filter(item__session=session)
    if ballots.count() != marks.count():
        problems.append(f"{ballots.count()} ballots for {marks.count()} marks")
    tallied = sum(
        (item.agree or 0) + (item.disagree or 0) for item in items.only("agree", "disagree")
    )
    if choices.count() != tallied:
        problems.append(f"{choices.count()} choices for a tally of {tallied}")
    for model, rows in ((Ballot, ballots), (BallotChoice, choices)):
        if any(
            not isinstance(pk, uuid.UUID) or pk.version != 4
            for pk in rows.values_list("pk", flat=True)
        ):
            problems.append(f"{model.__name__} keys are not random UUIDs")
    if connection.vendor == "postgresql":
        ballot_x = _xmins(Ballot._meta.db_table, "session_id", [session.pk])
        choice_x = _xmins(BallotChoice._meta.db_table, "item_id", item_ids)
        mark_x = _xmins(VoteMark._meta.db_table, "session_id", [session.pk])
        if len(ballot_x | choice_x) != 1:
            problems.append(f"anonymous rows carry {len(ballot_x | choice_x)} transaction ids")
        if (ballot_x | choice_x) & mark_x:
            problems.append("an anonymous row shares a voter's transaction id")
    return problems


def _ranks(values: list) -> list[float]:
    """Average ranks (ties share one), for Spearman's rho."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2
        start = end + 1
    return ranks


def spearman(xs: list, ys: list) -> float:
    """Spearman's rank correlation (0 when either side is constant)."""
    rx, ry = _ranks(xs), _ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx)
    vy = sum((b - my) ** 2 for b in ry)
    return cov / math.sqrt(vx * vy) if vx and vy else 0.0


def bound(rows: int) -> float:
    """|rho| a random order stays under but for one time in ~15,000 (4 standard errors)."""
    return 4 / math.sqrt(max(rows - 1, 1))


def stored_orders(model, rows) -> dict[str, list]:
    """The rows' keys in key order and in physical order (ctid, or SQLite's rowid)."""
    table = connection.ops.quote_name(model._meta.db_table)
    physical = "ctid" if connection.vendor == "postgresql" else "rowid"
    keys = [str(pk) for pk in rows.values_list("pk", flat=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE id = ANY(%s) ORDER BY {physical}"  # noqa: S608
            if connection.vendor == "postgresql"
            else f"SELECT id FROM {table} ORDER BY {physical}",  # noqa: S608
            [[uuid.UUID(key) for key in keys]] if connection.vendor == "postgresql" else [],
        )
        wanted = set(keys)
        on_disk = [str(uuid.UUID(str(row[0]))) for row in cursor.fetchall()]
    return {"key": sorted(keys), "physical": [key for key in on_disk if key in wanted]}


def order_correlations(cast_order: dict[str, int], model, rows) -> dict[str, float]:
    """Spearman's rho between the order rows were cast in and each order they are stored in."""
    result = {}
    for name, keys in stored_orders(model, rows).items():
        keys = [key for key in keys if key in cast_order]
        result[name] = spearman([cast_order[key] for key in keys], list(range(len(keys))))
    return result
