"""Engagements and their tasks.

Status moves: active -> completed | cancelled; completed | cancelled -> active (reopen). Asking for the
status an engagement already has changes nothing. Completing the last open task completes the
engagement. Completing a recurring engagement creates the next occurrence, exactly once: occurrences
of a series are numbered and keyed by period (2026-10, 2026-Q4, 2026) under unique constraints, and
the completing transaction holds the engagement's row lock, so a second or concurrent completion
finds the next occurrence already there.

Economics (docs/adr/0026): an engagement is billed `hourly` (its time at its rates), for a
`fixed_fee` (the fee, billed as an invoice item naming the engagement; its time is what the fee is
measured against) or not at all (`non_billable`). Exactly the fixed-fee ones carry a fee: one given
to another kind is refused, and moving an engagement off fixed_fee clears its fee. Budgets, in
hours and/or in money, are optional and positive; each occurrence of a series inherits them, with
the rate, fee and billing method.
"""

import calendar
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError, field_errors
from axiomatic.core.history import history_record_bulk
from axiomatic.entities.models import Entity
from practice import events
from practice.errors import PracticeErrorCode
from practice.models import BillingMethod, Engagement, EngagementStatus, Recurrence, Task
from practice.task_templates import STANDARD_TASKS

MONTHS_PER_PERIOD = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.ANNUAL: 12}

ALLOWED_MOVES = {
    EngagementStatus.ACTIVE: {EngagementStatus.COMPLETED, EngagementStatus.CANCELLED},
    EngagementStatus.COMPLETED: {EngagementStatus.ACTIVE},
    EngagementStatus.CANCELLED: {EngagementStatus.ACTIVE},
}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 month = Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_key(recurrence: str | None, start: dt.date) -> str | None:
    if recurrence == Recurrence.MONTHLY:
        return f"{start.year}-{start.month:02d}"
    if recurrence == Recurrence.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if recurrence == Recurrence.ANNUAL:
        return f"{start.year}"
    return None


# The economics fields, as the model names them (a refusal names them as the API does).
ECONOMICS = ("billing_method", "rate_cents", "fee_cents", "budget_hours", "budget_amount_cents")
MAX_BUDGET_HOURS = Decimal("999999.99")


def _check_economics(values: dict) -> None:
    """Every rule on an engagement's economics (`values`: the ECONOMICS fields as they will be),
    all problems reported together. The API's serializers check types and ranges first; the admin's
    form reaches these checks with whatever the model's fields let through."""
    problems: dict[str, list[str]] = {}
    method, fee = values["billing_method"], values["fee_cents"]
    if method not in BillingMethod.values:
        problems["billingMethod"] = [f"Must be one of {', '.join(BillingMethod.values)}."]
    elif method == BillingMethod.FIXED_FEE and fee is None:
        problems["fee"] = ["Required for a fixed_fee engagement (cents, greater than 0)."]
    elif method != BillingMethod.FIXED_FEE and fee is not None:
        problems["fee"] = [
            f"Only a fixed_fee engagement has a fee; this one is {method}: leave the fee out "
            "or set billingMethod to fixed_fee."
        ]
    if fee is not None and fee <= 0:
        problems.setdefault("fee", []).append("Must be greater than 0.")
    if values["rate_cents"] is not None and values["rate_cents"] < 0:
        problems["rate"] = ["Must not be negative."]
    hours = values["budget_hours"]
    if hours is not None and not (0 < hours <= MAX_BUDGET_HOURS):
        problems["budgetHours"] = [f"Must be greater than 0 and at most {MAX_BUDGET_HOURS}."]
    amount = values["budget_amount_cents"]
    if amount is not None and amount <= 0:
        problems["budgetAmount"] = ["Must be greater than 0."]
    if problems:
        raise field_errors(problems)


def _economics_after(engagement: Engagement, changes: dict) -> dict:
    """The economics fields once `changes` apply: leaving fixed_fee without naming a fee clears
    it (a fee belongs to fixed-fee engagements alone)."""
    values = {key: changes.get(key, getattr(engagement, key)) for key in ECONOMICS}
    if "fee_cents" not in changes and values["billing_method"] != BillingMethod.FIXED_FEE:
        values["fee_cents"] = None
    return values


def _create_tasks(engagement: Engagement) -> None:
    tasks = Task.objects.bulk_create(
        Task(
            engagement=engagement,
            title=template.title,
            position=position,
            due_date=engagement.start_date + dt.timedelta(days=template.due_after_days),
            assignee=engagement.assignee,
        )
        for position, template in enumerate(STANDARD_TASKS[engagement.type], start=1)
    )
    history_record_bulk(tasks, model=Task, created=True)


@transaction.atomic
def engagement_create(
    *,
    firm: Entity,
    client: Entity,
    name: str,
    start_date: dt.date,
    type: str,
    recurrence: str | None = None,
    notes: str = "",
    due_date: dt.date | None = None,
    assignee=None,
    billing_method: str = BillingMethod.HOURLY,
    rate_cents: int | None = None,
    fee_cents: int | None = None,
    budget_hours: Decimal | None = None,
    budget_amount_cents: int | None = None,
) -> Engagement:
    economics = {
        "billing_method": billing_method,
        "rate_cents": rate_cents,
        "fee_cents": fee_cents,
        "budget_hours": budget_hours,
        "budget_amount_cents": budget_amount_cents,
    }
    if due_date is not None and due_date < start_date:
        raise field_errors({"dueDate": ["Must not be before startDate."]})
    _check_economics(economics)
    engagement = Engagement.objects.create(
        firm=firm,
        client=client,
        name=name,
        type=type,
        recurrence=recurrence,
        series_start_date=start_date,
        occurrence=0,
        period_key=period_key(recurrence, start_date),
        start_date=start_date,
        due_date=due_date,
        assignee=assignee,
        notes=notes,
        **economics,
    )
    _create_tasks(engagement)
    events.engagement_event("engagement.created", firm=firm, engagement=engagement)
    return engagement


def _next_occurrence(engagement: Engagement, *, firm: Entity) -> Engagement | None:
    """Create the series' next occurrence unless it exists. Caller holds the engagement's lock."""
    if not engagement.recurrence:
        return None
    number = engagement.occurrence + 1
    if Engagement.objects.filter(series_id=engagement.series_id, occurrence=number).exists():
        return None
    months = MONTHS_PER_PERIOD[engagement.recurrence] * number
    start = add_months(engagement.series_start_date, months)
    due = None
    if engagement.due_date is not None:
        due = start + (engagement.due_date - engagement.start_date)
    successor = Engagement.objects.create(
        firm_id=engagement.firm_id,
        client_id=engagement.client_id,
        name=engagement.name,
        type=engagement.type,
        recurrence=engagement.recurrence,
        series_id=engagement.series_id,
        series_start_date=engagement.series_start_date,
        occurrence=number,
        period_key=period_key(engagement.recurrence, start),
        start_date=start,
        due_date=due,
        assignee_id=engagement.assignee_id,
        notes=engagement.notes,
        **{key: getattr(engagement, key) for key in ECONOMICS},
    )
    _create_tasks(successor)
    events.engagement_event("engagement.created", firm=firm, engagement=successor)
    return successor


def _locked(*, firm: Entity, public_id: str) -> Engagement:
    engagement = (
        Engagement.objects.select_for_update().filter(firm=firm, public_id=public_id).first()
    )
    if engagement is None:
        raise NotFoundError()
    return engagement


def _move(engagement: Engagement, status: str, *, firm: Entity) -> None:
    if engagement.status == status:
        return
    if status not in ALLOWED_MOVES[engagement.status]:
        raise ConflictError(
            f"An engagement that is {engagement.status} cannot become {status}.",
            code=PracticeErrorCode.INVALID_STATUS_TRANSITION,
        )
    previous = engagement.status
    engagement.status = status
    engagement.completed_at = timezone.now() if status == EngagementStatus.COMPLETED else None
    engagement.save(update_fields=["status", "completed_at", "updated_at"])
    events.engagement_event(
        "engagement.status_changed",
        firm=firm,
        engagement=engagement,
        previousStatus=previous,
    )
    if status == EngagementStatus.COMPLETED:
        _next_occurrence(engagement, firm=firm)


@transaction.atomic
def engagement_set_status(*, firm: Entity, public_id: str, status: str) -> Engagement:
    engagement = _locked(firm=firm, public_id=public_id)
    _move(engagement, status, firm=firm)
    return engagement


@transaction.atomic
def engagement_update(*, firm: Entity, public_id: str, changes: dict) -> Engagement:
    """Edit name, due_date, assignee, notes, the economics (billing_method, rate_cents, fee_cents,
    budget_hours, budget_amount_cents) and/or status. Checked whole under the row lock: nothing is
    written unless every change is accepted."""
    engagement = _locked(firm=firm, public_id=public_id)
    due = changes.get("due_date")
    if due is not None and due < engagement.start_date:
        raise field_errors({"dueDate": ["Must not be before startDate."]})
    economics = _economics_after(engagement, changes)
    _check_economics(economics)
    fields = [key for key in ("name", "due_date", "assignee", "notes") if key in changes]
    fields += [key for key in ECONOMICS if economics[key] != getattr(engagement, key)]
    changes = {**changes, **economics}
    for key in fields:
        setattr(engagement, key, changes[key])
    if fields:
        engagement.save(update_fields=[*fields, "updated_at"])
    if "status" in changes:
        _move(engagement, changes["status"], firm=firm)
    return engagement


def _locked_task(
    *, firm: Entity, public_id: str, engagement_id: str | None
) -> tuple[Engagement, Task]:
    """The task and its engagement, locked (engagement first, everywhere). A task named under
    another engagement's path is as unknown as any other id."""
    tasks = Task.objects.filter(engagement__firm=firm, public_id=public_id)
    if engagement_id is not None:
        tasks = tasks.filter(engagement__public_id=engagement_id)
    engagement_pk = tasks.values_list("engagement_id", flat=True).first()
    if engagement_pk is None:
        raise NotFoundError()
    engagement = Engagement.objects.select_for_update().get(pk=engagement_pk)
    task = Task.objects.select_for_update().get(public_id=public_id)
    if engagement.status == EngagementStatus.CANCELLED:
        raise ConflictError(
            "The engagement is cancelled; reopen it before changing its tasks.",
            code=PracticeErrorCode.ENGAGEMENT_CANCELLED,
        )
    return engagement, task


@transaction.atomic
def task_complete(*, firm: Entity, public_id: str, engagement_id: str | None = None) -> Engagement:
    """Complete a task (idempotent); completing the last open one completes the engagement."""
    engagement, task = _locked_task(firm=firm, public_id=public_id, engagement_id=engagement_id)
    if task.completed_at is None:
        task.completed_at = timezone.now()
        task.save(update_fields=["completed_at", "updated_at"])
        Engagement.objects.filter(pk=engagement.pk).update(updated_at=timezone.now())
        events.engagement_event(
            "engagement.task_completed", firm=firm, engagement=engagement, taskId=task.public_id
        )
    open_tasks = engagement.tasks.filter(completed_at__isnull=True).exists()
    if not open_tasks and engagement.status == EngagementStatus.ACTIVE:
        _move(engagement, EngagementStatus.COMPLETED, firm=firm)
    return engagement


@transaction.atomic
def task_reopen(*, firm: Entity, public_id: str, engagement_id: str | None = None) -> Engagement:
    """Reopen a task (idempotent); a completed engagement becomes active again."""
    engagement, task = _locked_task(firm=firm, public_id=public_id, engagement_id=engagement_id)
    if task.completed_at is not None:
        task.completed_at = None
        task.save(update_fields=["completed_at", "updated_at"])
        Engagement.objects.filter(pk=engagement.pk).update(updated_at=timezone.now())
    if engagement.status == EngagementStatus.COMPLETED:
        _move(engagement, EngagementStatus.ACTIVE, firm=firm)
    return engagement
