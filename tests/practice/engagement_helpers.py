"""What the engagements API tests share: the contract's keys, each type's standard tasks, request
bodies and paths, and every engagement and task row to compare before and after a refusal."""

import datetime as dt

from practice.models import Engagement, Task
from tests.helpers import api

ENGAGEMENTS = "/api/practice/engagements"

ENGAGEMENT_KEYS = {
    "id",
    "entityId",
    "name",
    "type",
    "status",
    "recurrence",
    "periodKey",
    "startDate",
    "dueDate",
    "assigneeUserId",
    "notes",
    "completedAt",
    "createdAt",
    "updatedAt",
    "tasks",
    # docs: spec/extensions.md, Practice depth
    "billingMethod",
    "rate",
    "fee",
    "budgetHours",
    "budgetAmount",
    "actualHours",
    "actualAmount",
    "budgetUsed",
}
TASK_KEYS = {"id", "title", "position", "dueDate", "assigneeUserId", "completed", "completedAt"}

# What each type starts with, written out so that a change to the templates shows up here too.
EXPECTED_TASKS = {
    "bookkeeping": [
        ("Reconcile bank and card accounts", 5),
        ("Categorize transactions", 7),
        ("Review AR and AP", 10),
        ("Close the period", 12),
        ("Send statements", 15),
    ],
    "tax_prep": [
        ("Collect documents", 14),
        ("Prepare return", 30),
        ("Review", 37),
        ("Client signature", 44),
        ("File", 45),
    ],
    "advisory": [
        ("Kickoff meeting", 3),
        ("Analysis", 14),
        ("Recommendations report", 21),
        ("Review meeting", 28),
    ],
    "audit": [
        ("Planning and risk assessment", 7),
        ("Internal controls testing", 21),
        ("Substantive testing", 35),
        ("Draft report", 45),
        ("Final report", 60),
    ],
    "other": [],
}


def create_body(persona, link, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "name": "Q4 bookkeeping",
        "startDate": "2026-10-01",
    }
    body.update(overrides)
    return body


def create(persona, link, **overrides) -> dict:
    return api(persona).post(ENGAGEMENTS, create_body(persona, link, **overrides))["engagement"]


def item_url(engagement_id: str) -> str:
    return f"{ENGAGEMENTS}/{engagement_id}"


def task_url(engagement_id: str, task_id: str, action: str) -> str:
    return f"{ENGAGEMENTS}/{engagement_id}/tasks/{task_id}/{action}"


def firm_query(persona) -> str:
    return f"?firmEntityId={persona.firm.public_id}"


def status_change(persona, engagement_id: str, status: str) -> dict:
    """The collection PATCH that moves an engagement to `status`."""
    return {"firmEntityId": persona.firm.public_id, "engagementId": engagement_id, "status": status}


def task_completion(persona, task_id: str) -> dict:
    """The collection PATCH that completes a task."""
    return {"firmEntityId": persona.firm.public_id, "taskId": task_id}


def set_status(persona, engagement_id: str, status: str, *, expect=200, code=None) -> dict:
    """The engagement after the move, or the checked error when `expect` is an error status."""
    body = status_change(persona, engagement_id, status)
    answer = api(persona).patch(ENGAGEMENTS, body, status=expect, code=code)
    return answer if expect >= 400 else answer["engagement"]


def complete_task(persona, task_id: str, *, expect=200, code=None) -> dict:
    """The task's engagement after completing it, or the checked error."""
    body = task_completion(persona, task_id)
    answer = api(persona).patch(ENGAGEMENTS, body, status=expect, code=code)
    return answer if expect >= 400 else answer["engagement"]


def listed(persona, **params) -> list[dict]:
    params = {"firmEntityId": persona.firm.public_id, **params}
    return api(persona).get(ENGAGEMENTS, params)["engagements"]


def by_id(persona) -> dict[str, dict]:
    return {e["id"]: e for e in listed(persona)}


def practice_rows() -> tuple[list[dict], list[dict]]:
    """Every engagement and task, column by column: compare before and after a refused request."""
    return (
        list(Engagement.objects.order_by("id").values()),
        list(Task.objects.order_by("id").values()),
    )


def short_id(value) -> str:
    """A readable, bounded test id for a parameter (some are thousands of characters long)."""
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} chars)"


def days_after(start: str, days: int) -> str:
    return (dt.date.fromisoformat(start) + dt.timedelta(days=days)).isoformat()
