"""What the engagements API tests share: the contract's keys, each type's standard tasks, request
bodies and paths, and every engagement and task row to compare before and after a refusal."""

import datetime as dt

from practice.models import Engagement, Task

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


# --- Helpers ------------------------------------------------------------------------------------


def create_body(persona, link, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "name": "Q4 bookkeeping",
        "startDate": "2026-10-01",
    }
    body.update(overrides)
    return body


def post_create(persona, body):
    return persona.client.post(ENGAGEMENTS, body, format="json")


def create(persona, link, **overrides) -> dict:
    response = post_create(persona, create_body(persona, link, **overrides))
    assert response.status_code == 201, response.content
    return response.json()["engagement"]


def item_url(engagement_id: str) -> str:
    return f"{ENGAGEMENTS}/{engagement_id}"


def task_url(engagement_id: str, task_id: str, action: str) -> str:
    return f"{ENGAGEMENTS}/{engagement_id}/tasks/{task_id}/{action}"


def firm_query(persona) -> str:
    return f"?firmEntityId={persona.firm.public_id}"


def set_status(persona, engagement_id: str, status: str):
    body = {"firmEntityId": persona.firm.public_id, "engagementId": engagement_id, "status": status}
    return persona.client.patch(ENGAGEMENTS, body, format="json")


def complete_task(persona, task_id: str):
    body = {"firmEntityId": persona.firm.public_id, "taskId": task_id}
    return persona.client.patch(ENGAGEMENTS, body, format="json")


def ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()["engagement"]


def listed(persona, **params) -> list[dict]:
    response = persona.client.get(ENGAGEMENTS, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()["engagements"]


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
