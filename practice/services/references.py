"""External references: the id a firm's own system gives a client or a time entry.

Unique per firm among clients and among time entries (a partial unique index behind each), so an
integration can retry a create or look an object up by its own id. One rule for both: a reference
another row of the firm already uses is 409 `duplicate_external_reference`, naming that row. The
check runs before the write for the clear message; the save runs in a savepoint so a concurrent
writer that took the reference in between meets the same answer instead of a 500.
"""

from collections.abc import Callable

from django.db import IntegrityError, models

from axiomatic.core.db import in_savepoint
from axiomatic.core.errors import ConflictError
from practice.errors import PracticeErrorCode


def external_reference_check(
    *, model: type[models.Model], firm, reference: str | None, exclude_pk: int | None = None
) -> None:
    """409 if another of the firm's `model` rows uses `reference` (None or "" never conflicts)."""
    if not reference:
        return
    others = model.objects.filter(firm=firm, external_reference=reference)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    existing = others.first()
    if existing is not None:
        message = f"externalReference is already used by {existing.reference_owner}."
        raise ConflictError(
            message,
            code=PracticeErrorCode.DUPLICATE_EXTERNAL_REFERENCE,
            fields={"externalReference": [message]},
        )


def save_guarding_reference(
    write: Callable[[], models.Model],
    *,
    model: type[models.Model],
    firm,
    reference: str | None,
    exclude_pk: int | None = None,
):
    """`write()` in a savepoint; a unique violation on the reference becomes the 409 above."""

    def conflict(error: IntegrityError):
        external_reference_check(model=model, firm=firm, reference=reference, exclude_pk=exclude_pk)
        raise error  # another constraint refused it

    return in_savepoint(write, on_conflict=conflict)
