"""What the secret ballots share: rewriting anonymous rows so that their order tells nothing.

See docs/ballot-secrecy.md.
"""

import random

from django.db.models import QuerySet


def rewrite_in_random_order(rows: QuerySet, *, batch_size: int = 1000) -> int:
    """Delete the rows and insert them again, shuffled; returns how many were rewritten.

    Rows inserted voter by voter keep that order physically and carry each voter's
    transaction id; rewritten together at the close, in random order, in the caller's
    transaction, they keep neither. The caller holds the transaction and the lock.
    Side effects: deletes and re-inserts every row of the queryset.
    """
    shuffled = list(rows)
    random.shuffle(shuffled)
    rows.delete()
    rows.model.objects.bulk_create(shuffled, batch_size=batch_size)
    return len(shuffled)
