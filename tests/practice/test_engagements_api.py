"""The engagements API: create with standard tasks, list and filter, statuses, tasks, recurrence.

Also: access (anonymous, a viewer, another firm, a suspended firm), bad input that must be a 400 and
never a 500, a flat query count for the list, and one next occurrence under concurrent completion.
"""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import PartnerEnrollment
from practice.models import Engagement, Task
from practice.services import engagements as engagement_services
from practice.services.clients import client_archive
from practice.task_templates import STANDARD_TASKS
from tests.helpers import assert_error, db_snapshot, requires_postgres

pytestmark = pytest.mark.django_db

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


# --- Create -------------------------------------------------------------------------------------


def test_create_returns_the_engagement_with_its_standard_tasks(alice, acme):
    response = post_create(
        alice,
        create_body(
            alice,
            acme,
            type="bookkeeping",
            recurrence="quarterly",
            notes="Bring the shoebox.",
            dueDate="2026-10-31",
            assigneeUserId=alice.user.public_id,
        ),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"engagement"}
    engagement = body["engagement"]
    assert set(engagement) == ENGAGEMENT_KEYS
    assert engagement["id"].startswith("eng_")
    assert engagement == {
        **engagement,
        "entityId": acme.client.public_id,
        "name": "Q4 bookkeeping",
        "type": "bookkeeping",
        "status": "active",
        "recurrence": "quarterly",
        "periodKey": "2026-Q4",
        "startDate": "2026-10-01",
        "dueDate": "2026-10-31",
        "assigneeUserId": alice.user.public_id,
        "notes": "Bring the shoebox.",
        "completedAt": None,
    }
    assert engagement["createdAt"].endswith("Z") and engagement["updatedAt"].endswith("Z")
    tasks = engagement["tasks"]
    assert all(set(t) == TASK_KEYS for t in tasks)
    assert all(t["id"].startswith("task_") for t in tasks)
    assert len({t["id"] for t in tasks}) == 5
    assert [(t["title"], t["position"], t["dueDate"]) for t in tasks] == [
        ("Reconcile bank and card accounts", 1, "2026-10-06"),
        ("Categorize transactions", 2, "2026-10-08"),
        ("Review AR and AP", 3, "2026-10-11"),
        ("Close the period", 4, "2026-10-13"),
        ("Send statements", 5, "2026-10-16"),
    ]
    assert all(t["completed"] is False and t["completedAt"] is None for t in tasks)
    stored = Engagement.objects.get(public_id=engagement["id"])
    assert stored.firm == alice.firm and stored.client == acme.client
    assert stored.tasks.count() == 5


def test_create_with_only_the_required_fields_uses_the_defaults(alice, acme):
    engagement = create(alice, acme)
    assert engagement == {
        **engagement,
        "type": "other",
        "status": "active",
        "recurrence": None,
        "periodKey": None,
        "dueDate": None,
        "assigneeUserId": None,
        "notes": "",
        "completedAt": None,
        "tasks": [],
    }


@pytest.mark.parametrize("kind", ["bookkeeping", "tax_prep", "advisory", "audit", "other"])
def test_each_type_starts_with_its_standard_tasks_in_order(alice, acme, kind):
    start = "2026-12-20"
    engagement = create(alice, acme, type=kind, startDate=start)
    assert engagement["type"] == kind
    expected = [
        (title, position, days_after(start, days))
        for position, (title, days) in enumerate(EXPECTED_TASKS[kind], start=1)
    ]
    assert [(t["title"], t["position"], t["dueDate"]) for t in engagement["tasks"]] == expected
    # The templates module is the source: the table above must agree with it.
    assert [(t.title, t.due_after_days) for t in STANDARD_TASKS[kind]] == EXPECTED_TASKS[kind]


@pytest.mark.parametrize(
    ("recurrence", "start", "key"),
    [
        ("monthly", "2026-10-15", "2026-10"),
        ("monthly", "2026-01-31", "2026-01"),
        ("quarterly", "2026-10-01", "2026-Q4"),
        ("quarterly", "2026-03-31", "2026-Q1"),
        ("quarterly", "2026-04-01", "2026-Q2"),
        ("annual", "2026-07-04", "2026"),
        (None, "2026-07-04", None),
    ],
)
def test_period_key_follows_the_recurrence(alice, acme, recurrence, start, key):
    engagement = create(alice, acme, recurrence=recurrence, startDate=start)
    assert (engagement["recurrence"], engagement["periodKey"]) == (recurrence, key)


def test_names_up_to_200_characters_and_long_notes_are_accepted(alice, acme):
    engagement = create(alice, acme, name="n" * 200, notes="x" * 10_000, dueDate="2026-10-01")
    assert (len(engagement["name"]), len(engagement["notes"])) == (200, 10_000)
    assert engagement["dueDate"] == engagement["startDate"]


def test_a_viewer_of_the_firm_can_be_the_assignee(alice, bob, acme):
    engagement = create(alice, acme, type="advisory", assigneeUserId=bob.user.public_id)
    assert engagement["assigneeUserId"] == bob.user.public_id


def test_an_assignee_outside_the_firm_is_the_same_400_as_an_unknown_user(alice, charlie, acme):
    before = db_snapshot()
    foreign = post_create(alice, create_body(alice, acme, assigneeUserId=charlie.user.public_id))
    unknown = post_create(alice, create_body(alice, acme, assigneeUserId=new_public_id("usr")))
    error = assert_error(foreign, 400, "validation_error")
    assert "assigneeUserId" in error["fields"]
    assert error["message"].startswith("assigneeUserId")
    assert foreign.content == unknown.content
    assert db_snapshot() == before


def test_another_firms_client_is_the_same_404_as_an_unknown_one(alice, acme, globex):
    before = db_snapshot()
    foreign = post_create(alice, create_body(alice, acme, entityId=globex.client.public_id))
    unknown = post_create(alice, create_body(alice, acme, entityId=new_public_id("ent")))
    own_firm = post_create(alice, create_body(alice, acme, entityId=alice.firm.public_id))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == own_firm.content
    assert db_snapshot() == before


def test_an_archived_client_is_the_same_404_as_an_unknown_one(alice, acme):
    client_archive(link=acme)
    before = db_snapshot()
    archived = post_create(alice, create_body(alice, acme))
    unknown = post_create(alice, create_body(alice, acme, entityId=new_public_id("ent")))
    assert_error(archived, 404, "not_found")
    assert archived.content == unknown.content
    assert db_snapshot() == before


def test_another_firms_id_as_firm_is_the_same_404_as_an_unknown_one(alice, charlie, acme):
    before = db_snapshot()
    foreign = post_create(alice, create_body(alice, acme, firmEntityId=charlie.firm.public_id))
    unknown = post_create(alice, create_body(alice, acme, firmEntityId=new_public_id("ent")))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    assert db_snapshot() == before


DROP = "<drop>"  # a key to leave out of the body


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": DROP}, "name"),
        ({"startDate": DROP}, "startDate"),
        ({"entityId": DROP}, "entityId"),
        ({"firmEntityId": DROP}, "firmEntityId"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": 123}, "name"),
        ({"name": ["Q4"]}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Q4\x00close"}, "name"),
        ({"startDate": "2026-02-30"}, "startDate"),
        ({"startDate": "2026-13-01"}, "startDate"),
        ({"startDate": "2026-00-10"}, "startDate"),
        ({"startDate": "yesterday"}, "startDate"),
        ({"startDate": 20261001}, "startDate"),
        ({"startDate": None}, "startDate"),
        ({"startDate": {"y": 2026}}, "startDate"),
        ({"type": "consulting"}, "type"),
        ({"type": "Bookkeeping"}, "type"),
        ({"type": None}, "type"),
        ({"type": 1}, "type"),
        ({"type": ["audit"]}, "type"),
        ({"recurrence": "weekly"}, "recurrence"),
        ({"recurrence": "Monthly"}, "recurrence"),
        ({"recurrence": 12}, "recurrence"),
        ({"recurrence": True}, "recurrence"),
        ({"notes": 5}, "notes"),
        ({"notes": None}, "notes"),
        ({"notes": "n" * 10_001}, "notes"),
        ({"dueDate": "2026-09-30"}, "dueDate"),
        ({"dueDate": "2026-02-29"}, "dueDate"),
        ({"dueDate": "soon"}, "dueDate"),
        ({"dueDate": 5}, "dueDate"),
        ({"entityId": "nope"}, "entityId"),
        ({"entityId": 123}, "entityId"),
        ({"entityId": None}, "entityId"),
        ({"entityId": "ent_" + "0" * 27}, "entityId"),
        ({"entityId": "ent_" + "0" * 10_000}, "entityId"),
        ({"entityId": "ENT_" + "0" * 26}, "entityId"),
        ({"entityId": "eng_" + "0" * 26}, "entityId"),
        ({"firmEntityId": "ent_short"}, "firmEntityId"),
        ({"firmEntityId": ["ent_" + "0" * 26]}, "firmEntityId"),
        ({"assigneeUserId": "alice"}, "assigneeUserId"),
        ({"assigneeUserId": 7}, "assigneeUserId"),
        ({"assigneeUserId": "usr_" + "u" * 26}, "assigneeUserId"),
        ({"assigneeUserId": "UNKNOWN_USER"}, "assigneeUserId"),
    ],
    ids=short_id,
)
def test_bad_create_input_is_400_naming_the_field_and_writes_nothing(alice, acme, changes, field):
    body = {**create_body(alice, acme, type="bookkeeping"), **changes}
    body = {k: v for k, v in body.items() if v != DROP}
    if body.get("assigneeUserId") == "UNKNOWN_USER":  # well-formed, names no one
        body["assigneeUserId"] = new_public_id("usr")
    before = db_snapshot()
    error = assert_error(post_create(alice, body), 400, "validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before


def test_a_start_date_too_late_for_its_tasks_is_a_400_not_a_500(alice, acme):
    """Tasks fall due days after the start; the last day of the calendar leaves them no room."""
    body = create_body(alice, acme, type="bookkeeping", startDate="9999-12-31")
    before = db_snapshot()
    response = post_create(alice, body)
    assert response.status_code != 500, response.content
    error = assert_error(response, 400, "validation_error")
    assert "startDate" in error["fields"], error
    assert db_snapshot() == before


def test_malformed_json_and_non_object_bodies_are_400(alice, acme):
    before = db_snapshot()
    error = assert_error(
        alice.client.post(ENGAGEMENTS, data='{"name": ', content_type="application/json"),
        400,
        "malformed_request",
    )
    assert "JSON" in error["message"]
    for raw in ("[]", "null", '"Q4"', "42"):
        assert_error(
            alice.client.post(ENGAGEMENTS, data=raw, content_type="application/json"),
            400,
            "validation_error",
        )
    for raw in ("{", '{"firmEntityId": "x",}', "[1, 2"):
        assert_error(
            alice.client.patch(ENGAGEMENTS, data=raw, content_type="application/json"),
            400,
            "malformed_request",
        )
    assert_error(alice.client.post(ENGAGEMENTS, data={"name": "x"}), 415, "unsupported_media_type")
    assert db_snapshot() == before


# --- List ---------------------------------------------------------------------------------------


def test_list_returns_what_create_returned_in_start_date_order(alice, acme):
    later = create(alice, acme, name="Later", type="audit", startDate="2026-12-01")
    earlier = create(alice, acme, name="Earlier", type="advisory", startDate="2026-01-15")
    response = alice.client.get(ENGAGEMENTS, {"firmEntityId": alice.firm.public_id})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"engagements", "hasMore", "nextCursor"}
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert body["engagements"] == [earlier, later]


def test_list_shows_only_the_callers_firm(alice, charlie, acme, globex):
    mine = create(alice, acme)
    theirs = create(charlie, globex)
    assert [e["id"] for e in listed(alice)] == [mine["id"]]
    assert [e["id"] for e in listed(charlie)] == [theirs["id"]]
    assert listed(alice, clientEntityId=globex.client.public_id) == []


def test_a_viewer_can_list(alice, bob, acme):
    engagement = create(alice, acme, type="tax_prep")
    assert listed(bob) == [engagement]


def test_list_filters_by_client_status_assignee_and_updated_since(alice, bob, acme, make_client):
    initech = make_client(alice, "Initech")
    a = create(alice, acme, name="A", assigneeUserId=alice.user.public_id, startDate="2026-01-01")
    b = create(alice, acme, name="B", assigneeUserId=bob.user.public_id, startDate="2026-02-01")
    c = create(alice, initech, name="C", startDate="2026-03-01")
    ok(set_status(alice, b["id"], "completed"))
    ok(set_status(alice, c["id"], "cancelled"))

    def names(**params):
        return [e["name"] for e in listed(alice, **params)]

    assert names() == ["A", "B", "C"]
    assert names(clientEntityId=acme.client.public_id) == ["A", "B"]
    assert names(clientEntityId=initech.client.public_id) == ["C"]
    assert names(status="active") == ["A"]
    assert names(status="completed") == ["B"]
    assert names(status="cancelled") == ["C"]
    assert names(assigneeUserId=alice.user.public_id) == ["A"]
    assert names(assigneeUserId=bob.user.public_id) == ["B"]
    assert names(assigneeUserId=new_public_id("usr")) == []
    assert names(clientEntityId=acme.client.public_id, status="completed") == ["B"]
    assert names(clientEntityId=initech.client.public_id, status="active") == []

    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Engagement.objects.filter(public_id__in=[a["id"], c["id"]]).update(updated_at=old)
    since = (old + dt.timedelta(hours=1)).isoformat()
    assert names(updatedSince=since) == ["B"]
    assert names(updatedSince=old.isoformat()) == ["A", "B", "C"]
    # A status change is an update: the engagement is picked up by updatedSince again.
    ok(set_status(alice, c["id"], "active"))
    assert names(updatedSince=since) == ["B", "C"]


def test_completing_a_task_counts_as_an_update_of_its_engagement(alice, acme):
    engagement = create(alice, acme, type="advisory")
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Engagement.objects.filter(public_id=engagement["id"]).update(updated_at=old)
    since = (old + dt.timedelta(hours=1)).isoformat()
    assert listed(alice, updatedSince=since) == []
    ok(complete_task(alice, engagement["tasks"][0]["id"]))
    assert [e["id"] for e in listed(alice, updatedSince=since)] == [engagement["id"]]


def test_cursor_walks_every_engagement_once_in_order(alice, acme):
    made = [create(alice, acme, name=f"E{i}", startDate=f"2026-0{1 + i % 3}-01") for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"firmEntityId": alice.firm.public_id, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = alice.client.get(ENGAGEMENTS, params).json()
        pages += 1
        assert len(body["engagements"]) <= 3
        seen += body["engagements"]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        cursor = body["nextCursor"]
    assert pages == 3
    assert sorted(e["id"] for e in seen) == sorted(e["id"] for e in made)
    assert len({e["id"] for e in seen}) == 7
    starts = [e["startDate"] for e in seen]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"firmEntityId": None}, "firmEntityId"),
        ({"firmEntityId": "nope"}, "firmEntityId"),
        ({"firmEntityId": "ent_" + "0" * 300}, "firmEntityId"),
        ({"clientEntityId": "nope"}, "clientEntityId"),
        ({"clientEntityId": "eng_" + "0" * 26}, "clientEntityId"),
        ({"status": "archived"}, "status"),
        ({"status": "ACTIVE"}, "status"),
        ({"assigneeUserId": "bob"}, "assigneeUserId"),
        ({"updatedSince": "yesterday"}, "updatedSince"),
        ({"updatedSince": "2026-02-30T00:00:00Z"}, "updatedSince"),
        ({"limit": "0"}, "limit"),
        ({"limit": "2001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
    ids=short_id,
)
def test_bad_list_parameters_are_400_naming_them(alice, acme, params, field):
    create(alice, acme)
    query = {"firmEntityId": alice.firm.public_id, **params}
    query = {k: v for k, v in query.items() if v is not None}
    error = assert_error(alice.client.get(ENGAGEMENTS, query), 400, "validation_error")
    assert field in error["fields"], error


def test_a_cursor_from_another_list_is_refused(alice, acme, make_client):
    make_client(alice, "Initech")
    clients = alice.client.get(
        "/api/practice/clients", {"firmEntityId": alice.firm.public_id, "limit": 1}
    ).json()
    assert clients["nextCursor"]
    params = {"firmEntityId": alice.firm.public_id, "cursor": clients["nextCursor"]}
    error = assert_error(alice.client.get(ENGAGEMENTS, params), 400, "validation_error")
    assert "cursor" in error["fields"]


def _count_queries(persona, params) -> tuple[int, list[dict]]:
    persona.client.get(ENGAGEMENTS, params)  # warm up: the first key use of a minute is a write
    with CaptureQueriesContext(connection) as ctx:
        response = persona.client.get(ENGAGEMENTS, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["engagements"]


def test_list_takes_the_same_queries_for_1_or_200_engagements_with_tasks(alice, bob, acme):
    params = {"firmEntityId": alice.firm.public_id}

    def make(count: int, start: int) -> None:
        for i in range(start, start + count):
            engagement_services.engagement_create(
                firm=alice.firm,
                client=acme.client,
                name=f"E{i}",
                start_date=dt.date(2026, 1, 1) + dt.timedelta(days=i),
                type="bookkeeping",
                recurrence="monthly",
                assignee=bob.user if i % 2 else alice.user,
            )

    make(1, 0)
    one, listed_one = _count_queries(alice, params)
    assert len(listed_one) == 1
    make(199, 1)
    many, listed_many = _count_queries(alice, params)
    assert len(listed_many) == 200
    assert all(len(e["tasks"]) == 5 for e in listed_many)
    assert {e["assigneeUserId"] for e in listed_many} == {alice.user.public_id, bob.user.public_id}
    assert one == many


# --- Statuses -----------------------------------------------------------------------------------


def _in_status(persona, link, status: str) -> dict:
    engagement = create(persona, link, type="advisory")
    if status != "active":
        engagement = ok(set_status(persona, engagement["id"], status))
    assert engagement["status"] == status
    return engagement


@pytest.mark.parametrize(
    ("start", "target"),
    [
        ("active", "completed"),
        ("active", "cancelled"),
        ("completed", "active"),
        ("cancelled", "active"),
    ],
)
def test_allowed_status_moves(alice, acme, start, target):
    engagement = _in_status(alice, acme, start)
    moved = ok(set_status(alice, engagement["id"], target))
    assert moved["id"] == engagement["id"]
    assert moved["status"] == target
    if target == "completed":
        assert moved["completedAt"] is not None and moved["completedAt"].endswith("Z")
    else:
        assert moved["completedAt"] is None
    assert by_id(alice)[engagement["id"]] == moved
    # Moving the status leaves the tasks as they were.
    assert [t["completed"] for t in moved["tasks"]] == [False] * 4


@pytest.mark.parametrize("status", ["active", "completed", "cancelled"])
def test_asking_for_the_current_status_changes_nothing(alice, acme, status):
    engagement = _in_status(alice, acme, status)
    rows = practice_rows()
    again = ok(set_status(alice, engagement["id"], status))
    assert again == engagement
    assert practice_rows() == rows


@pytest.mark.parametrize(
    ("start", "target"), [("completed", "cancelled"), ("cancelled", "completed")]
)
def test_forbidden_status_moves_are_409_and_change_nothing(alice, acme, start, target):
    engagement = _in_status(alice, acme, start)
    rows = practice_rows()
    error = assert_error(set_status(alice, engagement["id"], target), 409)
    assert error["code"] == "invalid_status_transition"
    assert start in error["message"] and target in error["message"]
    assert practice_rows() == rows


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({}, None),
        ({"taskId": "TASK", "engagementId": "ENG", "status": "completed"}, None),
        ({"taskId": "TASK", "engagementId": "ENG"}, None),
        ({"engagementId": "ENG"}, "status"),
        ({"taskId": "TASK", "status": "completed"}, "status"),
        ({"engagementId": "ENG", "status": "archived"}, "status"),
        ({"engagementId": "ENG", "status": "Completed"}, "status"),
        ({"engagementId": "ENG", "status": None}, "status"),
        ({"engagementId": "ENG", "status": 1}, "status"),
        ({"engagementId": "nope", "status": "completed"}, "engagementId"),
        ({"engagementId": "eng_" + "0" * 27, "status": "completed"}, "engagementId"),
        ({"engagementId": "TASK", "status": "completed"}, "engagementId"),
        ({"engagementId": 12, "status": "completed"}, "engagementId"),
        ({"taskId": "nope"}, "taskId"),
        ({"taskId": "task_" + "0" * 5000}, "taskId"),
        ({"taskId": "ENG"}, "taskId"),
        ({"taskId": None}, "taskId"),
        ({"taskId": ["TASK"]}, "taskId"),
        ({"firmEntityId": None, "taskId": "TASK"}, "firmEntityId"),
        ({"firmEntityId": "nope", "taskId": "TASK"}, "firmEntityId"),
    ],
    ids=short_id,
)
def test_bad_collection_patches_are_400_and_change_nothing(alice, acme, extra, field):
    engagement = create(alice, acme, type="audit")
    ids = {"TASK": engagement["tasks"][0]["id"], "ENG": engagement["id"]}
    body = {"firmEntityId": alice.firm.public_id}
    body.update({k: ids.get(v, v) if isinstance(v, str) else v for k, v in extra.items()})
    if body.get("firmEntityId") is None:
        body.pop("firmEntityId")
    rows = practice_rows()
    error = assert_error(alice.client.patch(ENGAGEMENTS, body, format="json"), 400)
    assert error["code"] == "validation_error"
    if field is not None:
        assert field in error["fields"], error
    assert practice_rows() == rows


def test_unknown_ids_in_a_collection_patch_are_404(alice, acme):
    create(alice, acme, type="audit")
    rows = practice_rows()
    assert_error(complete_task(alice, new_public_id("task")), 404, "not_found")
    assert_error(set_status(alice, new_public_id("eng"), "completed"), 404, "not_found")
    assert practice_rows() == rows


# --- Tasks --------------------------------------------------------------------------------------


def test_completing_a_task_is_idempotent(alice, acme):
    engagement = create(alice, acme, type="bookkeeping")
    first_task = engagement["tasks"][1]
    once = ok(complete_task(alice, first_task["id"]))
    done = once["tasks"][1]
    assert done["id"] == first_task["id"]
    assert done["completed"] is True and done["completedAt"].endswith("Z")
    assert [t["completed"] for t in once["tasks"]] == [False, True, False, False, False]
    assert once["status"] == "active" and once["completedAt"] is None
    rows = practice_rows()
    twice = ok(complete_task(alice, first_task["id"]))
    assert twice == once
    via_path = ok(
        alice.client.post(
            task_url(engagement["id"], first_task["id"], "complete") + firm_query(alice)
        )
    )
    assert via_path == once
    assert practice_rows() == rows


def test_completing_the_last_open_task_completes_the_engagement(alice, acme):
    engagement = create(alice, acme, type="advisory")
    tasks = engagement["tasks"]
    for task in tasks[:-1]:
        assert ok(complete_task(alice, task["id"]))["status"] == "active"
    last = ok(complete_task(alice, tasks[-1]["id"]))
    assert last["status"] == "completed"
    assert last["completedAt"] is not None
    assert all(t["completed"] for t in last["tasks"])


def test_complete_and_reopen_through_the_task_paths(alice, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][2]["id"]
    # firmEntityId in the query string...
    done = ok(alice.client.post(task_url(eid, tid, "complete") + firm_query(alice)))
    assert done["tasks"][2]["completed"] is True
    # ... or in the body.
    reopened = ok(
        alice.client.post(
            task_url(eid, tid, "reopen"), {"firmEntityId": alice.firm.public_id}, format="json"
        )
    )
    assert reopened["tasks"][2] == {**done["tasks"][2], "completed": False, "completedAt": None}
    assert reopened["status"] == "active"
    # Reopening an open task is a no-op.
    rows = practice_rows()
    assert ok(alice.client.post(task_url(eid, tid, "reopen") + firm_query(alice))) == reopened
    assert practice_rows() == rows


def test_reopening_a_task_of_a_completed_engagement_makes_it_active(alice, acme):
    engagement = create(alice, acme, type="advisory")
    for task in engagement["tasks"]:
        completed = ok(complete_task(alice, task["id"]))
    assert completed["status"] == "completed"
    tid = engagement["tasks"][0]["id"]
    reopened = ok(alice.client.post(task_url(engagement["id"], tid, "reopen") + firm_query(alice)))
    assert reopened["status"] == "active"
    assert reopened["completedAt"] is None
    assert [t["completed"] for t in reopened["tasks"]] == [False, True, True, True]


def test_the_firm_in_query_and_body_must_agree_and_must_be_given(alice, charlie, acme):
    engagement = create(alice, acme, type="advisory")
    url = task_url(engagement["id"], engagement["tasks"][0]["id"], "complete")
    rows = practice_rows()
    error = assert_error(
        alice.client.post(
            url + firm_query(alice), {"firmEntityId": charlie.firm.public_id}, format="json"
        ),
        400,
        "validation_error",
    )
    assert "firmEntityId" in error["fields"]
    error = assert_error(alice.client.post(url), 400, "validation_error")
    assert "firmEntityId" in error["fields"]
    error = assert_error(alice.client.post(url + "?firmEntityId=nope"), 400, "validation_error")
    assert "firmEntityId" in error["fields"]
    assert practice_rows() == rows


def test_a_task_action_refuses_a_body_that_is_not_an_object(alice, acme):
    engagement = create(alice, acme, type="advisory")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        url = task_url(engagement["id"], engagement["tasks"][0]["id"], action) + firm_query(alice)
        for body in ("0", "false", "[]", '""'):
            response = alice.client.post(url, data=body, content_type="application/json")
            assert_error(response, 400, "validation_error")
    assert practice_rows() == rows
    # No body at all, or an empty object, is the same as naming the firm in the query only.
    url = task_url(engagement["id"], engagement["tasks"][0]["id"], "complete") + firm_query(alice)
    assert alice.client.post(url, data="{}", content_type="application/json").status_code == 200
    assert alice.client.post(url).status_code == 200


def test_a_task_under_another_engagements_path_is_404(alice, acme):
    first = create(alice, acme, type="advisory")
    second = create(alice, acme, type="audit")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        wrong = alice.client.post(
            task_url(second["id"], first["tasks"][0]["id"], action) + firm_query(alice)
        )
        unknown = alice.client.post(
            task_url(second["id"], new_public_id("task"), action) + firm_query(alice)
        )
        assert_error(wrong, 404, "not_found")
        assert wrong.content == unknown.content
    assert practice_rows() == rows


def test_a_task_of_a_cancelled_engagement_under_another_path_is_still_404(alice, acme):
    """The path names no such task: that is a 404 before anything is said about its engagement."""
    cancelled = create(alice, acme, type="advisory")
    ok(set_status(alice, cancelled["id"], "cancelled"))
    other = create(alice, acme, type="audit")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        response = alice.client.post(
            task_url(other["id"], cancelled["tasks"][0]["id"], action) + firm_query(alice)
        )
        assert_error(response, 404, "not_found")
    assert practice_rows() == rows


def test_tasks_of_a_cancelled_engagement_are_409_until_it_is_reopened(alice, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tasks = engagement["id"], engagement["tasks"]
    ok(complete_task(alice, tasks[1]["id"]))
    ok(set_status(alice, eid, "cancelled"))
    rows = practice_rows()
    for response in (
        complete_task(alice, tasks[0]["id"]),
        alice.client.post(task_url(eid, tasks[0]["id"], "complete") + firm_query(alice)),
        alice.client.post(task_url(eid, tasks[1]["id"], "reopen") + firm_query(alice)),
    ):
        assert_error(response, 409, "engagement_cancelled")
    assert practice_rows() == rows
    ok(set_status(alice, eid, "active"))
    assert ok(complete_task(alice, tasks[0]["id"]))["tasks"][0]["completed"] is True


@pytest.mark.parametrize(
    ("engagement_part", "task_part", "field"),
    [
        ("nope", "TASK", "engagementId"),
        ("eng_" + "0" * 25, "TASK", "engagementId"),
        ("eng_" + "0" * 3000, "TASK", "engagementId"),
        ("TASK", "TASK", "engagementId"),
        ("ENG", "nope", "taskId"),
        ("ENG", "ENG", "taskId"),
        ("ENG", "task_" + "I" * 26, "taskId"),
        ("ENG", "task_%00" + "0" * 23, "taskId"),
    ],
    ids=short_id,
)
@pytest.mark.parametrize("action", ["complete", "reopen"])
def test_junk_ids_in_task_paths_are_400_naming_them(
    alice, acme, engagement_part, task_part, field, action
):
    engagement = create(alice, acme, type="advisory")
    ids = {"ENG": engagement["id"], "TASK": engagement["tasks"][0]["id"]}
    url = task_url(ids.get(engagement_part, engagement_part), ids.get(task_part, task_part), action)
    rows = practice_rows()
    error = assert_error(alice.client.post(url + firm_query(alice)), 400, "validation_error")
    assert field in error["fields"], error
    assert practice_rows() == rows


# --- Edit one engagement ------------------------------------------------------------------------


def test_edit_name_due_date_assignee_and_notes(alice, bob, acme):
    engagement = create(alice, acme, type="advisory", dueDate="2026-11-30")
    url = item_url(engagement["id"]) + firm_query(alice)
    edited = ok(
        alice.client.patch(
            url,
            {
                "name": "Advisory, renamed",
                "dueDate": "2026-12-15",
                "assigneeUserId": bob.user.public_id,
                "notes": "Call first.",
            },
            format="json",
        )
    )
    assert set(edited) == ENGAGEMENT_KEYS
    assert edited == {
        **engagement,
        "name": "Advisory, renamed",
        "dueDate": "2026-12-15",
        "assigneeUserId": bob.user.public_id,
        "notes": "Call first.",
        "updatedAt": edited["updatedAt"],
    }
    assert by_id(alice)[engagement["id"]] == edited
    # Clearing, with the firm in the body this time.
    cleared = ok(
        alice.client.patch(
            item_url(engagement["id"]),
            {"firmEntityId": alice.firm.public_id, "assigneeUserId": None, "dueDate": None},
            format="json",
        )
    )
    assert cleared["assigneeUserId"] is None and cleared["dueDate"] is None
    assert cleared["name"] == "Advisory, renamed"


def test_edit_status_follows_the_same_rules(alice, acme):
    engagement = create(alice, acme, type="advisory")
    url = item_url(engagement["id"]) + firm_query(alice)
    done = ok(alice.client.patch(url, {"status": "completed"}, format="json"))
    assert done["status"] == "completed" and done["completedAt"] is not None
    rows = practice_rows()
    error = assert_error(
        alice.client.patch(url, {"status": "cancelled", "name": "Renamed"}, format="json"),
        409,
        "invalid_status_transition",
    )
    assert error["message"]
    # The rename in the refused request was rolled back with it.
    assert practice_rows() == rows
    assert by_id(alice)[engagement["id"]]["name"] == engagement["name"]
    active = ok(alice.client.patch(url, {"status": "active"}, format="json"))
    assert active["status"] == "active" and active["completedAt"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, None),
        ({"firmEntityId": "FIRM"}, None),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "a\x00b"}, "name"),
        ({"dueDate": "2026-02-30"}, "dueDate"),
        ({"dueDate": "next week"}, "dueDate"),
        ({"dueDate": 20261231}, "dueDate"),
        ({"notes": 1}, "notes"),
        ({"notes": "n" * 10_001}, "notes"),
        ({"status": "archived"}, "status"),
        ({"status": None}, "status"),
        ({"assigneeUserId": "bob"}, "assigneeUserId"),
        ({"assigneeUserId": 3}, "assigneeUserId"),
        ({"assigneeUserId": "UNKNOWN_USER"}, "assigneeUserId"),
        ({"assigneeUserId": "CHARLIE"}, "assigneeUserId"),
        ({"firmEntityId": "nope", "name": "x"}, "firmEntityId"),
        ({"firmEntityId": "OTHER_FIRM", "name": "x"}, "firmEntityId"),
    ],
    ids=short_id,
)
def test_bad_edits_are_400_naming_the_field_and_change_nothing(alice, charlie, acme, body, field):
    engagement = create(alice, acme, type="advisory", startDate="2026-10-01")
    names = {
        "FIRM": alice.firm.public_id,
        "OTHER_FIRM": charlie.firm.public_id,
        "UNKNOWN_USER": new_public_id("usr"),
        "CHARLIE": charlie.user.public_id,
    }
    body = {k: names.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    rows = practice_rows()
    response = alice.client.patch(
        item_url(engagement["id"]) + firm_query(alice), body, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    if field is not None:
        assert field in error["fields"], error
    assert practice_rows() == rows


def test_an_edited_due_date_before_the_start_date_is_400(alice, acme):
    """Create refuses dueDate < startDate; an edit must not let the same state in."""
    engagement = create(alice, acme, type="advisory", startDate="2026-10-01")
    rows = practice_rows()
    response = alice.client.patch(
        item_url(engagement["id"]) + firm_query(alice), {"dueDate": "2026-09-30"}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "dueDate" in error["fields"], error
    assert practice_rows() == rows


@pytest.mark.parametrize(
    "path_id",
    ["nope", "eng_" + "0" * 25, "eng_" + "0" * 27, "eng_" + "9" * 4000, "ENG_" + "0" * 26, "TASK"],
    ids=short_id,
)
def test_junk_engagement_ids_in_the_path_are_400(alice, acme, path_id):
    engagement = create(alice, acme, type="advisory")
    path_id = engagement["tasks"][0]["id"] if path_id == "TASK" else path_id
    rows = practice_rows()
    response = alice.client.patch(
        item_url(path_id) + firm_query(alice), {"name": "x"}, format="json"
    )
    error = assert_error(response, 400, "validation_error")
    assert "engagementId" in error["fields"], error
    assert practice_rows() == rows


def test_an_unknown_engagement_id_in_the_path_is_404(alice, acme):
    create(alice, acme)
    rows = practice_rows()
    response = alice.client.patch(
        item_url(new_public_id("eng")) + firm_query(alice), {"name": "x"}, format="json"
    )
    assert_error(response, 404, "not_found")
    assert practice_rows() == rows


# --- Recurrence ---------------------------------------------------------------------------------


def test_completing_a_quarterly_engagement_creates_the_next_quarter(alice, bob, acme):
    first = create(
        alice,
        acme,
        name="Quarterly close",
        type="bookkeeping",
        recurrence="quarterly",
        startDate="2026-10-01",
        dueDate="2026-10-31",
        notes="Same as always.",
        assigneeUserId=bob.user.public_id,
    )
    ok(complete_task(alice, first["tasks"][0]["id"]))
    done = ok(set_status(alice, first["id"], "completed"))
    assert done["id"] == first["id"] and done["status"] == "completed"
    engagements = listed(alice)
    assert [e["id"] for e in engagements][0] == first["id"]
    assert len(engagements) == 2
    nxt = engagements[1]
    assert nxt["id"] != first["id"]
    assert nxt == {
        **nxt,
        "entityId": acme.client.public_id,
        "name": "Quarterly close",
        "type": "bookkeeping",
        "status": "active",
        "recurrence": "quarterly",
        "periodKey": "2027-Q1",
        "startDate": "2027-01-01",
        "dueDate": "2027-01-31",
        "assigneeUserId": bob.user.public_id,
        "notes": "Same as always.",
        "completedAt": None,
    }
    assert first["periodKey"] == "2026-Q4"
    # Fresh tasks: new ids, none completed, due from the new start date.
    assert not {t["id"] for t in nxt["tasks"]} & {t["id"] for t in first["tasks"]}
    assert [(t["title"], t["position"], t["dueDate"], t["completed"]) for t in nxt["tasks"]] == [
        (title, i, days_after("2027-01-01", days), False)
        for i, (title, days) in enumerate(EXPECTED_TASKS["bookkeeping"], start=1)
    ]


def test_completing_the_last_task_of_a_recurring_engagement_creates_the_next(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="annual", startDate="2026-03-15")
    for task in first["tasks"]:
        ok(complete_task(alice, task["id"]))
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"], e["status"]) for e in engagements] == [
        ("2026-03-15", "2026", "completed"),
        ("2027-03-15", "2027", "active"),
    ]
    assert [t["completed"] for t in engagements[1]["tasks"]] == [False] * 4


def _complete_series(persona, link, recurrence: str, start: str, count: int) -> list[dict]:
    """Complete `count` occurrences in turn, each time the newest one; returns the whole series."""
    current = create(persona, link, recurrence=recurrence, startDate=start, name="Series")
    for _ in range(count):
        ok(set_status(persona, current["id"], "completed"))
        current = [e for e in listed(persona) if e["status"] == "active"][-1]
    return listed(persona)


@pytest.mark.parametrize(
    ("recurrence", "start", "expected"),
    [
        (
            "monthly",
            "2026-01-31",
            [
                ("2026-01-31", "2026-01"),
                ("2026-02-28", "2026-02"),
                ("2026-03-31", "2026-03"),
                ("2026-04-30", "2026-04"),
                ("2026-05-31", "2026-05"),
            ],
        ),
        (
            "monthly",
            "2026-11-15",
            [
                ("2026-11-15", "2026-11"),
                ("2026-12-15", "2026-12"),
                ("2027-01-15", "2027-01"),
            ],
        ),
        (
            "quarterly",
            "2026-08-31",
            [
                ("2026-08-31", "2026-Q3"),
                ("2026-11-30", "2026-Q4"),
                ("2027-02-28", "2027-Q1"),
                ("2027-05-31", "2027-Q2"),
            ],
        ),
        (
            "annual",
            "2028-02-29",
            [
                ("2028-02-29", "2028"),
                ("2029-02-28", "2029"),
                ("2030-02-28", "2030"),
                ("2031-02-28", "2031"),
                ("2032-02-29", "2032"),
            ],
        ),
    ],
)
def test_occurrences_step_by_period_anchored_on_the_series_start(
    alice, acme, recurrence, start, expected
):
    series = _complete_series(alice, acme, recurrence, start, len(expected) - 1)
    assert [(e["startDate"], e["periodKey"]) for e in series] == expected
    assert [e["status"] for e in series] == ["completed"] * (len(expected) - 1) + ["active"]
    assert {e["name"] for e in series} == {"Series"}


def test_a_due_date_keeps_its_distance_from_the_start(alice, acme):
    first = create(alice, acme, recurrence="monthly", startDate="2026-01-31", dueDate="2026-02-10")
    ok(set_status(alice, first["id"], "completed"))
    nxt = listed(alice)[1]
    assert (nxt["startDate"], nxt["dueDate"]) == ("2026-02-28", "2026-03-10")


def test_completing_through_the_engagement_path_creates_the_next_occurrence(alice, acme):
    first = create(alice, acme, type="tax_prep", recurrence="annual", startDate="2026-01-15")
    url = item_url(first["id"]) + firm_query(alice)
    done = ok(alice.client.patch(url, {"status": "completed", "notes": "Filed."}, format="json"))
    assert (done["status"], done["notes"]) == ("completed", "Filed.")
    ok(alice.client.patch(url, {"status": "completed"}, format="json"))
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"], e["status"]) for e in engagements] == [
        ("2026-01-15", "2026", "completed"),
        ("2027-01-15", "2027", "active"),
    ]
    # The next occurrence takes the notes as they were when the series moved on.
    assert engagements[1]["notes"] == "Filed."
    assert len(engagements[1]["tasks"]) == 5


def test_without_recurrence_or_when_cancelled_no_next_occurrence(alice, acme):
    once = create(alice, acme, type="advisory")
    ok(set_status(alice, once["id"], "completed"))
    recurring = create(alice, acme, recurrence="monthly", startDate="2026-05-01")
    ok(set_status(alice, recurring["id"], "cancelled"))
    assert sorted(e["id"] for e in listed(alice)) == sorted([once["id"], recurring["id"]])


@pytest.mark.parametrize(
    "moves",
    [
        ["completed", "completed"],
        ["completed", "active", "completed"],
        ["completed", "active", "cancelled", "active", "completed"],
    ],
)
def test_the_next_occurrence_is_created_exactly_once(alice, acme, moves):
    first = create(alice, acme, recurrence="quarterly", startDate="2026-10-01")
    for move in moves:
        ok(set_status(alice, first["id"], move))
    engagements = listed(alice)
    assert [(e["startDate"], e["periodKey"]) for e in engagements] == [
        ("2026-10-01", "2026-Q4"),
        ("2027-01-01", "2027-Q1"),
    ]
    assert Engagement.objects.count() == 2


def test_reopening_and_recompleting_a_task_creates_the_next_once(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="monthly", startDate="2026-10-01")
    for task in first["tasks"]:
        ok(complete_task(alice, task["id"]))
    tid = first["tasks"][-1]["id"]
    reopened = ok(alice.client.post(task_url(first["id"], tid, "reopen") + firm_query(alice)))
    assert reopened["status"] == "active"
    again = ok(complete_task(alice, tid))
    assert again["status"] == "completed"
    assert [e["periodKey"] for e in listed(alice)] == ["2026-10", "2026-11"]
    assert Task.objects.count() == 8


def test_completing_an_occurrence_never_rewrites_earlier_ones(alice, acme):
    first = create(alice, acme, type="advisory", recurrence="monthly", startDate="2026-01-31")
    ok(set_status(alice, first["id"], "completed"))
    before = listed(alice)
    first_done, second = before
    ok(set_status(alice, second["id"], "completed"))
    after = listed(alice)
    assert len(after) == 3
    assert after[0] == first_done
    assert after[1]["status"] == "completed"
    assert (after[2]["startDate"], after[2]["periodKey"]) == ("2026-03-31", "2026-03")
    # Reopening and completing the first again touches neither later occurrence nor adds one.
    later = after[1:]
    ok(set_status(alice, first["id"], "active"))
    ok(set_status(alice, first["id"], "completed"))
    final = listed(alice)
    assert len(final) == 3
    assert final[1:] == later


def test_a_recurring_engagement_at_the_end_of_the_calendar_completes_without_a_500(alice, acme):
    """Dates stop at 2999-12-31, so the period after the last one still exists."""
    last = create(alice, acme, recurrence="monthly", startDate="2999-12-01", type="bookkeeping")
    response = set_status(alice, last["id"], "completed")
    assert response.status_code == 200, response.content
    assert (
        Engagement.objects.get(
            series_id=Engagement.objects.get(public_id=last["id"]).series_id, occurrence=1
        ).period_key
        == "3000-01"
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_completions_create_exactly_one_next_occurrence(alice, acme):
    threads_count = 6
    engagement = engagement_services.engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Quarterly close",
        start_date=dt.date(2026, 10, 1),
        type="bookkeeping",
        recurrence="quarterly",
    )
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []
    statuses: list[str] = []

    def complete() -> None:
        try:
            barrier.wait(timeout=10)
            done = engagement_services.engagement_set_status(
                firm=alice.firm, public_id=engagement.public_id, status="completed"
            )
            statuses.append(done.status)
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert statuses == ["completed"] * threads_count
    series = Engagement.objects.filter(series_id=engagement.series_id).order_by("occurrence")
    assert [(e.occurrence, e.period_key, e.start_date) for e in series] == [
        (0, "2026-Q4", dt.date(2026, 10, 1)),
        (1, "2027-Q1", dt.date(2027, 1, 1)),
    ]
    assert Task.objects.filter(engagement=series[1]).count() == 5


# --- Access -------------------------------------------------------------------------------------


def _write_requests(persona, engagement: dict, link) -> list:
    """Each write endpoint, called by `persona` against `engagement` (in `persona`'s firm)."""
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    q = firm_query(persona)
    c = persona.client
    return [
        lambda: c.post(ENGAGEMENTS, create_body(persona, link), format="json"),
        lambda: complete_task(persona, tid),
        lambda: set_status(persona, eid, "cancelled"),
        lambda: c.patch(item_url(eid) + q, {"name": "Hijacked"}, format="json"),
        lambda: c.post(task_url(eid, tid, "complete") + q),
        lambda: c.post(task_url(eid, tid, "reopen") + q),
    ]


def test_anonymous_is_401_everywhere_and_changes_nothing(alice, anon, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    q = firm_query(alice)
    before, rows = db_snapshot(), practice_rows()
    for response in (
        anon.get(ENGAGEMENTS + q),
        anon.post(ENGAGEMENTS, create_body(alice, acme), format="json"),
        anon.patch(
            ENGAGEMENTS,
            {"firmEntityId": alice.firm.public_id, "taskId": tid},
            format="json",
        ),
        anon.patch(item_url(eid) + q, {"name": "x"}, format="json"),
        anon.post(task_url(eid, tid, "complete") + q),
        anon.post(task_url(eid, tid, "reopen") + q),
    ):
        assert_error(response, 401, "not_authenticated")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_viewer_cannot_write_and_changes_nothing(alice, bob, acme):
    engagement = create(alice, acme, type="advisory")
    ok(complete_task(alice, engagement["tasks"][0]["id"]))
    before, rows = db_snapshot(), practice_rows()
    for request in _write_requests(bob, engagement, acme):
        assert_error(request(), 403, "permission_denied")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_another_firms_engagement_and_task_ids_are_the_same_404_as_unknown_ones(
    alice, charlie, acme, globex
):
    mine = create(alice, acme, type="advisory")
    theirs = create(charlie, globex, type="audit")
    eid, tid = mine["id"], mine["tasks"][0]["id"]
    their_eid = theirs["id"]
    unknown_eid, unknown_tid = new_public_id("eng"), new_public_id("task")
    q = firm_query(charlie)
    c = charlie.client
    pairs = [
        (lambda e, t: complete_task(charlie, t)),
        (lambda e, t: set_status(charlie, e, "cancelled")),
        (lambda e, t: set_status(charlie, e, "completed")),
        (lambda e, t: c.patch(item_url(e) + q, {"name": "Hijacked"}, format="json")),
        (lambda e, t: c.post(task_url(e, t, "complete") + q)),
        (lambda e, t: c.post(task_url(e, t, "reopen") + q)),
        # Charlie's own engagement in the path, alice's task under it.
        (lambda e, t: c.post(task_url(their_eid, t, "complete") + q)),
    ]
    before, rows = db_snapshot(), practice_rows()
    for call in pairs:
        foreign = call(eid, tid)
        unknown = call(unknown_eid, unknown_tid)
        assert_error(foreign, 404, "not_found")
        assert foreign.content == unknown.content
    assert db_snapshot() == before
    assert practice_rows() == rows
    assert [e["id"] for e in listed(charlie)] == [their_eid]


def test_another_firms_id_as_firm_is_404_on_every_endpoint(alice, charlie, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    c = charlie.client
    before, rows = db_snapshot(), practice_rows()
    answers = []
    for firm_id in (alice.firm.public_id, new_public_id("ent")):
        q = f"?firmEntityId={firm_id}"
        answers.append(
            [
                c.get(ENGAGEMENTS + q),
                c.post(
                    ENGAGEMENTS,
                    create_body(alice, acme, firmEntityId=firm_id),
                    format="json",
                ),
                c.patch(ENGAGEMENTS, {"firmEntityId": firm_id, "taskId": tid}, format="json"),
                c.patch(
                    ENGAGEMENTS,
                    {"firmEntityId": firm_id, "engagementId": eid, "status": "cancelled"},
                    format="json",
                ),
                c.patch(item_url(eid) + q, {"name": "Hijacked"}, format="json"),
                c.post(task_url(eid, tid, "complete") + q),
                c.post(task_url(eid, tid, "reopen") + q),
            ]
        )
    for foreign, unknown in zip(*answers, strict=True):
        assert_error(foreign, 404, "not_found")
        assert foreign.content == unknown.content
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_suspended_firm_gets_partner_program_required(alice, acme):
    engagement = create(alice, acme, type="advisory")
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status="suspended")
    before, rows = db_snapshot(), practice_rows()
    requests = [lambda: alice.client.get(ENGAGEMENTS + firm_query(alice))]
    requests += _write_requests(alice, engagement, acme)
    for request in requests:
        assert_error(request(), 403, "partner_program_required")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_firm_without_enrollment_is_not_a_partner_firm(alice, acme):
    """The same refusal when the firm never enrolled at all (no enrollment row)."""
    engagement = create(alice, acme, type="advisory")
    PartnerEnrollment.objects.filter(firm=alice.firm).delete()
    rows = practice_rows()
    for request in _write_requests(alice, engagement, acme):
        assert_error(request(), 403, "partner_program_required")
    assert_error(alice.client.get(ENGAGEMENTS + firm_query(alice)), 403, "partner_program_required")
    assert practice_rows() == rows
