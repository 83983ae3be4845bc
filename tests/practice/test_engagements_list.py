"""Listing engagements: what create returned, in start date order, filters, cursors, and a
query count that does not grow with the engagements and their tasks."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from practice.models import Engagement
from practice.services import engagements as engagement_services
from tests.helpers import api
from tests.practice.engagement_helpers import (
    ENGAGEMENTS,
    complete_task,
    create,
    listed,
    set_status,
    short_id,
)

pytestmark = pytest.mark.django_db


# --- List ---------------------------------------------------------------------------------------


def test_list_returns_what_create_returned_in_start_date_order(alice, acme):
    later = create(alice, acme, name="Later", type="audit", startDate="2026-12-01")
    earlier = create(alice, acme, name="Earlier", type="advisory", startDate="2026-01-15")
    body = api(alice).get(ENGAGEMENTS, {"firmEntityId": alice.firm.public_id})
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
    set_status(alice, b["id"], "completed")
    set_status(alice, c["id"], "cancelled")

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
    set_status(alice, c["id"], "active")
    assert names(updatedSince=since) == ["B", "C"]


def test_completing_a_task_counts_as_an_update_of_its_engagement(alice, acme):
    engagement = create(alice, acme, type="advisory")
    old = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    Engagement.objects.filter(public_id=engagement["id"]).update(updated_at=old)
    since = (old + dt.timedelta(hours=1)).isoformat()
    assert listed(alice, updatedSince=since) == []
    complete_task(alice, engagement["tasks"][0]["id"])
    assert [e["id"] for e in listed(alice, updatedSince=since)] == [engagement["id"]]


def test_cursor_walks_every_engagement_once_in_order(alice, acme):
    made = [create(alice, acme, name=f"E{i}", startDate=f"2026-0{1 + i % 3}-01") for i in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"firmEntityId": alice.firm.public_id, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = api(alice).get(ENGAGEMENTS, params)
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
    error = api(alice).get(ENGAGEMENTS, query, status=400, code="validation_error")
    assert field in error["fields"], error


def test_a_cursor_from_another_list_is_refused(alice, acme, make_client):
    make_client(alice, "Initech")
    clients = api(alice).get(
        "/api/practice/clients", {"firmEntityId": alice.firm.public_id, "limit": 1}
    )
    assert clients["nextCursor"]
    params = {"firmEntityId": alice.firm.public_id, "cursor": clients["nextCursor"]}
    error = api(alice).get(ENGAGEMENTS, params, status=400, code="validation_error")
    assert "cursor" in error["fields"]


def _count_queries(persona, params) -> tuple[int, list[dict]]:
    api(persona).get(ENGAGEMENTS, params)  # warm up: the first key use of a minute is a write
    with CaptureQueriesContext(connection) as ctx:
        body = api(persona).get(ENGAGEMENTS, params)
    return len(ctx.captured_queries), body["engagements"]


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
