"""Gapless numbers (JE-000001, INV-000001) from a counter row."""

from django.db.models import F, Model


def next_in_sequence(model: type[Model], *, field: str, **lookup) -> int:
    """Bump the counter in the row of `model` matching `lookup` (made if missing) and return it.

    Why an UPDATE first: it takes the row's lock, so concurrent callers queue here and each gets the
    next number; a rolled-back transaction gives its number back with the lock. Call it inside the
    transaction that uses the number.
    """
    rows = model.objects.filter(**lookup)
    if not rows.update(**{field: F(field) + 1}):
        model.objects.get_or_create(**lookup)
        rows.update(**{field: F(field) + 1})
    return rows.values_list(field, flat=True).get()
