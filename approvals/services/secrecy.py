"""What the secret ballots share: rewriting anonymous rows so that their order tells nothing.

See docs/ballot-secrecy.md.
"""

import random

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import DeleteQuery

_shuffle = random.SystemRandom().shuffle


def rewrite_in_random_order(rows: QuerySet) -> int:
    """Delete the rows and insert them again, shuffled; returns how many were rewritten.

    Rows inserted voter by voter keep that order physically and carry each voter's
    transaction id; rewritten together at the close, in random order, in the caller's
    transaction, they keep neither. Every column (the random UUID key included) is written
    back as it was read. The caller holds the transaction and the lock.

    PostgreSQL does it in one statement that never leaves the server (the rows deleted with
    RETURNING are inserted again ORDER BY random()). Elsewhere the rows travel as plain
    tuples, are shuffled with the system's random source and inserted again in that order
    (on SQLite they take new rowids, in that order).
    Side effects: deletes and re-inserts every row of the queryset.
    """
    if rows.query.is_sliced:
        raise TypeError("rewrite_in_random_order() needs a whole queryset, not a slice")
    model = rows.model
    connection = connections[rows.db]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in model._meta.concrete_fields)
    # the queryset's own DELETE (a plain WHERE on one table, as QuerySet.delete() runs it
    # when no related rows need collecting)
    delete_sql, params = rows.query.chain(DeleteQuery).get_compiler(rows.db).as_sql()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH gone AS ({delete_sql} RETURNING {columns}) "  # noqa: S608
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM gone ORDER BY random()",
                params,
            )
            return cursor.rowcount
        select_sql, select_params = rows.values_list("pk").query.sql_with_params()
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {quote(model._meta.pk.column)} IN "  # noqa: S608
            f"({select_sql})",
            select_params,
        )
        shuffled = list(cursor.fetchall())
        _shuffle(shuffled)
        cursor.execute(delete_sql, params)
        if shuffled:
            marks = ", ".join(["%s"] * len(model._meta.concrete_fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", shuffled)  # noqa: S608
    return len(shuffled)
