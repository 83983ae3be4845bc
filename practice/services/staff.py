"""Staff rates: a firm's hourly rate for each of its people, effective-dated (as Harvest's are).

A rate takes effect on its `effective_from` day and holds until the next one. Time logged for a
person with no engagement or client rate takes the rate in effect on the entry's date, and keeps
it: a new rate, or a corrected one, never re-prices time already logged (the entry stores its
rate). Setting a rate on a day that already has one replaces it, so a mistyped rate can be put
right (ADR 0024).

Rates are the firm's prices, so only a firm ADMIN (or a superuser) sets them; an API key acts with
the role of the person who created it.
"""

import datetime as dt

from django.db import transaction

from axiomatic.core.errors import AccessDeniedError, NotFoundError, field_errors
from axiomatic.core.money import MAX_CENTS
from axiomatic.entities.models import Entity, User
from practice import selectors
from practice.models import StaffRate

ONLY_ADMINS_SET_RATES = "Only an ADMIN of the firm may set its staff's rates."


@transaction.atomic
def staff_rate_set(
    *,
    firm: Entity,
    by: User | None,
    user_public_id: str,
    rate_cents: int,
    effective_from: dt.date,
) -> StaffRate:
    """Set the rate of the firm's member `user_public_id` from `effective_from` on (replacing the
    rate of that day, if any). Unknown users and other firms' people: the same 404."""
    if by is None or not selectors.is_firm_admin(firm=firm, user=by):
        raise AccessDeniedError(ONLY_ADMINS_SET_RATES)
    user = selectors.firm_member(firm=firm, user_public_id=user_public_id)
    if user is None:
        raise NotFoundError()
    if type(rate_cents) is not int or not 0 <= rate_cents <= MAX_CENTS:
        raise field_errors({"rate": [f"Must be a whole number of cents from 0 to {MAX_CENTS}."]})
    # update_or_create locks the day's row when there is one, and when two requests create it at
    # once the unique constraint (firm, user, day) lets one win and the other update it.
    rate, _ = StaffRate.objects.update_or_create(
        firm=firm,
        user=user,
        effective_from=effective_from,
        defaults={"rate_cents": rate_cents, "created_by": by},
    )
    return rate
