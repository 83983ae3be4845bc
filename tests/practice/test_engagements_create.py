"""Creating engagements: the engagement with its type's standard tasks, the period key, whose
clients and assignees it may name, and bad input that must be a 400 and never a 500."""

import pytest

from axiomatic.core.ids import new_public_id
from practice.models import Engagement
from practice.services.clients import client_archive
from practice.task_templates import STANDARD_TASKS
from tests.helpers import api, assert_error, db_snapshot
from tests.practice.engagement_helpers import (
    ENGAGEMENT_KEYS,
    ENGAGEMENTS,
    EXPECTED_TASKS,
    TASK_KEYS,
    create,
    create_body,
    days_after,
    short_id,
)

pytestmark = pytest.mark.django_db


# --- Create -------------------------------------------------------------------------------------


def test_create_returns_the_engagement_with_its_standard_tasks(alice, acme):
    body = api(alice).post(
        ENGAGEMENTS,
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
    foreign = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, assigneeUserId=charlie.user.public_id)
    )
    unknown = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, assigneeUserId=new_public_id("usr"))
    )
    error = assert_error(foreign, 400, "validation_error")
    assert "assigneeUserId" in error["fields"]
    assert error["message"].startswith("assigneeUserId")
    assert foreign.content == unknown.content
    assert db_snapshot() == before


def test_another_firms_client_is_the_same_404_as_an_unknown_one(alice, acme, globex):
    before = db_snapshot()
    foreign = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, entityId=globex.client.public_id)
    )
    unknown = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, entityId=new_public_id("ent"))
    )
    own_firm = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, entityId=alice.firm.public_id)
    )
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == own_firm.content
    assert db_snapshot() == before


def test_an_archived_client_is_the_same_404_as_an_unknown_one(alice, acme):
    client_archive(link=acme)
    before = db_snapshot()
    archived = api(alice).request("POST", ENGAGEMENTS, create_body(alice, acme))
    unknown = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, entityId=new_public_id("ent"))
    )
    assert_error(archived, 404, "not_found")
    assert archived.content == unknown.content
    assert db_snapshot() == before


def test_another_firms_id_as_firm_is_the_same_404_as_an_unknown_one(alice, charlie, acme):
    before = db_snapshot()
    foreign = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, firmEntityId=charlie.firm.public_id)
    )
    unknown = api(alice).request(
        "POST", ENGAGEMENTS, create_body(alice, acme, firmEntityId=new_public_id("ent"))
    )
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
    error = api(alice).post(ENGAGEMENTS, body, status=400, code="validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before


def test_a_start_date_too_late_for_its_tasks_is_a_400_not_a_500(alice, acme):
    """Tasks fall due days after the start; the last day of the calendar leaves them no room."""
    body = create_body(alice, acme, type="bookkeeping", startDate="9999-12-31")
    before = db_snapshot()
    response = api(alice).request("POST", ENGAGEMENTS, body)
    assert response.status_code != 500, response.content
    error = assert_error(response, 400, "validation_error")
    assert "startDate" in error["fields"], error
    assert db_snapshot() == before


def test_malformed_json_and_non_object_bodies_are_400(alice, acme):
    before = db_snapshot()
    error = api(alice).post(ENGAGEMENTS, raw='{"name": ', status=400, code="malformed_request")
    assert "JSON" in error["message"]
    for raw in ("[]", "null", '"Q4"', "42"):
        api(alice).post(ENGAGEMENTS, raw=raw, status=400, code="validation_error")
    for raw in ("{", '{"firmEntityId": "x",}', "[1, 2"):
        api(alice).patch(ENGAGEMENTS, raw=raw, status=400, code="malformed_request")
    assert_error(alice.client.post(ENGAGEMENTS, data={"name": "x"}), 415, "unsupported_media_type")
    assert db_snapshot() == before
