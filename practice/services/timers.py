"""Timers: a clock a staff member starts on client work and stops to log it.

A timer runs for one user on one client of the firm, optionally on an engagement and a task of
that client. At most one runs per user: starting another stops the first (its entry is made) in the
same transaction. Stopping makes a time entry through `time_entry_create`, the service behind
POST /api/practice/time, so the entry meets the same rules (rate resolution, billable default, lock
date), writes the same history and sends the same `time_entry.created` event. Its hours are the
elapsed time rounded up to 0.01 h, at least 0.01 and at most 24 (`hours_from_seconds`: an entry
holds one day at most, so a timer left running longer logs 24 h); its date is the local day the
timer started. Discarding makes no entry.

Races. Every write here locks the user's row first, then the timer's, then checks: two starts for
one user (or a start and a stop) run one after the other, and the second start sees the first's
timer running and stops it. The lock is FOR NO KEY UPDATE: it queues writers of this service
without blocking other inserts that merely reference the user (a time entry, a membership). The
partial unique index `timer_one_running_per_user` is the backstop: a start that got past the lock
anyway meets a 409, never a 500 or two running timers.

Refusals roll everything back: if the time service refuses the entry (a locked period), the timer
keeps running, and a start that had to stop it starts nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from axiomatic.core.db import in_savepoint
from axiomatic.core.errors import ApplicationError, ConflictError, NotFoundError, field_errors
from axiomatic.core.money import hours_from_seconds
from axiomatic.entities.models import Entity, User
from practice import events, selectors
from practice.errors import NOT_A_FIRM_MEMBER, PracticeErrorCode
from practice.models import ClientLink, TimeEntry, Timer, TimerStatus
from practice.services.time_entries import time_entry_create, time_entry_references

NO_USER = "This API key has no user of its own: give userId, the member whose timer this is."


@dataclass(frozen=True)
class TimerStarted:
    timer: Timer
    stopped: Timer | None  # the user's timer that was running, now stopped
    entry: TimeEntry | None  # the stopped timer's time entry


@dataclass(frozen=True)
class TimerStopped:
    timer: Timer
    entry: TimeEntry


def _timer_user(*, firm: Entity, user_id: str | None, default_user: User | None) -> User:
    if user_id is not None:
        user = selectors.firm_member(firm=firm, user_public_id=user_id)
        if user is None:
            raise field_errors({"userId": [NOT_A_FIRM_MEMBER]})
        return user
    if default_user is None:
        raise field_errors({"userId": [NO_USER]})
    return default_user


def _lock_user(user_pk: int) -> None:
    # Why the user's row: when no timer runs there is no timer row to lock, and two starts must
    # still queue. NO KEY: inserts referencing the user (which take KEY SHARE) are not blocked.
    list(User.objects.select_for_update(no_key=True).filter(pk=user_pk).values_list("pk"))


def _running_timer_of(user_pk: int) -> Timer | None:
    """The user's running timer, locked. Caller holds the user's lock."""
    return (
        Timer.objects.select_for_update(of=("self",))
        .select_related("firm", "client", "engagement", "task", "user")
        .filter(user_id=user_pk, status=TimerStatus.RUNNING)
        .first()
    )


def _locked_running(*, firm: Entity, public_id: str) -> Timer:
    """The firm's timer `public_id`, locked (user first, then timer) and still running."""
    user_pk = (
        Timer.objects.filter(firm=firm, public_id=public_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if user_pk is None:
        raise NotFoundError()  # unknown and another firm's: the same answer
    _lock_user(user_pk)
    timer = (
        Timer.objects.select_for_update(of=("self",))
        .select_related("firm", "client", "engagement", "task", "user")
        .get(firm=firm, public_id=public_id)
    )
    if timer.status != TimerStatus.RUNNING:
        raise ConflictError(
            f"Timer {timer.public_id} is not running (it was {timer.status}): "
            "start a new one to log more time.",
            code=PracticeErrorCode.TIMER_NOT_RUNNING,
        )
    return timer


def _entry_for(timer: Timer, *, at: dt.datetime) -> TimeEntry:
    """The stopped timer's time entry, made by the time entry service (its rules, its event)."""
    link = (
        ClientLink.objects.select_related("client")
        .filter(firm=timer.firm, client=timer.client, archived_at__isnull=True)
        .first()
    )
    if link is None:
        raise ConflictError(
            f"{timer.client.name} is no longer an active client of the firm, so this timer's "
            "time cannot be logged: discard the timer.",
        )
    values = {
        "firm": timer.firm,
        "link": link,
        "work_date": timezone.localdate(timer.started_at),
        "hours": hours_from_seconds((at - timer.started_at).total_seconds()),
        "description": timer.description,
        "engagement_id": timer.engagement.public_id if timer.engagement else None,
        "task_id": timer.task.public_id if timer.task else None,
        "default_user": timer.user,
    }
    if timer.billable is not None:  # else the time service's default (the engagement's)
        values["billable"] = timer.billable
    return time_entry_create(**values)


def _stop(timer: Timer, *, at: dt.datetime) -> TimeEntry:
    """Stop a locked, running timer: its entry first (a refusal leaves the timer as it was)."""
    entry = _entry_for(timer, at=at)
    timer.status = TimerStatus.STOPPED
    timer.stopped_at = at
    timer.time_entry = entry
    timer.save(update_fields=["status", "stopped_at", "time_entry", "updated_at"])
    events.timer_event("timer.stopped", firm=timer.firm, timer=timer)
    return entry


def _already_running(error) -> Timer:
    raise ConflictError(
        "Another timer was started for this user at the same moment: list the running timers "
        "and try again.",
    ) from error


@transaction.atomic
def timer_start(
    *,
    firm: Entity,
    link: ClientLink,
    user_id: str | None = None,
    default_user: User | None = None,
    engagement_id: str | None = None,
    task_id: str | None = None,
    description: str = "",
    billable: bool | None = None,
) -> TimerStarted:
    """Start a timer for `user_id` (a member of the firm), else for `default_user` (the caller).

    `billable` None leaves it to the time service when the timer stops (the engagement's default).
    The user's running timer, if any, is stopped first and its entry made."""
    user = _timer_user(firm=firm, user_id=user_id, default_user=default_user)
    refs = time_entry_references(
        firm=firm, client=link.client, engagement_id=engagement_id, task_id=task_id
    )
    engagement, task = refs["engagement"], refs["task"]
    _lock_user(user.pk)
    now = timezone.now()
    running = _running_timer_of(user.pk)
    stopped = entry = None
    if running is not None and running.firm_id != firm.pk:
        # One clock per person, but one firm's request never writes another firm's time.
        raise ConflictError(
            "This user has a timer running for another firm: stop it there first.",
        )
    if running is not None:
        try:
            entry = _stop(running, at=now)
        except ApplicationError as error:
            error.message = (
                f"The running timer {running.public_id} could not be stopped, so no new timer "
                f"was started: {error.message}"
            )
            raise
        stopped = running
    timer = in_savepoint(
        lambda: Timer.objects.create(
            firm=firm,
            user=user,
            client=link.client,
            engagement=engagement,
            task=task,
            description=description,
            billable=billable,
            started_at=now,
        ),
        on_conflict=_already_running,
    )
    events.timer_event("timer.started", firm=firm, timer=timer)
    return TimerStarted(timer=timer, stopped=stopped, entry=entry)


@transaction.atomic
def timer_stop(*, firm: Entity, public_id: str) -> TimerStopped:
    """Stop the firm's running timer and log its time; 409 `timer_not_running` otherwise."""
    timer = _locked_running(firm=firm, public_id=public_id)
    entry = _stop(timer, at=timezone.now())
    return TimerStopped(timer=timer, entry=entry)


@transaction.atomic
def timer_discard(*, firm: Entity, public_id: str) -> Timer:
    """Throw the firm's running timer away: no entry; 409 `timer_not_running` otherwise."""
    timer = _locked_running(firm=firm, public_id=public_id)
    timer.status = TimerStatus.DISCARDED
    timer.stopped_at = timezone.now()
    timer.save(update_fields=["status", "stopped_at", "updated_at"])
    return timer
