"""Database helpers every app's services share.

`in_savepoint`: a write that a unique constraint may refuse because a concurrent writer won the race
between our check and our write. Run it in a savepoint, so the refusal rolls back only the write
and the caller's transaction stays usable, then let the caller say what the conflict means (answer
409 naming the winner, or take the winner's row). The constraint is the backstop; the check before
it gives the clear message in the ordinary case.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def in_savepoint(write: Callable[[], T], *, on_conflict: Callable[[IntegrityError], T]) -> T:
    """`write()` in a savepoint; if the database refuses it with an IntegrityError, the savepoint
    is rolled back and `on_conflict(error)` answers instead (it may raise, or re-raise `error`)."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as error:
        return on_conflict(error)
