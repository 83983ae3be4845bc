"""Completing and reopening tasks: idempotent, the last one completes the engagement, a
cancelled engagement's tasks are locked, and paths that name no such task are 400 or 404."""

import pytest

from axiomatic.core.ids import new_public_id
from tests.helpers import api, assert_error
from tests.practice.engagement_helpers import (
    ENGAGEMENTS,
    complete_task,
    create,
    firm_query,
    practice_rows,
    set_status,
    short_id,
    task_completion,
    task_url,
)

pytestmark = pytest.mark.django_db


# --- Tasks --------------------------------------------------------------------------------------


def test_completing_a_task_is_idempotent(alice, acme):
    engagement = create(alice, acme, type="bookkeeping")
    first_task = engagement["tasks"][1]
    once = complete_task(alice, first_task["id"])
    done = once["tasks"][1]
    assert done["id"] == first_task["id"]
    assert done["completed"] is True and done["completedAt"].endswith("Z")
    assert [t["completed"] for t in once["tasks"]] == [False, True, False, False, False]
    assert once["status"] == "active" and once["completedAt"] is None
    rows = practice_rows()
    twice = complete_task(alice, first_task["id"])
    assert twice == once
    url = task_url(engagement["id"], first_task["id"], "complete") + firm_query(alice)
    via_path = api(alice).post(url, status=200)["engagement"]
    assert via_path == once
    assert practice_rows() == rows


def test_completing_the_last_open_task_completes_the_engagement(alice, acme):
    engagement = create(alice, acme, type="advisory")
    tasks = engagement["tasks"]
    for task in tasks[:-1]:
        assert complete_task(alice, task["id"])["status"] == "active"
    last = complete_task(alice, tasks[-1]["id"])
    assert last["status"] == "completed"
    assert last["completedAt"] is not None
    assert all(t["completed"] for t in last["tasks"])


def test_complete_and_reopen_through_the_task_paths(alice, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][2]["id"]
    # firmEntityId in the query string...
    done = api(alice).post(task_url(eid, tid, "complete") + firm_query(alice), status=200)[
        "engagement"
    ]
    assert done["tasks"][2]["completed"] is True
    # ... or in the body.
    reopened = api(alice).post(
        task_url(eid, tid, "reopen"), {"firmEntityId": alice.firm.public_id}, status=200
    )["engagement"]
    assert reopened["tasks"][2] == {**done["tasks"][2], "completed": False, "completedAt": None}
    assert reopened["status"] == "active"
    # Reopening an open task is a no-op.
    rows = practice_rows()
    again = api(alice).post(task_url(eid, tid, "reopen") + firm_query(alice), status=200)
    assert again["engagement"] == reopened
    assert practice_rows() == rows


def test_reopening_a_task_of_a_completed_engagement_makes_it_active(alice, acme):
    engagement = create(alice, acme, type="advisory")
    for task in engagement["tasks"]:
        completed = complete_task(alice, task["id"])
    assert completed["status"] == "completed"
    tid = engagement["tasks"][0]["id"]
    url = task_url(engagement["id"], tid, "reopen") + firm_query(alice)
    reopened = api(alice).post(url, status=200)["engagement"]
    assert reopened["status"] == "active"
    assert reopened["completedAt"] is None
    assert [t["completed"] for t in reopened["tasks"]] == [False, True, True, True]


def test_the_firm_in_query_and_body_must_agree_and_must_be_given(alice, charlie, acme):
    engagement = create(alice, acme, type="advisory")
    url = task_url(engagement["id"], engagement["tasks"][0]["id"], "complete")
    rows = practice_rows()
    error = api(alice).post(
        url + firm_query(alice),
        {"firmEntityId": charlie.firm.public_id},
        status=400,
        code="validation_error",
    )
    assert "firmEntityId" in error["fields"]
    error = api(alice).post(url, status=400, code="validation_error")
    assert "firmEntityId" in error["fields"]
    error = api(alice).post(url + "?firmEntityId=nope", status=400, code="validation_error")
    assert "firmEntityId" in error["fields"]
    assert practice_rows() == rows


def test_a_task_action_refuses_a_body_that_is_not_an_object(alice, acme):
    engagement = create(alice, acme, type="advisory")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        url = task_url(engagement["id"], engagement["tasks"][0]["id"], action) + firm_query(alice)
        for body in ("0", "false", "[]", '""'):
            api(alice).post(url, raw=body, status=400, code="validation_error")
    assert practice_rows() == rows
    # No body at all, or an empty object, is the same as naming the firm in the query only.
    url = task_url(engagement["id"], engagement["tasks"][0]["id"], "complete") + firm_query(alice)
    api(alice).post(url, raw="{}", status=200)
    api(alice).post(url, status=200)


def test_a_task_under_another_engagements_path_is_404(alice, acme):
    first = create(alice, acme, type="advisory")
    second = create(alice, acme, type="audit")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        wrong = api(alice).request(
            "POST", task_url(second["id"], first["tasks"][0]["id"], action) + firm_query(alice)
        )
        unknown = api(alice).request(
            "POST", task_url(second["id"], new_public_id("task"), action) + firm_query(alice)
        )
        assert_error(wrong, 404, "not_found")
        assert wrong.content == unknown.content
    assert practice_rows() == rows


def test_a_task_of_a_cancelled_engagement_under_another_path_is_still_404(alice, acme):
    """The path names no such task: that is a 404 before anything is said about its engagement."""
    cancelled = create(alice, acme, type="advisory")
    set_status(alice, cancelled["id"], "cancelled")
    other = create(alice, acme, type="audit")
    rows = practice_rows()
    for action in ("complete", "reopen"):
        url = task_url(other["id"], cancelled["tasks"][0]["id"], action) + firm_query(alice)
        api(alice).post(url, status=404, code="not_found")
    assert practice_rows() == rows


def test_tasks_of_a_cancelled_engagement_are_409_until_it_is_reopened(alice, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tasks = engagement["id"], engagement["tasks"]
    complete_task(alice, tasks[1]["id"])
    set_status(alice, eid, "cancelled")
    rows = practice_rows()
    for response in (
        api(alice).request("PATCH", ENGAGEMENTS, task_completion(alice, tasks[0]["id"])),
        api(alice).request("POST", task_url(eid, tasks[0]["id"], "complete") + firm_query(alice)),
        api(alice).request("POST", task_url(eid, tasks[1]["id"], "reopen") + firm_query(alice)),
    ):
        assert_error(response, 409, "engagement_cancelled")
    assert practice_rows() == rows
    set_status(alice, eid, "active")
    assert complete_task(alice, tasks[0]["id"])["tasks"][0]["completed"] is True


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
    error = api(alice).post(url + firm_query(alice), status=400, code="validation_error")
    assert field in error["fields"], error
    assert practice_rows() == rows
