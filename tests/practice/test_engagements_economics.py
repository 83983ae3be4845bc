"""Engagements' economics: billing method, rate, fee and budgets taken and shown, strictly
validated, and the actuals (hours, standard value, share of the budget used) computed in the list's
fixed number of queries (docs/adr/0026).

Worked example used below: 10 h at 150.00 (1,500.00, billable) + 2.50 h at 100.00 (250.00, not
billable) + 1 h without a rate (nothing) = 13.50 h and 1,750.00 of standard value.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from axiomatic.webhooks.models import WebhookEvent
from axiomatic.webhooks.services import endpoint_create
from practice.services.engagements import engagement_create, engagement_set_status
from practice.services.time_entries import time_entry_create
from tests.helpers import api, db_fingerprint
from tests.practice.engagement_helpers import (
    ENGAGEMENTS,
    by_id,
    create,
    firm_query,
    item_url,
    listed,
    practice_rows,
    short_id,
    task_url,
)

pytestmark = pytest.mark.django_db

NO_ECONOMICS = {
    "billingMethod": "hourly",
    "rate": None,
    "fee": None,
    "budgetHours": None,
    "budgetAmount": None,
    "actualHours": 0.0,
    "actualAmount": 0,
    "budgetUsed": None,
}


def log(persona, link, engagement_id: str, hours: str, rate, *, billable=True, day=None):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day or dt.date(2026, 10, 5),
        hours=Decimal(hours),
        rate_cents=rate,
        billable=billable,
        engagement_id=engagement_id,
    )


def worked_example(persona, link, engagement_id: str) -> None:
    log(persona, link, engagement_id, "10.00", 15_000)
    log(persona, link, engagement_id, "2.50", 10_000, billable=False)
    log(persona, link, engagement_id, "1.00", None)


def patch(persona, engagement_id: str, body: dict, **kwargs):
    return api(persona).patch(item_url(engagement_id) + firm_query(persona), body, **kwargs)


def _firm(persona) -> dict:
    return {"firmEntityId": persona.firm.public_id}


def economics(engagement: dict) -> dict:
    return {key: engagement[key] for key in NO_ECONOMICS}


# --- Taking and showing them ----------------------------------------------------------------------


def test_an_engagement_is_hourly_without_rate_fee_or_budget_by_default(alice, acme):
    engagement = create(alice, acme)
    assert economics(engagement) == NO_ECONOMICS
    assert by_id(alice)[engagement["id"]] == engagement


def test_a_fixed_fee_engagement_with_rate_and_budgets_is_shown_as_given(alice, acme):
    engagement = create(
        alice,
        acme,
        billingMethod="fixed_fee",
        rate=12_500,
        fee=150_000,
        budgetHours=20,
        budgetAmount=250_000,
    )
    assert economics(engagement) == {
        "billingMethod": "fixed_fee",
        "rate": 12_500,
        "fee": 150_000,
        "budgetHours": 20.0,
        "budgetAmount": 250_000,
        "actualHours": 0.0,
        "actualAmount": 0,
        "budgetUsed": 0.0,
    }
    assert by_id(alice)[engagement["id"]] == engagement


def test_a_non_billable_engagement_takes_budgets_and_a_rate(alice, acme):
    engagement = create(
        alice, acme, billingMethod="non_billable", rate=0, budgetHours=12.25, fee=None
    )
    assert (engagement["billingMethod"], engagement["rate"], engagement["fee"]) == (
        "non_billable",
        0,
        None,
    )
    assert engagement["budgetHours"] == 12.25


def test_a_fixed_fee_engagement_needs_its_fee(alice, acme):
    before = db_fingerprint()
    for fee in ({}, {"fee": None}):
        body = {"billingMethod": "fixed_fee", **fee}
        error = api(alice).post(ENGAGEMENTS, _body(alice, acme, **body), status=400)
        assert set(error["fields"]) == {"fee"}
        assert "fixed_fee" in error["fields"]["fee"][0]
    assert db_fingerprint() == before


@pytest.mark.parametrize("method", ["hourly", "non_billable"])
def test_only_a_fixed_fee_engagement_takes_a_fee(alice, acme, method):
    before = db_fingerprint()
    body = _body(alice, acme, billingMethod=method, fee=50_000)
    error = api(alice).post(ENGAGEMENTS, body, status=400, code="validation_error")
    assert set(error["fields"]) == {"fee"}
    assert method in error["fields"]["fee"][0]
    assert db_fingerprint() == before


def _body(persona, link, **overrides) -> dict:
    return {
        "firmEntityId": persona.firm.public_id,
        "entityId": link.client.public_id,
        "name": "FY2026 year-end",
        "startDate": "2026-10-01",
        **overrides,
    }


BAD_VALUES = [
    ("billingMethod", "weekly"),
    ("billingMethod", "FIXED_FEE"),
    ("billingMethod", None),
    ("billingMethod", 1),
    ("billingMethod", True),
    ("billingMethod", ["hourly"]),
    ("rate", -1),
    ("rate", 150.5),
    ("rate", "15000"),
    ("rate", True),
    ("rate", 10**16),
    ("fee", 0),
    ("fee", -100),
    ("fee", 99.99),
    ("fee", "1500"),
    ("fee", False),
    ("budgetHours", 0),
    ("budgetHours", -5),
    ("budgetHours", 10.125),
    ("budgetHours", "20"),
    ("budgetHours", True),
    ("budgetHours", 1_000_000),
    ("budgetHours", 1e300),
    ("budgetHours", {"hours": 2}),
    ("budgetAmount", 0),
    ("budgetAmount", -1),
    ("budgetAmount", 2.5),
    ("budgetAmount", "100000"),
    ("budgetAmount", [100]),
]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=short_id)
def test_bad_economics_on_create_are_400_naming_the_field(alice, acme, field, value):
    extra = {"fee": 10_000} if field != "fee" else {}
    method = {"billingMethod": "fixed_fee"} if field != "billingMethod" else {}
    before = db_fingerprint()
    error = api(alice).post(
        ENGAGEMENTS, _body(alice, acme, **method, **extra, **{field: value}), status=400
    )
    assert set(error["fields"]) == {field}
    assert db_fingerprint() == before


@pytest.mark.parametrize(("field", "value"), BAD_VALUES, ids=short_id)
def test_bad_economics_on_patch_are_400_and_change_nothing(alice, acme, field, value):
    engagement = create(alice, acme, billingMethod="fixed_fee", fee=10_000)
    rows = practice_rows()
    error = patch(alice, engagement["id"], {field: value}, status=400)
    assert set(error["fields"]) == {field}
    assert practice_rows() == rows


# --- Changing them ------------------------------------------------------------------------------


def test_patch_sets_and_clears_rate_and_budgets(alice, acme):
    engagement = create(alice, acme)
    edited = patch(
        alice, engagement["id"], {"rate": 17_500, "budgetHours": 40.5, "budgetAmount": 700_000}
    )["engagement"]
    assert economics(edited) == {
        **NO_ECONOMICS,
        "rate": 17_500,
        "budgetHours": 40.5,
        "budgetAmount": 700_000,
        "budgetUsed": 0.0,
    }
    assert edited["name"] == engagement["name"] and edited["tasks"] == engagement["tasks"]
    cleared = patch(alice, engagement["id"], {"budgetAmount": None, "rate": None})["engagement"]
    assert (cleared["budgetAmount"], cleared["rate"], cleared["budgetHours"]) == (None, None, 40.5)
    assert by_id(alice)[engagement["id"]] == cleared


def test_becoming_fixed_fee_needs_a_fee_in_the_same_patch(alice, acme):
    engagement = create(alice, acme)
    rows = practice_rows()
    error = patch(alice, engagement["id"], {"billingMethod": "fixed_fee"}, status=400)
    assert set(error["fields"]) == {"fee"}
    assert practice_rows() == rows
    fixed = patch(alice, engagement["id"], {"billingMethod": "fixed_fee", "fee": 90_000})
    assert (fixed["engagement"]["billingMethod"], fixed["engagement"]["fee"]) == (
        "fixed_fee",
        90_000,
    )


def test_a_fixed_fee_engagement_changes_its_fee_but_cannot_lose_it(alice, acme):
    engagement = create(alice, acme, billingMethod="fixed_fee", fee=90_000)
    assert patch(alice, engagement["id"], {"fee": 95_000})["engagement"]["fee"] == 95_000
    rows = practice_rows()
    error = patch(alice, engagement["id"], {"fee": None}, status=400)
    assert set(error["fields"]) == {"fee"}
    assert practice_rows() == rows


@pytest.mark.parametrize("method", ["hourly", "non_billable"])
def test_leaving_fixed_fee_clears_the_fee(alice, acme, method):
    engagement = create(alice, acme, billingMethod="fixed_fee", fee=90_000, budgetHours=10)
    moved = patch(alice, engagement["id"], {"billingMethod": method})["engagement"]
    assert (moved["billingMethod"], moved["fee"], moved["budgetHours"]) == (method, None, 10.0)
    # ... and saying so explicitly is the same.
    again = create(alice, acme, billingMethod="fixed_fee", fee=90_000)
    moved = patch(alice, again["id"], {"billingMethod": method, "fee": None})["engagement"]
    assert (moved["billingMethod"], moved["fee"]) == (method, None)


def test_a_fee_for_an_engagement_that_is_not_fixed_fee_is_refused(alice, acme):
    fixed = create(alice, acme, billingMethod="fixed_fee", fee=90_000)
    hourly = create(alice, acme)
    rows = practice_rows()
    refused = [
        patch(alice, fixed["id"], {"billingMethod": "hourly", "fee": 90_000}, status=400),
        patch(alice, hourly["id"], {"fee": 50_000}, status=400),
        patch(alice, hourly["id"], {"fee": 50_000, "name": "Renamed"}, status=400),
    ]
    assert all(set(error["fields"]) == {"fee"} for error in refused)
    assert practice_rows() == rows


def test_another_firms_engagement_is_the_same_404_and_keeps_its_fee(alice, charlie, globex):
    theirs = create(charlie, globex, billingMethod="fixed_fee", fee=90_000)
    rows = practice_rows()
    for engagement_id in (theirs["id"], new_public_id("eng")):
        error = patch(alice, engagement_id, {"billingMethod": "hourly"}, status=404)
        assert error["code"] == "not_found"
    assert practice_rows() == rows


def test_a_viewer_cannot_change_the_economics(alice, bob, acme):
    engagement = create(alice, acme)
    rows = practice_rows()
    patch(bob, engagement["id"], {"budgetHours": 5}, status=403, code="permission_denied")
    assert practice_rows() == rows


def test_each_occurrence_of_a_series_keeps_the_economics(alice, acme):
    engagement = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Monthly close",
        start_date=dt.date(2026, 10, 1),
        type="bookkeeping",
        recurrence="monthly",
        billing_method="fixed_fee",
        rate_cents=12_000,
        fee_cents=80_000,
        budget_hours=Decimal("6.00"),
        budget_amount_cents=72_000,
    )
    engagement_set_status(firm=alice.firm, public_id=engagement.public_id, status="completed")
    [_, successor] = listed(alice)
    assert successor["periodKey"] == "2026-11"
    assert economics(successor) == {
        "billingMethod": "fixed_fee",
        "rate": 12_000,
        "fee": 80_000,
        "budgetHours": 6.0,
        "budgetAmount": 72_000,
        "actualHours": 0.0,
        "actualAmount": 0,
        "budgetUsed": 0.0,
    }


# --- The actuals ----------------------------------------------------------------------------------


def test_actuals_are_all_its_time_billable_or_not_at_standard_value(alice, acme):
    engagement = create(alice, acme, budgetAmount=200_000)
    other = create(alice, acme, name="Other")
    worked_example(alice, acme, engagement["id"])
    log(alice, acme, other["id"], "3.00", 15_000)
    log(alice, acme, None, "4.00", 15_000)  # on no engagement: nobody's actuals

    shown = by_id(alice)
    assert (shown[engagement["id"]]["actualHours"], shown[engagement["id"]]["actualAmount"]) == (
        13.5,
        175_000,
    )
    assert shown[engagement["id"]]["budgetUsed"] == 0.875  # 175000 / 200000
    assert (shown[other["id"]]["actualHours"], shown[other["id"]]["actualAmount"]) == (3.0, 45_000)
    assert shown[other["id"]]["budgetUsed"] is None


def test_budget_used_measures_the_amount_budget_first_then_hours(alice, acme):
    engagement = create(alice, acme)
    worked_example(alice, acme, engagement["id"])

    def used(body):
        return patch(alice, engagement["id"], body)["engagement"]["budgetUsed"]

    assert used({"budgetHours": 20}) == 0.675  # 13.5 / 20
    assert used({"budgetAmount": 150_000}) == 1.1667  # 175000 / 150000, over budget; amount wins
    assert used({"budgetAmount": None}) == 0.675
    assert used({"budgetHours": 13.5}) == 1.0
    assert used({"budgetHours": None}) is None


def test_the_create_patch_and_status_answers_carry_the_actuals(alice, acme):
    engagement = create(alice, acme, type="audit", budgetHours=27)
    worked_example(alice, acme, engagement["id"])
    task = engagement["tasks"][0]["id"]
    completed = api(alice).post(
        task_url(engagement["id"], task, "complete"), _firm(alice), status=200
    )
    assert completed["engagement"]["actualHours"] == 13.5
    assert completed["engagement"]["budgetUsed"] == 0.5
    moved = api(alice).patch(
        ENGAGEMENTS,
        {
            "firmEntityId": alice.firm.public_id,
            "engagementId": engagement["id"],
            "status": "cancelled",
        },
    )["engagement"]
    assert (moved["actualAmount"], moved["budgetUsed"]) == (175_000, 0.5)


def test_webhook_bodies_carry_the_actuals(
    alice, acme, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    endpoint_create(firm=alice.firm, url="http://127.0.0.1:9/hooks", event_types=["*"])
    engagement = create(alice, acme, type="audit", budgetAmount=350_000)
    worked_example(alice, acme, engagement["id"])
    task = engagement["tasks"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = api(alice).post(
            task_url(engagement["id"], task, "complete"), _firm(alice), status=200
        )
    event = WebhookEvent.objects.get(type="engagement.task_completed")
    body = event.payload["data"]["object"]
    assert body == answer["engagement"]
    assert (body["actualHours"], body["actualAmount"], body["budgetUsed"]) == (13.5, 175_000, 0.5)


def test_the_list_takes_the_same_queries_however_many_engagements_have_time(alice, acme):
    def count(n: int) -> int:
        for i in range(n):
            engagement = create(alice, acme, name=f"Engagement {i}", type="advisory")
            log(alice, acme, engagement["id"], "1.00", 10_000)
            log(alice, acme, engagement["id"], "2.00", None, billable=False)
        listed(alice)  # what a first request reads once (the key, the firm) is cached
        with CaptureQueriesContext(connection) as queries:
            shown = listed(alice)
        assert all(e["actualHours"] == 3.0 and e["actualAmount"] == 10_000 for e in shown)
        return len(queries)

    few = count(2)
    many = count(10)  # 12 engagements in all
    assert len(listed(alice)) == 12
    assert many == few
