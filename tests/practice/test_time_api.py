"""The time tracking API: log, list, edit and delete time, under the rules billing relies on.

Rates are snapshotted on write (explicit, else the client link's, else the firm's, else none), amounts
are hours x rate rounded half-up, billed entries are locked, and another firm's ids get exactly the
same 404 as ids that name nothing.
"""

import datetime as dt
import json
import threading
import time
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import PartnerEnrollment
from practice.models import ClientLink, TimeEntry
from practice.services.clients import client_archive, client_update, firm_default_rate_set
from practice.services.engagements import engagement_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error, db_snapshot, requires_postgres

pytestmark = pytest.mark.django_db

TIME = "/api/practice/time"

ENTRY_KEYS = {
    "id",
    "entityId",
    "engagementId",
    "taskId",
    "userId",
    "date",
    "hours",
    "description",
    "billable",
    "rate",
    "rateSource",
    "amount",
    "billingStatus",
    "invoiced",
    "invoiceId",
    "invoice",
    "isLocked",
    "lockedReason",
    "externalReference",
    "createdAt",
    "updatedAt",
}
LIST_KEYS = {"entries", "totalHours", "billableHours", "hasMore", "nextCursor"}


# --- Helpers ------------------------------------------------------------------------------------


def time_body(persona, link, **overrides) -> dict:
    body = {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "date": "2026-01-15",
        "hours": 2.5,
        "description": "Month-end close",
    }
    body.update(overrides)
    return body


def post(client, body):
    return client.post(TIME, data=json.dumps(body), content_type="application/json")


def patch(client, public_id: str, body, *, firm_id: str | None = None):
    url = f"{TIME}/{public_id}"
    if firm_id is not None:
        url += "?" + urlencode({"firmEntityId": firm_id})
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch(url, data=data, content_type="application/json")


def delete(client, public_id: str | None, firm_id: str | None):
    params = {}
    if public_id is not None:
        params["timeEntryId"] = public_id
    if firm_id is not None:
        params["firmEntityId"] = firm_id
    return client.delete(f"{TIME}?{urlencode(params)}")


def listing(persona, **params):
    response = persona.client.get(TIME, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def create(persona, link, **overrides) -> dict:
    response = post(persona.client, time_body(persona, link, **overrides))
    assert response.status_code == 201, response.content
    return response.json()["entry"]


def row(public_id: str) -> dict | None:
    """Every stored column of an entry, to compare before and after a refused write."""
    return TimeEntry.objects.filter(public_id=public_id).values().first()


def mark_billed(public_id: str, number: str = "INV-0001") -> None:
    TimeEntry.objects.filter(public_id=public_id).update(
        billing_status="billed", invoice_public_id="inv_x", invoice_number=number
    )


def suspend(persona) -> None:
    PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended")


def bulk_entries(persona, link, count: int, *, start=dt.date(2026, 1, 1), **fields):
    TimeEntry.objects.bulk_create(
        TimeEntry(
            firm=persona.firm,
            client=link.client,
            date=start + dt.timedelta(days=i % 28),
            hours=Decimal("1.00"),
            rate_cents=10_000,
            rate_source="explicit",
            amount_cents=10_000,
            **fields,
        )
        for i in range(count)
    )


@pytest.fixture
def bookkeeping(alice, acme):
    """An engagement of acme's, with its standard tasks."""
    return engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="January bookkeeping",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )


def tasks_of(engagement):
    return list(engagement.tasks.order_by("position"))


# --- Create: happy paths --------------------------------------------------------------------------


def test_create_returns_the_entry_with_exactly_the_contract_keys(alice, acme):
    response = post(alice.client, time_body(alice, acme, rate=15_000))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"entry"}
    entry = body["entry"]
    assert set(entry) == ENTRY_KEYS
    assert entry["id"].startswith("te_")
    assert entry == {
        **entry,
        "entityId": acme.client.public_id,
        "engagementId": None,
        "taskId": None,
        "userId": alice.user.public_id,  # an API key writes as the key's creator
        "date": "2026-01-15",
        "hours": 2.5,
        "description": "Month-end close",
        "billable": True,
        "rate": 15_000,
        "rateSource": "explicit",
        "amount": 37_500,
        "billingStatus": "unbilled",
        "invoiced": False,
        "invoiceId": None,
        "invoice": None,
        "isLocked": False,
        "lockedReason": None,
        "externalReference": None,
    }
    assert isinstance(entry["hours"], float)
    assert entry["createdAt"].endswith("Z") and entry["updatedAt"].endswith("Z")
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert stored.firm == alice.firm and stored.client == acme.client
    assert stored.user == alice.user
    assert stored.hours == Decimal("2.50")
    assert stored.amount_cents == 37_500


def test_create_with_only_the_required_fields_uses_the_defaults(alice, acme):
    body = time_body(alice, acme)
    del body["description"]
    response = post(alice.client, body)
    assert response.status_code == 201, response.content
    entry = response.json()["entry"]
    assert entry["description"] == ""
    assert entry["billable"] is True
    assert entry["rate"] is None and entry["rateSource"] == "none" and entry["amount"] is None


def test_create_with_every_optional_field(alice, acme, bookkeeping):
    task = tasks_of(bookkeeping)[0]
    colleague = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=colleague, entity=alice.firm, role="MEMBER")
    entry = create(
        alice,
        acme,
        billable=False,
        rate=12_000,
        engagementId=bookkeeping.public_id,
        taskId=task.public_id,
        userId=colleague.public_id,
        externalReference="harvest-1",
        hours=1,
    )
    assert entry["billable"] is False
    assert entry["engagementId"] == bookkeeping.public_id
    assert entry["taskId"] == task.public_id
    assert entry["userId"] == colleague.public_id
    assert entry["externalReference"] == "harvest-1"
    assert entry["hours"] == 1.0 and entry["amount"] == 12_000


def test_a_task_alone_brings_its_engagement_along(alice, acme, bookkeeping):
    task = tasks_of(bookkeeping)[1]
    entry = create(alice, acme, taskId=task.public_id)
    assert entry["taskId"] == task.public_id
    assert entry["engagementId"] == bookkeeping.public_id


def test_a_task_of_another_engagement_is_400(alice, acme, bookkeeping):
    other = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Tax prep",
        start_date=dt.date(2026, 1, 1),
        type="tax_prep",
    )
    before = db_snapshot()
    error = assert_error(
        post(
            alice.client,
            time_body(
                alice,
                acme,
                engagementId=bookkeeping.public_id,
                taskId=tasks_of(other)[0].public_id,
            ),
        ),
        400,
        "validation_error",
    )
    assert "taskId" in error["fields"]
    assert db_snapshot() == before


# --- Rates and amounts ----------------------------------------------------------------------------


def test_rate_sources_explicit_then_client_then_firm_then_none(alice, acme, make_client):
    plain = make_client(alice, "Plain Co")
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)

    nothing = create(alice, plain)
    assert (nothing["rate"], nothing["rateSource"], nothing["amount"]) == (None, "none", None)

    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    explicit = create(alice, rated, rate=11_000)
    client = create(alice, rated)
    firm = create(alice, plain)
    zero = create(alice, rated, rate=0)

    assert (explicit["rate"], explicit["rateSource"], explicit["amount"]) == (
        11_000,
        "explicit",
        27_500,
    )
    assert (client["rate"], client["rateSource"], client["amount"]) == (20_000, "client", 50_000)
    assert (firm["rate"], firm["rateSource"], firm["amount"]) == (9_000, "firm", 22_500)
    # An explicit zero is a rate (free work), not "no rate".
    assert (zero["rate"], zero["rateSource"], zero["amount"]) == (0, "explicit", 0)


def test_an_entry_without_any_rate_has_a_null_amount(alice, acme):
    entry = create(alice, acme)
    assert entry["rate"] is None and entry["amount"] is None and entry["rateSource"] == "none"
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert stored.rate_cents is None and stored.amount_cents is None


def test_later_rate_changes_never_reprice_existing_entries(alice, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    plain = make_client(alice, "Plain Co")
    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    by_client = create(alice, rated)
    by_firm = create(alice, plain)

    client_update(link=rated, changes={"default_rate_cents": 30_000})
    firm_default_rate_set(firm=alice.firm, rate_cents=1_000)

    entries = {e["id"]: e for e in listing(alice)["entries"]}
    assert (entries[by_client["id"]]["rate"], entries[by_client["id"]]["amount"]) == (
        20_000,
        50_000,
    )
    assert (entries[by_firm["id"]]["rate"], entries[by_firm["id"]]["amount"]) == (9_000, 22_500)

    # Editing something else keeps the snapshot too; only the amount follows the new hours.
    response = patch(alice.client, by_client["id"], {"hours": 1}, firm_id=alice.firm.public_id)
    assert response.status_code == 200, response.content
    edited = response.json()["entry"]
    assert (edited["rate"], edited["rateSource"], edited["amount"]) == (20_000, "client", 20_000)

    # New entries do use the new rates.
    assert create(alice, rated)["rate"] == 30_000
    assert create(alice, plain)["rate"] == 1_000


@pytest.mark.parametrize(
    ("hours", "rate", "amount"),
    [
        (0.03, 16_650, 500),  # 499.5 -> 500
        (0.01, 50, 1),  # 0.5 rounds up, not to even
        (0.25, 10, 3),  # 2.5 -> 3, not 2
        (0.01, 49, 0),  # 0.49 -> 0
        (1.15, 10, 12),  # 11.5 exactly in decimal, 11.499... in binary floating point
        (2.5, 15_000, 37_500),
        (24, 10**15, 24 * 10**15),  # the largest entry at the largest rate is exact
        (0.01, 1, 0),
    ],
)
def test_amount_is_hours_times_rate_rounded_half_up(alice, acme, hours, rate, amount):
    entry = create(alice, acme, hours=hours, rate=rate)
    assert entry["amount"] == amount
    assert entry["hours"] == hours
    assert TimeEntry.objects.get(public_id=entry["id"]).amount_cents == amount


# --- Create: conflicts ------------------------------------------------------------------------------


def test_same_external_reference_twice_is_409_naming_the_existing_entry(alice, acme, make_client):
    first = create(alice, acme, externalReference="harvest-42")
    other = make_client(alice, "Other Co")
    before = db_snapshot()
    error = assert_error(
        post(alice.client, time_body(alice, other, externalReference="harvest-42")),
        409,
        "duplicate_external_reference",
    )
    assert first["id"] in error["message"]
    assert "externalReference" in error["fields"]
    assert db_snapshot() == before


def test_external_references_are_unique_per_firm_only(alice, acme, charlie, globex):
    create(alice, acme, externalReference="harvest-42")
    assert create(charlie, globex, externalReference="harvest-42")["externalReference"] == (
        "harvest-42"
    )


# --- Create: bad input --------------------------------------------------------------------------


BAD_CREATE_BODIES = [
    (lambda b: b.pop("firmEntityId"), "firmEntityId"),
    (lambda b: b.pop("entityId"), "entityId"),
    (lambda b: b.pop("date"), "date"),
    (lambda b: b.pop("hours"), "hours"),
    (lambda b: b.update(hours="2.5"), "hours"),
    (lambda b: b.update(hours=True), "hours"),
    (lambda b: b.update(hours=None), "hours"),
    (lambda b: b.update(hours=[2]), "hours"),
    (lambda b: b.update(hours=0), "hours"),
    (lambda b: b.update(hours=-1), "hours"),
    (lambda b: b.update(hours=24.01), "hours"),
    (lambda b: b.update(hours=25), "hours"),
    (lambda b: b.update(hours=2.555), "hours"),
    (lambda b: b.update(hours=0.001), "hours"),
    (lambda b: b.update(hours=10**40), "hours"),
    (lambda b: b.update(hours=1e300), "hours"),
    (lambda b: b.update(hours=1e-300), "hours"),
    (lambda b: b.update(date="2026-02-30"), "date"),
    (lambda b: b.update(date="2026-13-01"), "date"),
    (lambda b: b.update(date="yesterday"), "date"),
    (lambda b: b.update(date=20260131), "date"),
    (lambda b: b.update(date=None), "date"),
    (lambda b: b.update(date="2026-01-15T10:00:00Z"), "date"),
    (lambda b: b.update(billable="yes"), "billable"),
    (lambda b: b.update(billable="true"), "billable"),
    (lambda b: b.update(billable=1), "billable"),
    (lambda b: b.update(billable=None), "billable"),
    (lambda b: b.update(rate="15000"), "rate"),
    (lambda b: b.update(rate=150.5), "rate"),
    (lambda b: b.update(rate=15000.0), "rate"),
    (lambda b: b.update(rate=-1), "rate"),
    (lambda b: b.update(rate=True), "rate"),
    (lambda b: b.update(rate=10**16), "rate"),
    (lambda b: b.update(rate={"cents": 1}), "rate"),
    (lambda b: b.update(description=12), "description"),
    (lambda b: b.update(description=None), "description"),
    (lambda b: b.update(description="x" * 5001), "description"),
    (lambda b: b.update(externalReference=""), "externalReference"),
    (lambda b: b.update(externalReference=42), "externalReference"),
    (lambda b: b.update(externalReference="r" * 101), "externalReference"),
    (lambda b: b.update(firmEntityId=123), "firmEntityId"),
    (lambda b: b.update(firmEntityId="junk"), "firmEntityId"),
    (lambda b: b.update(firmEntityId="ent_" + "0" * 10_000), "firmEntityId"),
    (lambda b: b.update(entityId="ent_nope"), "entityId"),
    (lambda b: b.update(entityId="te_" + "0" * 26), "entityId"),
    (lambda b: b.update(entityId="ENT_" + "0" * 26), "entityId"),
    (lambda b: b.update(entityId=["ent_" + "0" * 26]), "entityId"),
    (lambda b: b.update(entityId="ent_" + "0" * 100_000), "entityId"),
    (lambda b: b.update(engagementId="eng_bad"), "engagementId"),
    (lambda b: b.update(engagementId=7), "engagementId"),
    (lambda b: b.update(taskId="task_" + "u" * 26), "taskId"),  # 'u' is not Crockford
    (lambda b: b.update(userId="ent_" + "0" * 26), "userId"),
    (lambda b: b.update(userId="usr_" + "0" * 4_000), "userId"),
    # Well-formed but unknown references: 400 naming the field.
    (lambda b: b.update(engagementId=new_public_id("eng")), "engagementId"),
    (lambda b: b.update(taskId=new_public_id("task")), "taskId"),
    (lambda b: b.update(userId=new_public_id("usr")), "userId"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD_CREATE_BODIES)
def test_bad_create_bodies_are_400_naming_the_field_and_write_nothing(alice, acme, mutate, field):
    body = time_body(alice, acme)
    mutate(body)
    before = db_snapshot()
    error = assert_error(post(alice.client, body), 400, "validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before


def test_a_description_of_exactly_5000_characters_is_fine(alice, acme):
    entry = create(alice, acme, description="x" * 5000)
    assert len(entry["description"]) == 5000


@pytest.mark.parametrize("hours", [0.01, 24, 24.0, 7.5, 8, 23.99, 1.10])
def test_hours_at_and_inside_the_bounds_are_accepted(alice, acme, hours):
    entry = create(alice, acme, hours=hours)
    assert entry["hours"] == float(hours)


@pytest.mark.parametrize(
    "raw",
    [
        '{"firmEntityId": ',
        "{'hours': 2}",
        '{"hours": NaN}',
        '{"hours": Infinity}',
        "",
    ],
)
def test_malformed_json_is_400(alice, acme, raw):
    before = db_snapshot()
    error = assert_error(alice.client.post(TIME, data=raw, content_type="application/json"), 400)
    assert error["code"] in {"malformed_request", "validation_error"}
    assert db_snapshot() == before


@pytest.mark.parametrize("raw", ["[]", "null", '"text"', "42", "[{}]"])
def test_a_json_body_that_is_not_an_object_is_400(alice, acme, raw):
    before = db_snapshot()
    assert_error(alice.client.post(TIME, data=raw, content_type="application/json"), 400)
    assert db_snapshot() == before


def test_a_form_body_is_415(alice, acme):
    before = db_snapshot()
    assert_error(
        alice.client.post(TIME, data=time_body(alice, acme)), 415, "unsupported_media_type"
    )
    assert db_snapshot() == before


def test_reference_ids_of_another_firm_are_the_same_400_as_unknown_ones(
    alice, acme, charlie, globex
):
    theirs = engagement_create(
        firm=charlie.firm,
        client=globex.client,
        name="Globex books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    cases = [
        ("engagementId", theirs.public_id, new_public_id("eng")),
        ("taskId", tasks_of(theirs)[0].public_id, new_public_id("task")),
        ("userId", charlie.user.public_id, new_public_id("usr")),
    ]
    before = db_snapshot()
    for field, foreign, unknown in cases:
        a = post(alice.client, time_body(alice, acme, **{field: foreign}))
        b = post(alice.client, time_body(alice, acme, **{field: unknown}))
        assert assert_error(a, 400, "validation_error")["fields"].keys() == {field}
        assert a.content == b.content
    assert db_snapshot() == before


def test_an_engagement_of_another_client_of_the_same_firm_is_400(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    theirs = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    before = db_snapshot()
    error = assert_error(
        post(alice.client, time_body(alice, acme, engagementId=theirs.public_id)), 400
    )
    assert "engagementId" in error["fields"]
    error = assert_error(
        post(alice.client, time_body(alice, acme, taskId=tasks_of(theirs)[0].public_id)), 400
    )
    assert "taskId" in error["fields"]
    assert db_snapshot() == before


# --- Create: whose client -----------------------------------------------------------------------


def test_entity_must_be_an_active_client_of_the_firm_all_others_are_the_same_404(
    alice, acme, charlie, globex, make_client
):
    archived = make_client(alice, "Gone Co")
    client_archive(link=archived)
    before = db_snapshot()
    responses = [
        post(alice.client, time_body(alice, acme, entityId=entity_id))
        for entity_id in (
            new_public_id("ent"),
            alice.firm.public_id,
            charlie.firm.public_id,
            globex.client.public_id,
            archived.client.public_id,
        )
    ]
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert db_snapshot() == before


def test_charlie_using_alices_ids_gets_the_same_404_as_unknown_ids(alice, acme, charlie, globex):
    before = db_snapshot()
    # Alice's firm with Charlie's key.
    foreign_firm = post(charlie.client, time_body(alice, acme))
    unknown_firm = post(charlie.client, time_body(alice, acme, firmEntityId=new_public_id("ent")))
    assert_error(foreign_firm, 404, "not_found")
    assert foreign_firm.content == unknown_firm.content
    # His own firm with Alice's client.
    foreign_client = post(charlie.client, time_body(charlie, acme))
    unknown_client = post(charlie.client, time_body(charlie, acme, entityId=new_public_id("ent")))
    assert_error(foreign_client, 404, "not_found")
    assert foreign_client.content == unknown_client.content == foreign_firm.content
    assert db_snapshot() == before


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_changes_nothing(anon, alice, acme):
    entry = create(alice, acme)
    before, stored = db_snapshot(), row(entry["id"])
    firm = alice.firm.public_id
    assert_error(anon.get(TIME, {"firmEntityId": firm}), 401, "not_authenticated")
    assert_error(post(anon, time_body(alice, acme)), 401, "not_authenticated")
    assert_error(patch(anon, entry["id"], {"hours": 1}, firm_id=firm), 401, "not_authenticated")
    assert_error(delete(anon, entry["id"], firm), 401, "not_authenticated")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_bad_api_key_is_401(alice, acme):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-real-key")
    assert_error(client.get(TIME, {"firmEntityId": alice.firm.public_id}), 401)


def test_a_viewer_can_list(alice, acme, bob):
    entry = create(alice, acme)
    body = listing(bob)
    assert [e["id"] for e in body["entries"]] == [entry["id"]]


def test_a_viewer_cannot_write_and_nothing_changes(alice, acme, bob):
    entry = create(alice, acme)
    firm = bob.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    assert_error(post(bob.client, time_body(bob, acme)), 403, "permission_denied")
    assert_error(
        patch(bob.client, entry["id"], {"hours": 1}, firm_id=firm), 403, "permission_denied"
    )
    assert_error(
        patch(bob.client, entry["id"], {"firmEntityId": firm, "description": "x"}),
        403,
        "permission_denied",
    )
    assert_error(delete(bob.client, entry["id"], firm), 403, "permission_denied")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_session_admin_writes_as_themself(alice, acme):
    from rest_framework.test import APIClient

    dana = UserFactory(email="dana@alpha.test", is_staff=True)
    MembershipFactory(user=dana, entity=alice.firm, role="ADMIN")
    client = APIClient()
    client.force_login(dana)
    response = post(client, time_body(alice, acme))
    assert response.status_code == 201, response.content
    assert response.json()["entry"]["userId"] == dana.public_id


def test_a_suspended_firm_gets_403_partner_program_required_everywhere(alice, acme, bob):
    entry = create(alice, acme)
    suspend(alice)
    firm = alice.firm.public_id
    before, stored = db_snapshot(), row(entry["id"])
    for client in (alice.client, bob.client):
        assert_error(client.get(TIME, {"firmEntityId": firm}), 403, "partner_program_required")
    assert_error(post(alice.client, time_body(alice, acme)), 403, "partner_program_required")
    assert_error(
        patch(alice.client, entry["id"], {"hours": 1}, firm_id=firm),
        403,
        "partner_program_required",
    )
    assert_error(delete(alice.client, entry["id"], firm), 403, "partner_program_required")
    assert db_snapshot() == before
    assert row(entry["id"]) == stored


def test_a_suspended_firm_still_gets_404_for_another_firm(alice, charlie):
    """Enrollment is only discussed with members: a stranger still meets the plain 404."""
    suspend(alice)
    foreign = charlie.client.get(TIME, {"firmEntityId": alice.firm.public_id})
    unknown = charlie.client.get(TIME, {"firmEntityId": new_public_id("ent")})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content


# --- List -----------------------------------------------------------------------------------------


def test_list_shape_order_and_totals(alice, acme):
    a = create(alice, acme, date="2026-01-10", hours=2.5)
    b = create(alice, acme, date="2026-01-20", hours=1.25, billable=False)
    c = create(alice, acme, date="2026-01-15", hours=8)
    body = listing(alice)
    assert set(body) == LIST_KEYS
    assert [e["id"] for e in body["entries"]] == [b["id"], c["id"], a["id"]]
    assert all(set(e) == ENTRY_KEYS for e in body["entries"])
    assert body["totalHours"] == 11.75
    assert body["billableHours"] == 10.5
    assert isinstance(body["totalHours"], float) and isinstance(body["billableHours"], float)
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert body["entries"][1] == c


def test_an_empty_list_has_zero_totals(alice):
    body = listing(alice)
    assert body == {
        "entries": [],
        "totalHours": 0,
        "billableHours": 0,
        "hasMore": False,
        "nextCursor": None,
    }


def test_totals_add_up_exactly(alice, acme):
    for _ in range(3):
        create(alice, acme, hours=0.1)
    create(alice, acme, hours=0.2, billable=False)
    body = listing(alice)
    assert body["totalHours"] == 0.5
    assert body["billableHours"] == 0.3


def test_same_date_entries_are_newest_first(alice, acme):
    ids = [create(alice, acme, date="2026-01-15")["id"] for _ in range(4)]
    assert [e["id"] for e in listing(alice)["entries"]] == ids[::-1]


def test_totals_cover_the_whole_filtered_set_not_the_page(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    for day, hours, billable in ((1, 1, True), (2, 2, False), (3, 3, True), (4, 4, True)):
        create(alice, acme, date=f"2026-01-0{day}", hours=hours, billable=billable)
    create(alice, other, hours=10)
    body = listing(alice, clientEntityId=acme.client.public_id, limit=2)
    assert len(body["entries"]) == 2
    assert body["hasMore"] is True and body["nextCursor"]
    assert body["totalHours"] == 10.0
    assert body["billableHours"] == 8.0
    second = listing(
        alice, clientEntityId=acme.client.public_id, limit=2, cursor=body["nextCursor"]
    )
    assert (second["totalHours"], second["billableHours"]) == (10.0, 8.0)
    assert [e["date"] for e in body["entries"] + second["entries"]] == [
        "2026-01-04",
        "2026-01-03",
        "2026-01-02",
        "2026-01-01",
    ]
    assert second["hasMore"] is False and second["nextCursor"] is None


def test_list_filters(alice, acme, make_client, bookkeeping):
    other = make_client(alice, "Other Co")
    dana = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=dana, entity=alice.firm, role="MEMBER")
    e1 = create(alice, acme, date="2026-01-01", hours=1)
    e2 = create(alice, acme, date="2026-01-31", hours=2, engagementId=bookkeeping.public_id)
    e3 = create(alice, acme, date="2026-02-01", hours=3, billable=False, userId=dana.public_id)
    e4 = create(alice, other, date="2026-01-15", hours=4)
    mark_billed(e4["id"])

    def ids(**params):
        body = listing(alice, **params)
        return {e["id"] for e in body["entries"]}, body["totalHours"], body["billableHours"]

    assert ids() == ({e1["id"], e2["id"], e3["id"], e4["id"]}, 10.0, 7.0)
    assert ids(clientEntityId=acme.client.public_id) == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(clientEntityId=other.client.public_id) == ({e4["id"]}, 4.0, 4.0)
    # from and to are inclusive.
    assert ids(**{"from": "2026-01-01", "to": "2026-01-31"}) == (
        {e1["id"], e2["id"], e4["id"]},
        7.0,
        7.0,
    )
    assert ids(**{"from": "2026-01-31"}) == ({e2["id"], e3["id"]}, 5.0, 2.0)
    assert ids(to="2026-01-01") == ({e1["id"]}, 1.0, 1.0)
    assert ids(**{"from": "2026-01-31", "to": "2026-01-31"}) == ({e2["id"]}, 2.0, 2.0)
    assert ids(unbilledOnly="true") == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(unbilledOnly="1") == ({e1["id"], e2["id"], e3["id"]}, 6.0, 3.0)
    assert ids(unbilledOnly="false")[0] == {e1["id"], e2["id"], e3["id"], e4["id"]}
    assert ids(unbilledOnly="0")[0] == {e1["id"], e2["id"], e3["id"], e4["id"]}
    assert ids(billable="false") == ({e3["id"]}, 3.0, 0.0)
    assert ids(billable="0") == ({e3["id"]}, 3.0, 0.0)
    assert ids(billable="true") == ({e1["id"], e2["id"], e4["id"]}, 7.0, 7.0)
    assert ids(engagementId=bookkeeping.public_id) == ({e2["id"]}, 2.0, 2.0)
    assert ids(userId=dana.public_id) == ({e3["id"]}, 3.0, 0.0)
    assert ids(userId=alice.user.public_id)[0] == {e1["id"], e2["id"], e4["id"]}
    assert ids(clientEntityId=acme.client.public_id, billable="true", to="2026-01-15") == (
        {e1["id"]},
        1.0,
        1.0,
    )
    # Well-formed ids that name nothing filter to nothing.
    assert ids(clientEntityId=new_public_id("ent")) == (set(), 0.0, 0.0)
    assert ids(engagementId=new_public_id("eng")) == (set(), 0.0, 0.0)


def test_updated_since_filter(alice, acme):
    old = create(alice, acme)
    new = create(alice, acme)
    TimeEntry.objects.filter(public_id=old["id"]).update(
        updated_at=timezone.now() - dt.timedelta(days=2)
    )
    since = (timezone.now() - dt.timedelta(days=1)).isoformat().replace("+00:00", "Z")
    assert [e["id"] for e in listing(alice, updatedSince=since)["entries"]] == [new["id"]]
    # An edit brings an entry back into the window.
    patch(alice.client, old["id"], {"description": "edited"}, firm_id=alice.firm.public_id)
    assert {e["id"] for e in listing(alice, updatedSince=since)["entries"]} == {
        old["id"],
        new["id"],
    }


def test_billed_entries_are_listed_as_locked_with_their_invoice(alice, acme):
    entry = create(alice, acme, rate=10_000)
    mark_billed(entry["id"], number="INV-0007")
    listed = listing(alice)["entries"][0]
    assert listed["billingStatus"] == "billed"
    assert listed["invoiced"] is True and listed["isLocked"] is True
    assert listed["invoiceId"] == "inv_x"
    assert listed["invoice"] == {"id": "inv_x", "number": "INV-0007"}
    assert listed["lockedReason"] == "invoiced"


def test_the_list_never_shows_another_firms_entries(alice, acme, charlie, globex):
    mine = create(alice, acme)
    theirs = create(charlie, globex)
    assert [e["id"] for e in listing(alice)["entries"]] == [mine["id"]]
    assert [e["id"] for e in listing(charlie)["entries"]] == [theirs["id"]]
    # Filtering by another firm's client shows nothing of it.
    body = listing(charlie, clientEntityId=acme.client.public_id)
    assert body["entries"] == [] and body["totalHours"] == 0


def test_listing_another_firm_is_the_same_404_as_an_unknown_one(alice, acme, charlie):
    create(alice, acme)
    foreign = charlie.client.get(TIME, {"firmEntityId": alice.firm.public_id})
    unknown = charlie.client.get(TIME, {"firmEntityId": new_public_id("ent")})
    client_entity = charlie.client.get(TIME, {"firmEntityId": acme.client.public_id})
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == client_entity.content


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"firmEntityId": None}, "firmEntityId"),
        ({"firmEntityId": "junk"}, "firmEntityId"),
        ({"firmEntityId": "ent_" + "0" * 5_000}, "firmEntityId"),
        ({"unbilledOnly": "yes"}, "unbilledOnly"),
        ({"unbilledOnly": "2"}, "unbilledOnly"),
        ({"billable": "maybe"}, "billable"),
        ({"billable": "on"}, "billable"),
        ({"from": "2026-02-30"}, "from"),
        ({"to": "not-a-date"}, "to"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "from"),
        ({"clientEntityId": "acme"}, "clientEntityId"),
        ({"clientEntityId": "eng_" + "0" * 26}, "clientEntityId"),
        ({"engagementId": "ent_" + "0" * 26}, "engagementId"),
        ({"userId": "usr_x"}, "userId"),
        ({"updatedSince": "last tuesday"}, "updatedSince"),
        ({"limit": "0"}, "limit"),
        ({"limit": "2001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"cursor": "garbage"}, "cursor"),
    ],
)
def test_bad_list_query_parameters_are_400(alice, acme, extra, field):
    create(alice, acme)
    params = {"firmEntityId": alice.firm.public_id, **extra}
    params = {k: v for k, v in params.items() if v is not None}
    error = assert_error(alice.client.get(TIME, params), 400, "validation_error")
    assert field in error["fields"], error


def test_a_cursor_of_another_list_is_refused(alice, acme, make_client):
    make_client(alice, "Other Co")
    clients = alice.client.get(
        "/api/practice/clients", {"firmEntityId": alice.firm.public_id, "limit": 1}
    ).json()
    assert clients["nextCursor"]
    error = assert_error(
        alice.client.get(
            TIME, {"firmEntityId": alice.firm.public_id, "cursor": clients["nextCursor"]}
        ),
        400,
        "validation_error",
    )
    assert "cursor" in error["fields"]


def test_cursor_pagination_walks_every_entry_once(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    bulk_entries(alice, acme, 17, start=dt.date(2026, 1, 1))
    bulk_entries(alice, other, 8, start=dt.date(2026, 1, 5))  # many entries share a date
    expected = list(
        TimeEntry.objects.filter(firm=alice.firm)
        .order_by("-date", "-id")
        .values_list("public_id", flat=True)
    )
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        body = listing(alice, **params)
        pages += 1
        assert body["totalHours"] == 25.0
        seen += body["entries"]
        if not body["hasMore"]:
            assert body["nextCursor"] is None
            break
        assert len(body["entries"]) == 7
        cursor = body["nextCursor"]
    assert pages == 4
    assert [e["id"] for e in seen] == expected
    assert len({e["id"] for e in seen}) == 25
    dates = [e["date"] for e in seen]
    assert dates == sorted(dates, reverse=True)


def test_a_cursor_keeps_its_place_when_earlier_entries_are_deleted(alice, acme):
    bulk_entries(alice, acme, 6)
    first = listing(alice, limit=3)
    # Delete what was already served: the next page still starts right after it.
    for entry in first["entries"]:
        assert delete(alice.client, entry["id"], alice.firm.public_id).status_code == 204
    second = listing(alice, limit=3, cursor=first["nextCursor"])
    assert len(second["entries"]) == 3 and second["hasMore"] is False


def _count_queries(persona, params) -> int:
    persona.client.get(TIME, params)  # warm up: the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        response = persona.client.get(TIME, params)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_the_list_takes_the_same_queries_for_1_or_200_entries(alice, acme, bookkeeping):
    tasks = tasks_of(bookkeeping)
    params = {"firmEntityId": alice.firm.public_id}
    fields = {"engagement": bookkeeping, "task": tasks[0], "user": alice.user}
    bulk_entries(alice, acme, 1, **fields)
    one = _count_queries(alice, params)
    bulk_entries(alice, acme, 199, **fields)
    many = _count_queries(alice, params)
    body = listing(alice)
    assert len(body["entries"]) == 200
    assert all(e["taskId"] == tasks[0].public_id for e in body["entries"])
    assert all(e["engagementId"] == bookkeeping.public_id for e in body["entries"])
    assert all(e["userId"] == alice.user.public_id for e in body["entries"])
    assert one == many


def test_the_list_query_count_for_a_session_user_is_flat_too(alice, acme, bob):
    params = {"firmEntityId": bob.firm.public_id}
    bulk_entries(alice, acme, 1, user=bob.user)
    one = _count_queries(bob, params)
    bulk_entries(alice, acme, 150, user=bob.user)
    assert _count_queries(bob, params) == one


# --- PATCH ----------------------------------------------------------------------------------------


def test_patch_edits_an_unbilled_entry(alice, acme):
    entry = create(alice, acme, rate=10_000)
    TimeEntry.objects.filter(public_id=entry["id"]).update(
        updated_at=timezone.now() - dt.timedelta(hours=1)
    )
    response = patch(
        alice.client,
        entry["id"],
        {
            "hours": 3.25,
            "description": "Reconciliations",
            "billable": False,
            "date": "2026-01-20",
            "externalReference": "harvest-9",
        },
        firm_id=alice.firm.public_id,
    )
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"entry"}
    edited = response.json()["entry"]
    assert set(edited) == ENTRY_KEYS
    assert edited == {
        **entry,
        "hours": 3.25,
        "description": "Reconciliations",
        "billable": False,
        "date": "2026-01-20",
        "externalReference": "harvest-9",
        "amount": 32_500,
        "updatedAt": edited["updatedAt"],
    }
    assert edited["updatedAt"] > entry["updatedAt"]
    stored = TimeEntry.objects.get(public_id=entry["id"])
    assert (stored.hours, stored.amount_cents, stored.date) == (
        Decimal("3.25"),
        32_500,
        dt.date(2026, 1, 20),
    )


def test_patch_takes_the_firm_from_the_body_too(alice, acme):
    entry = create(alice, acme)
    response = patch(alice.client, entry["id"], {"firmEntityId": alice.firm.public_id, "hours": 4})
    assert response.status_code == 200, response.content
    assert response.json()["entry"]["hours"] == 4.0


def test_patch_a_new_rate_or_a_null_rate(alice, acme, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    entry = create(alice, rated, hours=2)
    firm = alice.firm.public_id

    explicit = patch(alice.client, entry["id"], {"rate": 5_000}, firm_id=firm).json()["entry"]
    assert (explicit["rate"], explicit["rateSource"], explicit["amount"]) == (
        5_000,
        "explicit",
        10_000,
    )
    # A null rate goes back to the defaults as they are now.
    client_update(link=rated, changes={"default_rate_cents": 25_000})
    derived = patch(alice.client, entry["id"], {"rate": None}, firm_id=firm).json()["entry"]
    assert (derived["rate"], derived["rateSource"], derived["amount"]) == (
        25_000,
        "client",
        50_000,
    )


def test_patch_moves_an_entry_to_another_client(alice, acme, make_client, bookkeeping):
    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    task = tasks_of(bookkeeping)[0]
    entry = create(alice, acme, hours=2, engagementId=bookkeeping.public_id, taskId=task.public_id)
    assert (entry["rateSource"], entry["taskId"]) == ("firm", task.public_id)

    response = patch(
        alice.client,
        entry["id"],
        {"entityId": rated.client.public_id},
        firm_id=alice.firm.public_id,
    )
    assert response.status_code == 200, response.content
    moved = response.json()["entry"]
    assert moved["entityId"] == rated.client.public_id
    # The engagement and task were the old client's: dropped. The rate follows the new client.
    assert moved["engagementId"] is None and moved["taskId"] is None
    assert (moved["rate"], moved["rateSource"], moved["amount"]) == (20_000, "client", 40_000)
    assert {e["id"] for e in listing(alice, clientEntityId=rated.client.public_id)["entries"]} == {
        entry["id"]
    }
    assert listing(alice, clientEntityId=acme.client.public_id)["entries"] == []


def test_moving_an_entry_with_an_explicit_rate_keeps_the_rate(alice, acme, make_client):
    rated = make_client(alice, "Rated Co", default_rate_cents=20_000)
    entry = create(alice, acme, hours=2, rate=7_500)
    moved = patch(
        alice.client,
        entry["id"],
        {"entityId": rated.client.public_id},
        firm_id=alice.firm.public_id,
    ).json()["entry"]
    assert (moved["rate"], moved["rateSource"], moved["amount"]) == (7_500, "explicit", 15_000)


def test_moving_with_an_engagement_of_the_new_client(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    theirs = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    entry = create(alice, acme)
    moved = patch(
        alice.client,
        entry["id"],
        {"entityId": other.client.public_id, "engagementId": theirs.public_id},
        firm_id=alice.firm.public_id,
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["entry"]["engagementId"] == theirs.public_id
    # An engagement of the old client is refused for the new one.
    stale = create(alice, acme)
    own = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Acme books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    stored = row(stale["id"])
    error = assert_error(
        patch(
            alice.client,
            stale["id"],
            {"entityId": other.client.public_id, "engagementId": own.public_id},
            firm_id=alice.firm.public_id,
        ),
        400,
    )
    assert "engagementId" in error["fields"]
    assert row(stale["id"]) == stored


def test_moving_to_a_client_that_is_not_an_active_client_is_the_same_404(
    alice, acme, charlie, globex, make_client
):
    archived = make_client(alice, "Gone Co")
    client_archive(link=archived)
    entry = create(alice, acme)
    stored = row(entry["id"])
    responses = [
        patch(alice.client, entry["id"], {"entityId": entity_id}, firm_id=alice.firm.public_id)
        for entity_id in (
            new_public_id("ent"),
            alice.firm.public_id,
            globex.client.public_id,
            archived.client.public_id,
        )
    ]
    for response in responses:
        assert_error(response, 404, "not_found")
        assert response.content == responses[0].content
    assert row(entry["id"]) == stored


def test_changing_the_engagement_does_not_leave_a_task_of_another_engagement(
    alice, acme, bookkeeping
):
    """An entry's task always belongs to its engagement: create refuses a mismatch, so must edit."""
    other = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Tax prep",
        start_date=dt.date(2026, 1, 1),
        type="tax_prep",
    )
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    response = patch(
        alice.client, entry["id"], {"engagementId": other.public_id}, firm_id=alice.firm.public_id
    )
    stored = TimeEntry.objects.select_related("task").get(public_id=entry["id"])
    if response.status_code == 200:
        assert stored.engagement_id == other.pk
        assert stored.task is None or stored.task.engagement_id == other.pk, (
            "the entry now has engagement "
            f"{other.public_id} but still the task {stored.task.public_id} of "
            f"{bookkeeping.public_id}"
        )
    else:
        assert "taskId" in assert_error(response, 400)["fields"]
        assert stored.engagement_id == bookkeeping.pk


def test_clearing_the_engagement_does_not_leave_its_task(alice, acme, bookkeeping):
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    response = patch(
        alice.client, entry["id"], {"engagementId": None}, firm_id=alice.firm.public_id
    )
    stored = TimeEntry.objects.get(public_id=entry["id"])
    if response.status_code == 200:
        assert stored.engagement_id is None
        assert stored.task_id is None, "the engagement was cleared but its task was kept"
    else:
        assert_error(response, 400)
        assert stored.engagement_id == bookkeeping.pk


def test_patch_user_and_clearing_references(alice, acme, bookkeeping):
    dana = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=dana, entity=alice.firm, role="MEMBER")
    entry = create(
        alice, acme, engagementId=bookkeeping.public_id, taskId=tasks_of(bookkeeping)[0].public_id
    )
    firm = alice.firm.public_id
    edited = patch(alice.client, entry["id"], {"userId": dana.public_id}, firm_id=firm).json()
    assert edited["entry"]["userId"] == dana.public_id
    cleared = patch(
        alice.client, entry["id"], {"taskId": None, "engagementId": None}, firm_id=firm
    ).json()["entry"]
    assert cleared["taskId"] is None and cleared["engagementId"] is None


def test_patch_a_billed_entry_is_409_and_changes_nothing(alice, acme):
    entry = create(alice, acme)
    mark_billed(entry["id"], number="INV-0042")
    stored = row(entry["id"])
    error = assert_error(
        patch(alice.client, entry["id"], {"hours": 1}, firm_id=alice.firm.public_id),
        409,
        "time_entry_invoiced",
    )
    assert entry["id"] in error["message"] and "INV-0042" in error["message"]
    assert row(entry["id"]) == stored


def test_patch_to_a_taken_external_reference_is_409(alice, acme):
    first = create(alice, acme, externalReference="harvest-1")
    second = create(alice, acme, externalReference="harvest-2")
    stored = row(second["id"])
    error = assert_error(
        patch(
            alice.client,
            second["id"],
            {"externalReference": "harvest-1"},
            firm_id=alice.firm.public_id,
        ),
        409,
        "duplicate_external_reference",
    )
    assert first["id"] in error["message"]
    assert row(second["id"]) == stored
    # Its own reference again is no conflict, and clearing it is allowed.
    firm = alice.firm.public_id
    same = patch(alice.client, second["id"], {"externalReference": "harvest-2"}, firm_id=firm)
    assert same.status_code == 200, same.content
    cleared = patch(alice.client, second["id"], {"externalReference": None}, firm_id=firm)
    assert cleared.json()["entry"]["externalReference"] is None


BAD_PATCH_BODIES = [
    ({}, "non_field_errors"),
    ({"firmEntityId": "FIRM"}, "non_field_errors"),  # nothing to change
    ({"hours": "2.5"}, "hours"),
    ({"hours": True}, "hours"),
    ({"hours": None}, "hours"),
    ({"hours": 0}, "hours"),
    ({"hours": 24.5}, "hours"),
    ({"hours": 1.234}, "hours"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": None}, "date"),
    ({"billable": "yes"}, "billable"),
    ({"billable": 0}, "billable"),
    ({"rate": "100"}, "rate"),
    ({"rate": -5}, "rate"),
    ({"rate": 1.5}, "rate"),
    ({"description": "x" * 5001}, "description"),
    ({"description": ["x"]}, "description"),
    ({"externalReference": ""}, "externalReference"),
    ({"entityId": "junk"}, "entityId"),
    ({"entityId": None}, "entityId"),
    ({"engagementId": "eng_1"}, "engagementId"),
    ({"engagementId": "NEW_ENG"}, "engagementId"),
    ({"taskId": "NEW_TASK"}, "taskId"),
    ({"userId": "NEW_USR"}, "userId"),
    ({"firmEntityId": "ent_other", "hours": 1}, "firmEntityId"),
    ({"firmEntityId": 5, "hours": 1}, "firmEntityId"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PATCH_BODIES)
def test_bad_patch_bodies_are_400_and_change_nothing(alice, acme, body, field):
    entry = create(alice, acme, rate=10_000)
    placeholders = {
        "FIRM": alice.firm.public_id,
        "NEW_ENG": new_public_id("eng"),
        "NEW_TASK": new_public_id("task"),
        "NEW_USR": new_public_id("usr"),
    }
    body = {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    stored = row(entry["id"])
    error = assert_error(
        patch(alice.client, entry["id"], body, firm_id=alice.firm.public_id),
        400,
        "validation_error",
    )
    assert field in error["fields"], error
    assert row(entry["id"]) == stored


@pytest.mark.parametrize("raw", ['{"hours": ', "[]", "null", "42"])
def test_patch_with_a_body_that_is_not_a_json_object_is_400(alice, acme, raw):
    entry = create(alice, acme)
    stored = row(entry["id"])
    assert_error(patch(alice.client, entry["id"], raw, firm_id=alice.firm.public_id), 400)
    assert row(entry["id"]) == stored


def test_patch_without_a_firm_is_400(alice, acme):
    entry = create(alice, acme)
    error = assert_error(patch(alice.client, entry["id"], {"hours": 1}), 400, "validation_error")
    assert "firmEntityId" in error["fields"]


def test_patch_with_a_disagreeing_firm_in_body_and_query_is_400(alice, acme, charlie):
    entry = create(alice, acme)
    stored = row(entry["id"])
    error = assert_error(
        patch(
            alice.client,
            entry["id"],
            {"firmEntityId": charlie.firm.public_id, "hours": 1},
            firm_id=alice.firm.public_id,
        ),
        400,
        "validation_error",
    )
    assert "firmEntityId" in error["fields"]
    assert row(entry["id"]) == stored


@pytest.mark.parametrize(
    "bad_id", ["junk", "te_short", "ent_" + "0" * 26, "te_" + "0" * 2_000, "TE_" + "0" * 26]
)
def test_patch_with_a_malformed_path_id_is_400(alice, acme, bad_id):
    error = assert_error(
        patch(alice.client, bad_id, {"hours": 1}, firm_id=alice.firm.public_id),
        400,
        "validation_error",
    )
    assert "timeEntryId" in error["fields"]


def test_patch_of_another_firms_entry_is_the_same_404_as_an_unknown_one(
    alice, acme, charlie, globex
):
    mine = create(alice, acme)
    stored = row(mine["id"])
    unknown = patch(
        charlie.client, new_public_id("te"), {"hours": 1}, firm_id=charlie.firm.public_id
    )
    foreign = patch(charlie.client, mine["id"], {"hours": 1}, firm_id=charlie.firm.public_id)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    # Naming Alice's firm with Charlie's key: the same 404 again.
    foreign_firm = patch(charlie.client, mine["id"], {"hours": 1}, firm_id=alice.firm.public_id)
    assert foreign_firm.content == unknown.content
    # And moving his entry to Alice's client.
    theirs = create(charlie, globex)
    moved = patch(
        charlie.client,
        theirs["id"],
        {"entityId": acme.client.public_id},
        firm_id=charlie.firm.public_id,
    )
    assert moved.content == unknown.content
    assert row(mine["id"]) == stored
    assert TimeEntry.objects.get(public_id=theirs["id"]).client == globex.client


# --- DELETE ---------------------------------------------------------------------------------------


def test_delete_removes_the_entry(alice, acme):
    keep = create(alice, acme)
    entry = create(alice, acme)
    response = delete(alice.client, entry["id"], alice.firm.public_id)
    assert response.status_code == 204
    assert response.content == b""
    assert not TimeEntry.objects.filter(public_id=entry["id"]).exists()
    assert [e["id"] for e in listing(alice)["entries"]] == [keep["id"]]
    again = delete(alice.client, entry["id"], alice.firm.public_id)
    unknown = delete(alice.client, new_public_id("te"), alice.firm.public_id)
    assert_error(again, 404, "not_found")
    assert again.content == unknown.content


def test_delete_of_a_billed_entry_is_409_and_deletes_nothing(alice, acme):
    entry = create(alice, acme)
    mark_billed(entry["id"], number="INV-0003")
    before = db_snapshot()
    error = assert_error(
        delete(alice.client, entry["id"], alice.firm.public_id), 409, "time_entry_invoiced"
    )
    assert entry["id"] in error["message"] and "INV-0003" in error["message"]
    assert db_snapshot() == before
    assert TimeEntry.objects.filter(public_id=entry["id"]).exists()


def test_delete_of_another_firms_entry_is_the_same_404_as_an_unknown_one(alice, acme, charlie):
    mine = create(alice, acme)
    before = db_snapshot()
    unknown = delete(charlie.client, new_public_id("te"), charlie.firm.public_id)
    foreign = delete(charlie.client, mine["id"], charlie.firm.public_id)
    foreign_firm = delete(charlie.client, mine["id"], alice.firm.public_id)
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content == foreign_firm.content
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("entry_id", "firm", "field"),
    [
        (None, "FIRM", "timeEntryId"),
        ("junk", "FIRM", "timeEntryId"),
        ("ent_" + "0" * 26, "FIRM", "timeEntryId"),
        ("te_" + "0" * 3_000, "FIRM", "timeEntryId"),
        ("ENTRY", None, "firmEntityId"),
        ("ENTRY", "nope", "firmEntityId"),
    ],
)
def test_bad_delete_parameters_are_400_and_delete_nothing(alice, acme, entry_id, firm, field):
    entry = create(alice, acme)
    entry_id = entry["id"] if entry_id == "ENTRY" else entry_id
    firm = alice.firm.public_id if firm == "FIRM" else firm
    before = db_snapshot()
    error = assert_error(delete(alice.client, entry_id, firm), 400, "validation_error")
    assert field in error["fields"], error
    assert db_snapshot() == before


def test_a_delete_body_does_not_replace_the_query_string(alice, acme):
    entry = create(alice, acme)
    response = alice.client.delete(
        TIME,
        data=json.dumps({"timeEntryId": entry["id"], "firmEntityId": alice.firm.public_id}),
        content_type="application/json",
    )
    assert_error(response, 400, "validation_error")
    assert TimeEntry.objects.filter(public_id=entry["id"]).exists()


# --- Concurrency (PostgreSQL) ------------------------------------------------------------------


def _bill_under_lock(pk: int, *, hold: float = 0.0, locked: threading.Event | None = None) -> bool:
    """What invoicing does to an entry: lock the row, mark it billed if it is still unbilled."""
    with transaction.atomic():
        entry = TimeEntry.objects.select_for_update().filter(pk=pk).first()
        if locked is not None:
            locked.set()
        if entry is None or entry.billing_status != "unbilled":
            return False
        time.sleep(hold)
        TimeEntry.objects.filter(pk=pk).update(
            billing_status="billed",
            invoice_public_id="inv_race",
            invoice_number="INV-RACE",
            billed_at=timezone.now(),
        )
        return True


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_delete_waits_for_invoicing_that_holds_the_entry_and_then_refuses(alice, acme):
    entry = create(alice, acme, rate=10_000)
    pk = TimeEntry.objects.get(public_id=entry["id"]).pk
    alice.client.get(TIME, {"firmEntityId": alice.firm.public_id})  # stamp the key's use now
    locked = threading.Event()
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def bill():
        try:
            results["billed"] = _bill_under_lock(pk, hold=0.5, locked=locked)
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    def remove():
        try:
            assert locked.wait(timeout=10)
            results["delete"] = delete(alice.client, entry["id"], alice.firm.public_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=bill), threading.Thread(target=remove)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert results["billed"] is True
    assert_error(results["delete"], 409, "time_entry_invoiced")
    stored = TimeEntry.objects.get(pk=pk)
    assert stored.billing_status == "billed" and stored.invoice_number == "INV-RACE"


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_racing_delete_and_invoicing_never_both_win(alice, acme):
    alice.client.get(TIME, {"firmEntityId": alice.firm.public_id})  # stamp the key's use now
    for _ in range(5):
        entry = create(alice, acme, rate=10_000)
        pk = TimeEntry.objects.get(public_id=entry["id"]).pk
        barrier = threading.Barrier(2)
        results: dict[str, object] = {}
        errors: list[BaseException] = []

        def bill(pk=pk, barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                results["billed"] = _bill_under_lock(pk, hold=0.05)
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        def remove(entry_id=entry["id"], barrier=barrier, results=results, errors=errors):
            try:
                barrier.wait(timeout=10)
                results["delete"] = delete(alice.client, entry_id, alice.firm.public_id)
            except BaseException as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=bill), threading.Thread(target=remove)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert errors == []
        stored = TimeEntry.objects.filter(pk=pk).first()
        deleted = results["delete"].status_code == 204
        if deleted:
            assert results["billed"] is False, "the entry was billed and then deleted"
            assert stored is None
        else:
            assert_error(results["delete"], 409, "time_entry_invoiced")
            assert results["billed"] is True
            assert stored is not None and stored.billing_status == "billed"


def test_archiving_a_client_keeps_its_entries_listed_and_editable(alice, acme):
    entry = create(alice, acme, hours=1)
    client_archive(link=acme)
    assert ClientLink.objects.get(pk=acme.pk).archived_at is not None
    assert [e["id"] for e in listing(alice)["entries"]] == [entry["id"]]
    response = patch(alice.client, entry["id"], {"hours": 2}, firm_id=alice.firm.public_id)
    assert response.status_code == 200, response.content
    assert response.json()["entry"]["hours"] == 2.0
