"""A choice field's label, like `obj.get_<name>_display()`, without its cost.

Django's method rebuilds a hashable copy of every choice on each call, translating each
label; a batch of moves names every stage twice per nomination (timeline events, e-mails),
which made it a tenth of a letter's approval. The labels stay lazy: translated when shown.
"""

from functools import cache


@cache
def _labels(model, name: str) -> dict:
    """A field's value -> label (lazy), built once per process."""
    return dict(model._meta.get_field(name).flatchoices)


def choice_label(obj, name: str) -> str:
    """The label of `obj`'s field `name` in the active language ("" for an empty value)."""
    value = getattr(obj, name)
    label = _labels(type(obj), name).get(value, value)
    return "" if label is None else str(label)
