"""Changing engagements: the allowed status moves (and the refused ones, which change nothing),
and edits of one engagement's name, dates, assignee, notes and status."""

import pytest

from axiomatic.core.ids import new_public_id
from tests.helpers import api
from tests.practice.engagement_helpers import (
    ENGAGEMENT_KEYS,
    ENGAGEMENTS,
    by_id,
    complete_task,
    create,
    firm_query,
    item_url,
    practice_rows,
    set_status,
    short_id,
)

pytestmark = pytest.mark.django_db


# --- Statuses -----------------------------------------------------------------------------------


def _in_status(persona, link, status: str) -> dict:
    engagement = create(persona, link, type="advisory")
    if status != "active":
        engagement = set_status(persona, engagement["id"], status)
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
    moved = set_status(alice, engagement["id"], target)
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
    again = set_status(alice, engagement["id"], status)
    assert again == engagement
    assert practice_rows() == rows


@pytest.mark.parametrize(
    ("start", "target"), [("completed", "cancelled"), ("cancelled", "completed")]
)
def test_forbidden_status_moves_are_409_and_change_nothing(alice, acme, start, target):
    engagement = _in_status(alice, acme, start)
    rows = practice_rows()
    error = set_status(alice, engagement["id"], target, expect=409)
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
    error = api(alice).patch(ENGAGEMENTS, body, status=400)
    assert error["code"] == "validation_error"
    if field is not None:
        assert field in error["fields"], error
    assert practice_rows() == rows


def test_unknown_ids_in_a_collection_patch_are_404(alice, acme):
    create(alice, acme, type="audit")
    rows = practice_rows()
    complete_task(alice, new_public_id("task"), expect=404, code="not_found")
    set_status(alice, new_public_id("eng"), "completed", expect=404, code="not_found")
    assert practice_rows() == rows


# --- Edit one engagement ------------------------------------------------------------------------


def test_edit_name_due_date_assignee_and_notes(alice, bob, acme):
    engagement = create(alice, acme, type="advisory", dueDate="2026-11-30")
    url = item_url(engagement["id"]) + firm_query(alice)
    edited = api(alice).patch(
        url,
        {
            "name": "Advisory, renamed",
            "dueDate": "2026-12-15",
            "assigneeUserId": bob.user.public_id,
            "notes": "Call first.",
        },
    )["engagement"]
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
    cleared = api(alice).patch(
        item_url(engagement["id"]),
        {"firmEntityId": alice.firm.public_id, "assigneeUserId": None, "dueDate": None},
    )["engagement"]
    assert cleared["assigneeUserId"] is None and cleared["dueDate"] is None
    assert cleared["name"] == "Advisory, renamed"


def test_edit_status_follows_the_same_rules(alice, acme):
    engagement = create(alice, acme, type="advisory")
    url = item_url(engagement["id"]) + firm_query(alice)
    done = api(alice).patch(url, {"status": "completed"})["engagement"]
    assert done["status"] == "completed" and done["completedAt"] is not None
    rows = practice_rows()
    error = api(alice).patch(
        url,
        {"status": "cancelled", "name": "Renamed"},
        status=409,
        code="invalid_status_transition",
    )
    assert error["message"]
    # The rename in the refused request was rolled back with it.
    assert practice_rows() == rows
    assert by_id(alice)[engagement["id"]]["name"] == engagement["name"]
    active = api(alice).patch(url, {"status": "active"})["engagement"]
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
    url = item_url(engagement["id"]) + firm_query(alice)
    error = api(alice).patch(url, body, status=400, code="validation_error")
    if field is not None:
        assert field in error["fields"], error
    assert practice_rows() == rows


def test_an_edited_due_date_before_the_start_date_is_400(alice, acme):
    """Create refuses dueDate < startDate; an edit must not let the same state in."""
    engagement = create(alice, acme, type="advisory", startDate="2026-10-01")
    rows = practice_rows()
    url = item_url(engagement["id"]) + firm_query(alice)
    error = api(alice).patch(url, {"dueDate": "2026-09-30"}, status=400, code="validation_error")
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
    url = item_url(path_id) + firm_query(alice)
    error = api(alice).patch(url, {"name": "x"}, status=400, code="validation_error")
    assert "engagementId" in error["fields"], error
    assert practice_rows() == rows


def test_an_unknown_engagement_id_in_the_path_is_404(alice, acme):
    create(alice, acme)
    rows = practice_rows()
    url = item_url(new_public_id("eng")) + firm_query(alice)
    api(alice).patch(url, {"name": "x"}, status=404, code="not_found")
    assert practice_rows() == rows
