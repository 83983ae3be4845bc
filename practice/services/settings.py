"""A firm's practice settings (GET/PATCH /api/practice/settings, and the admin's settings page).

One row per firm (FirmProfile), created by its first change; until then every setting has its
default. The settings steer how the firm's time is billed and guarded:

- `require_approval`: time must be approved before it is invoiced.
- `time_lock_date`: time dated on or before it can no longer be logged, changed or deleted (the
  period is closed). Moving the date back reopens the period.
- `time_rounding_minutes`/`time_rounding_mode`: invoices bill each entry's hours rounded to the step
  (up, or to the nearest); the entry keeps its own hours.
- `default_rate_cents`: the last rate a time entry falls back to.
- `payment_terms_days`: an invoice's due date is its issue date plus these days.
- `require_mfa`: the firm's staff sign in to the admin with a second factor.

Only a firm ADMIN (or a superuser) changes any of them: they decide how every colleague's time is
billed and locked, and a lock date a MEMBER could move would lock nothing. An API key acts with the
role of the person who created it, today (ADR 0024).
"""

import datetime as dt

from django.db import transaction

from axiomatic.core.db import in_savepoint
from axiomatic.core.errors import AccessDeniedError, ConflictError, field_errors
from axiomatic.entities.models import Entity, User
from practice import selectors
from practice.errors import PracticeErrorCode
from practice.models import FirmProfile, RoundingMinutes, RoundingMode

ONLY_ADMINS_CHANGE_SETTINGS = "Only an ADMIN of the firm may change its practice settings."
MAX_PAYMENT_TERMS_DAYS = 365

# The settings `firm_settings_update` takes, and the name each has on the wire (for its errors).
SETTINGS = {
    "require_approval": "requireApproval",
    "time_lock_date": "timeLockDate",
    "time_rounding_minutes": "timeRounding.minutes",
    "time_rounding_mode": "timeRounding.mode",
    "default_rate_cents": "defaultRate",
    "payment_terms_days": "paymentTermsDays",
    "require_mfa": "requireMfa",
}


def _problems(changes: dict) -> dict[str, list[str]]:
    """What is wrong with `changes`, by wire name (the API's serializer checks the same first; this
    holds the line for every other caller)."""
    problems: dict[str, list[str]] = {}

    def check(key: str, ok, message: str) -> None:
        if key in changes and not ok(changes[key]):
            problems[SETTINGS[key]] = [message]

    def is_bool(value) -> bool:
        return type(value) is bool

    check("require_approval", is_bool, "Must be true or false.")
    check("require_mfa", is_bool, "Must be true or false.")
    check(
        "time_lock_date",
        lambda v: v is None or (isinstance(v, dt.date) and not isinstance(v, dt.datetime)),
        "Must be a date or null.",
    )
    check(
        "time_rounding_minutes",
        lambda v: type(v) is int and v in RoundingMinutes.values,
        "Must be one of 0, 6, 10, 15, 30.",
    )
    check("time_rounding_mode", lambda v: v in RoundingMode.values, 'Must be "up" or "nearest".')
    check(
        "default_rate_cents",
        lambda v: v is None or (type(v) is int and v >= 0),
        "Must be a whole number of cents, 0 or more, or null.",
    )
    check(
        "payment_terms_days",
        lambda v: type(v) is int and 0 <= v <= MAX_PAYMENT_TERMS_DAYS,
        f"Must be a whole number of days from 0 to {MAX_PAYMENT_TERMS_DAYS}.",
    )
    return problems


@transaction.atomic
def firm_settings_update(*, firm: Entity, by: User | None, changes: dict) -> FirmProfile:
    """Change the settings named in `changes` (keys of SETTINGS), nothing else. `by` must be an
    ADMIN of the firm (or a superuser); for an API key, the key's creator."""
    unknown = set(changes) - set(SETTINGS)
    if unknown:
        raise TypeError(f"Not practice settings: {sorted(unknown)}")
    if by is None or not selectors.is_firm_admin(firm=firm, user=by):
        raise AccessDeniedError(ONLY_ADMINS_CHANGE_SETTINGS)
    problems = _problems(changes)
    if problems:
        raise field_errors(problems)
    # Why lock: two admins changing different settings at once must both be kept.
    profile = FirmProfile.objects.select_for_update().filter(firm=firm).first()
    if profile is None:
        profile = FirmProfile(firm=firm)
    for key, value in changes.items():
        setattr(profile, key, value)
    in_savepoint(profile.save, on_conflict=lambda error: _profile_raced(firm))
    return profile


def _profile_raced(firm: Entity):
    raise ConflictError(f"{firm}'s settings were just created elsewhere: reload and try again.")


def time_lock_refuse(profile: FirmProfile, day: dt.date, what: str) -> None:
    """409 `period_locked` when `day` is on or before the firm's time lock date. `what` says what
    was refused ("Time dated 2026-01-15 cannot be logged"); the message names the lock date."""
    lock = profile.time_lock_date
    if lock is not None and day <= lock:
        raise ConflictError(
            f"{what}: time dated on or before {lock.isoformat()} is locked (the firm's time lock "
            "date). A firm ADMIN can move the lock date in the practice settings.",
            code=PracticeErrorCode.PERIOD_LOCKED,
        )
