"""A time entry's change history: who changed which fields from what to what, billing's marks
included, kept after the entry is deleted, the same 404 for another firm's entries as for none."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Role
from practice.models import TimeEntry
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create, time_entry_update
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

TIME = "/api/practice/time"


def history(client, firm, entry_id: str, **params):
    return client.get(f"{TIME}/{entry_id}/history", {"firmEntityId": firm.public_id, **params})


def send(client, method: str, url: str, body: dict):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def dave(firm_a):
    """A MEMBER of Firm A working in a session (writes, no API key)."""
    user = UserFactory(email="dave@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.MEMBER)
    client = APIClient()
    client.force_login(user)
    return user, client


def test_creation_and_each_edit_say_who_when_and_what(alice, acme, dave):
    created = send(
        alice.client,
        "post",
        TIME,
        {
            "firmEntityId": alice.firm.public_id,
            "entityId": acme.client.public_id,
            "date": "2026-01-15",
            "hours": 2.5,
            "rate": 10_000,
        },
    )
    entry_id = created.json()["entry"]["id"]
    user, session = dave
    edited = send(
        session,
        "patch",
        f"{TIME}/{entry_id}?firmEntityId={alice.firm.public_id}",
        {"hours": 3, "description": "Close"},
    )
    assert edited.status_code == 200, edited.content

    response = history(alice.client, alice.firm, entry_id)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"history", "hasMore", "nextCursor"}
    first, second = body["history"]
    key = alice.firm.api_keys.get(name="alice@alpha.test key")
    assert first["change"] == "created"
    assert first["by"] == {"userId": alice.user.public_id, "apiKeyId": key.public_id}
    assert first["fields"]["hours"] == {"from": None, "to": 2.5}
    assert first["fields"]["rate"] == {"from": None, "to": 10_000}
    assert first["fields"]["entityId"] == {"from": None, "to": acme.client.public_id}
    assert first["fields"]["billingStatus"] == {"from": None, "to": "unbilled"}
    assert second["change"] == "updated"
    assert second["by"] == {"userId": user.public_id, "apiKeyId": None}
    assert second["fields"] == {
        "hours": {"from": 2.5, "to": 3.0},
        "description": {"from": "", "to": "Close"},
        "amount": {"from": 25_000, "to": 30_000},
    }
    assert first["at"].endswith("Z") and first["at"] <= second["at"]
    assert body["hasMore"] is False and body["nextCursor"] is None


def test_references_are_public_ids_even_once_the_referenced_row_is_gone(alice, acme):
    today = timezone.localdate()
    engagement = engagement_create(
        firm=alice.firm, client=acme.client, name="Close", start_date=today, type="bookkeeping"
    )
    entry = time_entry_create(firm=alice.firm, link=acme, work_date=today, hours=Decimal("1"))
    time_entry_update(
        firm=alice.firm,
        public_id=entry.public_id,
        link=None,
        changes={"engagement_id": engagement.public_id},
    )
    engagement_id = engagement.public_id
    # Gone (a superuser's delete in the admin): its own history still names it.
    engagement.delete()

    changes = history(alice.client, alice.firm, entry.public_id).json()["history"]

    assert changes[1]["fields"]["engagementId"] == {"from": None, "to": engagement_id}


def test_invoicing_and_voiding_are_in_the_history_with_their_reason(alice, acme):
    entry = time_entry_create(
        firm=alice.firm,
        link=acme,
        work_date=timezone.localdate(),
        hours=Decimal("2"),
        rate_cents=10_000,
    )
    invoiced = send(
        alice.client,
        "post",
        "/api/practice/billing/invoice",
        {
            "firmEntityId": alice.firm.public_id,
            "clientEntityId": acme.client.public_id,
            "timeEntryIds": [entry.public_id],
        },
    )
    assert invoiced.status_code == 201, invoiced.content
    invoice = invoiced.json()["invoice"]
    send(
        alice.client,
        "post",
        f"/api/practice/billing/invoices/{invoice['id']}/void",
        {"firmEntityId": alice.firm.public_id},
    )

    changes = history(alice.client, alice.firm, entry.public_id).json()["history"]

    billed, returned = changes[-2:]
    key = alice.firm.api_keys.get()
    assert billed["reason"] == f"Billed on {invoice['number']}"
    assert billed["by"] == {"userId": alice.user.public_id, "apiKeyId": key.public_id}
    assert billed["fields"]["billingStatus"] == {"from": "unbilled", "to": "billed"}
    assert billed["fields"]["invoiceId"] == {"from": None, "to": invoice["id"]}
    assert billed["fields"]["invoiceNumber"] == {"from": None, "to": invoice["number"]}
    assert set(billed["fields"]) == {"billingStatus", "invoiceId", "invoiceNumber", "billedAt"}
    assert returned["reason"] == "Invoice voided"
    assert returned["fields"]["billingStatus"] == {"from": "billed", "to": "unbilled"}
    assert returned["fields"]["invoiceId"] == {"from": invoice["id"], "to": None}


def test_a_deleted_entry_keeps_its_history_for_its_own_firm_only(alice, charlie, acme):
    entry = time_entry_create(
        firm=alice.firm, link=acme, work_date=timezone.localdate(), hours=Decimal("1.25")
    )
    deleted = alice.client.delete(
        f"{TIME}?firmEntityId={alice.firm.public_id}&timeEntryId={entry.public_id}"
    )
    assert deleted.status_code == 204
    assert not TimeEntry.objects.filter(public_id=entry.public_id).exists()

    changes = history(alice.client, alice.firm, entry.public_id).json()["history"]
    assert [c["change"] for c in changes] == ["created", "deleted"]
    assert changes[1]["fields"] == {}

    # Charlie, in his own firm, meets the answer an id that never existed gets; nothing changes.
    before = db_fingerprint()
    foreign = history(charlie.client, charlie.firm, entry.public_id)
    unknown_id = new_public_id("te")
    unknown = history(charlie.client, charlie.firm, unknown_id)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content.replace(unknown_id.encode(), entry.public_id.encode())
    assert db_fingerprint() == before


def test_another_firms_live_entry_is_the_same_404_as_an_unknown_one(alice, charlie, globex):
    entry = time_entry_create(
        firm=charlie.firm, link=globex, work_date=timezone.localdate(), hours=Decimal("1")
    )

    foreign = history(alice.client, alice.firm, entry.public_id)
    unknown = history(alice.client, alice.firm, new_public_id("te"))

    assert_error(foreign, 404, "not_found")
    assert foreign.status_code == unknown.status_code and foreign.json() == unknown.json()


@pytest.mark.parametrize(
    "entry_id, params, field",
    [
        ("te_nope", {}, "timeEntryId"),
        (None, {"limit": 0}, "limit"),
        (None, {"limit": "many"}, "limit"),
        (None, {"cursor": "forged"}, "cursor"),
        (None, {"firmEntityId": "ent_x"}, "firmEntityId"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(alice, acme, entry_id, params, field):
    entry = time_entry_create(
        firm=alice.firm, link=acme, work_date=timezone.localdate(), hours=Decimal("1")
    )
    response = history(alice.client, alice.firm, entry_id or entry.public_id, **params)

    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"]


def test_pages_follow_each_other_and_diff_across_the_page_break(alice, acme):
    entry = time_entry_create(
        firm=alice.firm, link=acme, work_date=timezone.localdate(), hours=Decimal("1")
    )
    for hours in ("2", "3"):
        time_entry_update(
            firm=alice.firm, public_id=entry.public_id, link=None, changes={"hours": Decimal(hours)}
        )

    first = history(alice.client, alice.firm, entry.public_id, limit=2).json()
    second = history(
        alice.client, alice.firm, entry.public_id, limit=2, cursor=first["nextCursor"]
    ).json()

    assert first["hasMore"] is True
    assert [c["change"] for c in first["history"]] == ["created", "updated"]
    assert second["hasMore"] is False
    assert second["history"][0]["fields"]["hours"] == {"from": 2.0, "to": 3.0}


def test_an_entry_older_than_its_history_answers_an_empty_history(alice, acme):
    entry = time_entry_create(
        firm=alice.firm, link=acme, work_date=timezone.localdate(), hours=Decimal("1")
    )
    TimeEntry.history.filter(public_id=entry.public_id).delete()

    response = history(alice.client, alice.firm, entry.public_id)

    assert response.status_code == 200
    assert response.json()["history"] == []


def _queries(client, firm, entry_id: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = history(client, firm, entry_id)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_history_takes_the_same_queries_for_2_or_40_changes(alice, acme):
    today = timezone.localdate()
    engagements = [
        engagement_create(
            firm=alice.firm, client=acme.client, name=f"E{n}", start_date=today, type="other"
        )
        for n in range(3)
    ]

    def entry_with(edits: int) -> str:
        entry = time_entry_create(firm=alice.firm, link=acme, work_date=today, hours=Decimal("1"))
        for n in range(edits):
            time_entry_update(
                firm=alice.firm,
                public_id=entry.public_id,
                link=None,
                changes={
                    "hours": Decimal(1 + n % 5),
                    "engagement_id": engagements[n % 3].public_id,
                    "user_id": alice.user.public_id,
                },
            )
        return entry.public_id

    _queries(alice.client, alice.firm, entry_with(0))  # the key's first use today stamps it
    few = _queries(alice.client, alice.firm, entry_with(1))
    many = _queries(alice.client, alice.firm, entry_with(39))

    assert many == few
