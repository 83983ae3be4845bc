"""Approving time in bulk and returning it to open (docs/adr/0025): one transaction, one UPDATE,
only what changes is counted, billed time is locked, only a firm's ADMIN approves, ids that are not
the firm's entries are named and change nothing, one webhook event and one history record per
entry changed.

The state is read from the table: the entry's `approvalStatus` on the wire belongs to the time
entry serializer."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import Role
from axiomatic.entities.services import api_key_create
from axiomatic.webhooks.models import WebhookEvent
from axiomatic.webhooks.services import endpoint_create
from practice.models import TimeEntry
from practice.serializers import MAX_APPROVAL_ENTRIES
from practice.services.approvals import time_entries_approve
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, assert_error, db_fingerprint, in_firm
from tests.practice.time_helpers import TIME, bulk_entries, create, mark_billed, suspend

pytestmark = pytest.mark.django_db

APPROVE = f"{TIME}/approve"
UNAPPROVE = f"{TIME}/unapprove"


def body(persona, entries, **extra) -> dict:
    ids = [e if isinstance(e, str) else e["id"] for e in entries]
    return {"firmEntityId": persona.firm.public_id, "timeEntryIds": ids, **extra}


def approve(persona, entries, **kwargs):
    return api(persona).post(APPROVE, body(persona, entries), status=200, **kwargs)


def unapprove(persona, entries, **kwargs):
    return api(persona).post(UNAPPROVE, body(persona, entries), status=200, **kwargs)


def state(entries) -> list[tuple]:
    """(approval_status, approved_at is set, approved_by_id) of each entry, in the order given."""
    rows = {
        r["public_id"]: r
        for r in TimeEntry.objects.filter(public_id__in=[e["id"] for e in entries]).values(
            "public_id", "approval_status", "approved_at", "approved_by_id"
        )
    }
    return [
        (
            rows[e["id"]]["approval_status"],
            rows[e["id"]]["approved_at"] is not None,
            rows[e["id"]]["approved_by_id"],
        )
        for e in entries
    ]


def session(firm, email: str, role: str, **user_fields):
    user = UserFactory(email=email, is_staff=True, **user_fields)
    if role:
        MembershipFactory(user=user, entity=firm, role=role)
    client = APIClient()
    client.force_login(user)
    return user, client


@pytest.fixture
def entries(alice, acme):
    return [create(alice, acme, date=f"2026-01-{day:02d}", rate=10_000) for day in (5, 6, 7)]


# --- Approving and unapproving ---------------------------------------------------------------------


def test_approving_stamps_when_and_by_whom_and_counts_the_entries(alice, entries):
    before = timezone.now()
    assert approve(alice, entries[:2]) == {"approved": 2}

    assert state(entries) == [
        ("approved", True, alice.user.pk),
        ("approved", True, alice.user.pk),
        ("open", False, None),
    ]
    row = TimeEntry.objects.get(public_id=entries[0]["id"])
    assert before <= row.approved_at <= timezone.now()
    assert row.updated_at >= before  # an integration syncing by updatedSince sees the change
    # The entry's own figures are untouched.
    assert (row.hours, row.rate_cents, row.amount_cents) == (Decimal("2.50"), 10_000, 25_000)


def test_entries_already_approved_are_left_alone_and_not_counted(alice, entries):
    approve(alice, entries[:1])
    first_stamp = TimeEntry.objects.get(public_id=entries[0]["id"]).approved_at

    assert approve(alice, entries) == {"approved": 2}
    assert approve(alice, entries) == {"approved": 0}
    assert TimeEntry.objects.get(public_id=entries[0]["id"]).approved_at == first_stamp


def test_unapproving_returns_entries_to_open_and_counts_only_those(alice, entries):
    approve(alice, entries[:2])

    assert unapprove(alice, entries) == {"unapproved": 2}
    assert state(entries) == [("open", False, None)] * 3
    assert unapprove(alice, entries) == {"unapproved": 0}


def test_a_repeated_id_is_one_entry(alice, entries):
    assert approve(alice, [entries[0], entries[0], entries[1]]) == {"approved": 2}
    assert unapprove(alice, [entries[1], entries[1]]) == {"unapproved": 1}


def test_a_session_admin_approves_as_themself_and_a_superuser_may_too(alice, firm_a, entries):
    admin_user, admin_session = session(firm_a, "erin@alpha.test", Role.ADMIN)
    root, root_session = session(firm_a, "root@ops.test", "", is_superuser=True)

    assert api(admin_session).post(APPROVE, body(alice, entries[:1]), status=200) == {"approved": 1}
    assert api(root_session).post(APPROVE, body(alice, entries[1:2]), status=200) == {"approved": 1}
    assert [s[2] for s in state(entries[:2])] == [admin_user.pk, root.pk]


# --- One statement, under the locks ------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 40])
def test_one_update_statement_whatever_the_number_of_entries(alice, acme, size):
    bulk_entries(alice, acme, size)
    ids = list(TimeEntry.objects.filter(firm=alice.firm).values_list("public_id", flat=True))

    with CaptureQueriesContext(connection) as queries:
        approved = time_entries_approve(firm=alice.firm, time_entry_ids=ids, by=alice.user)

    assert approved == size
    sql = [q["sql"] for q in queries.captured_queries]
    updates = [s for s in sql if s.startswith('UPDATE "practice_timeentry"')]
    assert len(updates) == 1
    locks = [s for s in sql if 'FROM "practice_timeentry"' in s and "FOR UPDATE" in s]
    if connection.vendor == "postgresql":  # SQLite has no row locks: the transaction is the lock
        assert len(locks) == 1 and 'ORDER BY "practice_timeentry"."id"' in locks[0]
        assert sql.index(locks[0]) < sql.index(updates[0])
    # History in bulk, not an insert per entry (SQLite splits a batch at its variable limit).
    history = [s for s in sql if s.startswith('INSERT INTO "practice_historicaltimeentry"')]
    assert len(history) == (1 if connection.vendor == "postgresql" or size < 10 else 2)
    assert TimeEntry.history.filter(history_change_reason="Approved").count() == size
    assert TimeEntry.objects.filter(firm=alice.firm, approval_status="approved").count() == size


# --- Refusals change nothing -----------------------------------------------------------------------


def test_another_firms_entries_get_the_same_400_as_unknown_ids(alice, entries, charlie, globex):
    theirs = create(charlie, globex)
    unknown = new_public_id("te")
    before = db_fingerprint()

    foreign = api(alice).request("POST", APPROVE, body(alice, [entries[0], theirs]))
    missing = api(alice).request("POST", APPROVE, body(alice, [entries[0], unknown]))

    error = assert_error(foreign, 400, "validation_error")
    assert theirs["id"] in error["message"] and entries[0]["id"] not in error["message"]
    assert "timeEntryIds" in error["fields"]
    assert foreign.content.decode().replace(theirs["id"], "ID") == missing.content.decode().replace(
        unknown, "ID"
    )
    assert db_fingerprint() == before
    assert state([entries[0], theirs]) == [("open", False, None)] * 2


def test_every_unknown_id_is_named_on_unapprove_too(alice, entries):
    approve(alice, entries)
    missing = [new_public_id("te"), new_public_id("te")]
    before = db_fingerprint()

    error = api(alice).post(UNAPPROVE, body(alice, [missing[0], *entries, missing[1]]), status=400)

    assert all(m in error["message"] for m in missing)
    assert db_fingerprint() == before
    assert [s[0] for s in state(entries)] == ["approved"] * 3


def test_charlie_cannot_approve_alices_time(alice, entries, charlie):
    before = db_fingerprint()
    api(charlie).post(APPROVE, body(charlie, entries[:1]), status=400, code="validation_error")
    api(charlie).post(APPROVE, body(alice, entries[:1]), status=404, code="not_found")
    assert db_fingerprint() == before


def test_unapproving_invoiced_time_is_refused_and_changes_nothing(alice, entries):
    approve(alice, entries)
    mark_billed(entries[1]["id"], "INV-000007")
    before = db_fingerprint()

    error = api(alice).post(UNAPPROVE, body(alice, entries), status=409, code="time_entry_invoiced")

    assert entries[1]["id"] in error["message"] and entries[0]["id"] not in error["message"]
    assert "void the invoice" in error["message"]
    assert db_fingerprint() == before
    assert [s[0] for s in state(entries)] == ["approved"] * 3


def test_approving_open_invoiced_time_is_refused_but_approved_invoiced_time_is_left_alone(
    alice, entries
):
    approve(alice, entries[:1])
    mark_billed(entries[0]["id"])  # billed while approved
    mark_billed(entries[1]["id"])  # billed before the firm required approval: still open
    before = db_fingerprint()

    api(alice).post(APPROVE, body(alice, entries[1:]), status=409, code="time_entry_invoiced")
    assert db_fingerprint() == before
    assert approve(alice, [entries[0], entries[2]]) == {"approved": 1}
    assert [s[0] for s in state(entries)] == ["approved", "open", "approved"]


def test_only_a_firm_admin_approves(alice, firm_a, entries, bob):
    member, member_session = session(firm_a, "mia@alpha.test", Role.MEMBER)
    members_key = api_key_create(firm=firm_a, name="mia's script", created_by=member).key
    orphan_key = api_key_create(firm=firm_a, name="no creator").key
    before = db_fingerprint()

    for client in (member_session, _key_client(members_key), _key_client(orphan_key)):
        for path in (APPROVE, UNAPPROVE):
            error = api(client).post(path, body(alice, entries), status=403)
            assert error["code"] == "permission_denied"
            assert "ADMIN" in error["message"]
    api(bob).post(APPROVE, body(alice, entries), status=403, code="permission_denied")
    assert db_fingerprint() == before


def test_a_suspended_firm_approves_nothing(alice, entries):
    suspend(alice)
    before = db_fingerprint()
    api(alice).post(APPROVE, body(alice, entries), status=403, code="partner_program_required")
    assert db_fingerprint() == before


def _key_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# --- Bad input: 400 in the one error shape ---------------------------------------------------------


@pytest.mark.parametrize(
    ("ids", "field"),
    [
        ([], "timeEntryIds"),
        ("te_0000", "timeEntryIds"),
        (None, "timeEntryIds"),
        ({"id": "x"}, "timeEntryIds"),
        (["te_bad!"], "timeEntryIds[0]"),
        ([12345], "timeEntryIds[0]"),
        ([new_public_id("eng")], "timeEntryIds[0]"),
    ],
)
@pytest.mark.parametrize("path", [APPROVE, UNAPPROVE])
def test_bad_lists_are_400_naming_the_field(alice, entries, path, ids, field):
    before = db_fingerprint()
    error = api(alice).post(path, body(alice, [], timeEntryIds=ids), status=400)
    assert error["code"] == "validation_error"
    assert field in error["fields"], error
    assert db_fingerprint() == before


def test_a_list_longer_than_a_page_of_the_time_list_is_refused(alice, entries):
    too_many = [new_public_id("te") for _ in range(MAX_APPROVAL_ENTRIES + 1)]
    error = api(alice).post(APPROVE, body(alice, too_many), status=400)
    assert "timeEntryIds" in error["fields"]
    assert MAX_APPROVAL_ENTRIES == 2000


@pytest.mark.parametrize(
    "raw",
    ["{", "[]", "0", '"te_x"', json.dumps({"firmEntityId": 5, "timeEntryIds": []})],
)
def test_malformed_bodies_are_400(alice, entries, raw):
    before = db_fingerprint()
    api(alice).post(APPROVE, raw=raw, status=400)
    assert db_fingerprint() == before


def test_the_body_needs_its_list(alice, entries):
    error = api(alice).post(APPROVE, {"firmEntityId": alice.firm.public_id}, status=400)
    assert "timeEntryIds" in error["fields"]


# --- The firm: named, or the API key's -----------------------------------------------------------


def test_an_api_key_may_leave_the_firm_out(alice, entries):
    ids = [e["id"] for e in entries[:2]]
    assert api(alice).post(APPROVE, {"timeEntryIds": ids}, status=200) == {"approved": 2}
    assert api(alice).post(
        UNAPPROVE, {"timeEntryIds": ids}, params=in_firm(alice.firm.public_id), status=200
    ) == {"unapproved": 2}


def test_a_session_in_one_firm_may_leave_it_out_one_in_several_must_name_it(
    alice, charlie, firm_a, entries
):
    user, admin_session = session(firm_a, "erin@alpha.test", Role.ADMIN)
    one = {"timeEntryIds": [entries[0]["id"]]}
    assert api(admin_session).post(APPROVE, one, status=200) == {"approved": 1}
    MembershipFactory(user=user, entity=charlie.firm, role=Role.VIEWER)
    error = api(admin_session).post(UNAPPROVE, one, status=400)
    assert "firmEntityId" in error["fields"]
    assert TimeEntry.objects.get(public_id=entries[0]["id"]).approval_status == "approved"


def test_query_and_body_must_name_the_same_firm(alice, entries, charlie):
    error = api(alice).post(
        APPROVE, body(alice, entries), params=in_firm(charlie.firm.public_id), status=400
    )
    assert "firmEntityId" in error["fields"]
    api(alice).post(
        APPROVE,
        {"timeEntryIds": [entries[0]["id"]]},
        params=in_firm(charlie.firm.public_id),
        status=404,
    )


# --- Webhook events and history ----------------------------------------------------------------


def test_one_event_per_entry_changed_with_the_entry_as_the_api_shows_it(
    alice, entries, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint_create(firm=alice.firm, url="http://127.0.0.1:9/hook", event_types=["*"])
    with django_capture_on_commit_callbacks(execute=True):
        approve(alice, entries[:2])
    with django_capture_on_commit_callbacks(execute=True):
        approve(alice, entries)  # only the third changes
    with django_capture_on_commit_callbacks(execute=True):
        unapprove(alice, entries[:1])

    events = list(WebhookEvent.objects.filter(firm=alice.firm).order_by("id"))
    assert [(e.type, e.subject_public_id) for e in events] == [
        ("time_entry.approved", entries[0]["id"]),
        ("time_entry.approved", entries[1]["id"]),
        ("time_entry.approved", entries[2]["id"]),
        ("time_entry.unapproved", entries[0]["id"]),
    ]
    listed = {
        e["id"]: e
        for e in api(alice).get(TIME, in_firm(alice.firm.public_id))["entries"]
        if e["id"] == entries[1]["id"]
    }
    # The body is the entry as it was after the approval (the second entry has not changed since).
    assert events[1].payload["data"]["object"] == listed[entries[1]["id"]]
    assert events[1].payload["firmEntityId"] == alice.firm.public_id


def test_each_change_is_one_history_record_with_its_reason_and_author(alice, entries):
    approve(alice, entries[:2])
    unapprove(alice, entries[:1])

    first = TimeEntry.history.filter(public_id=entries[0]["id"]).order_by("history_id")
    assert [(h.approval_status, h.history_change_reason) for h in first][-2:] == [
        ("approved", "Approved"),
        ("open", "Unapproved"),
    ]
    key = alice.firm.api_keys.get(name="alice@alpha.test key")
    latest = first.last()
    assert (latest.history_user_id, latest.history_api_key_public_id) == (
        alice.user.pk,
        key.public_id,
    )
    third = TimeEntry.history.filter(public_id=entries[2]["id"])
    assert [h.history_change_reason for h in third] == [None]  # created, never approved


def test_approval_leaves_the_entries_dates_and_amounts_as_they_were(alice, acme):
    logged = create(alice, acme, date=str(dt.date(2026, 2, 2)), hours=1.1, rate=12_000)
    approve(alice, [logged])
    row = TimeEntry.objects.get(public_id=logged["id"])
    assert (row.date, row.hours, row.amount_cents) == (dt.date(2026, 2, 2), Decimal("1.10"), 13_200)
