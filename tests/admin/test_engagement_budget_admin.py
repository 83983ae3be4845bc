"""Engagement budgets in the admin: the billing method, rate, fee and budgets on the form, saved
through the engagement service; the budget, actuals and share used on the changelist, computed in
its own query (docs/adr/0026).

Worked example: 10 h at 150.00 (1,500.00) + 2.50 h at 100.00, not billable (250.00) + 1 h without a
rate = 13.50 h and 1,750.00 of standard value.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axiomatic.core.money import format_cents
from practice.models import Engagement
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:practice_engagement_changelist")
ADD = reverse("admin:practice_engagement_add")


def change_url(engagement) -> str:
    return reverse("admin:practice_engagement_change", args=[engagement.pk])


def new_engagement(persona, link, name="Year-end accounts", **economics):
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=dt.date(2026, 10, 1),
        type="advisory",
        **economics,
    )


def log(persona, link, engagement, hours, rate, *, billable=True):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=dt.date(2026, 10, 5),
        hours=Decimal(hours),
        rate_cents=rate,
        billable=billable,
        engagement_id=engagement.public_id,
    )


def worked_example(persona, link, engagement) -> None:
    log(persona, link, engagement, "10.00", 15_000)
    log(persona, link, engagement, "2.50", 10_000, billable=False)
    log(persona, link, engagement, "1.00", None)


def row_of(html: str, name: str) -> str:
    """The changelist row of the engagement called `name`."""
    start = html.index(f">{name}</a>")
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def cell(row: str, column: str) -> str:
    start = row.index(f'class="field-{column}"')
    return row[row.index(">", start) + 1 : row.index("</td>", start)]


def money(cents) -> str:
    """An amount as a person types it in the form ("1,500.00")."""
    return "" if cents is None else format_cents(cents, parentheses=False)


def edit_data(engagement, **overrides) -> dict:
    """What the change form posts for `engagement` (its tasks inline are read-only for staff)."""
    tasks = engagement.tasks.count()
    data = {
        "name": engagement.name,
        "due_date": "",
        "assignee": "",
        "notes": engagement.notes,
        "billing_method": engagement.billing_method,
        "rate_cents": money(engagement.rate_cents),
        "fee_cents": money(engagement.fee_cents),
        "budget_hours": engagement.budget_hours or "",
        "budget_amount_cents": money(engagement.budget_amount_cents),
        "tasks-TOTAL_FORMS": str(tasks),
        "tasks-INITIAL_FORMS": str(tasks),
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def economics_of(engagement) -> tuple:
    engagement.refresh_from_db()
    return (
        engagement.billing_method,
        engagement.rate_cents,
        engagement.fee_cents,
        engagement.budget_hours,
        engagement.budget_amount_cents,
    )


# --- The changelist -----------------------------------------------------------------------------


def test_the_changelist_shows_budget_actuals_and_the_share_used(alice, acme, alice_admin):
    by_amount = new_engagement(alice, acme, "By amount", budget_amount_cents=200_000)
    by_hours = new_engagement(alice, acme, "By hours", budget_hours=Decimal("20"))
    both = new_engagement(
        alice,
        acme,
        "Both budgets",
        billing_method="fixed_fee",
        fee_cents=150_000,
        budget_hours=Decimal("10"),
        budget_amount_cents=123_456,
    )
    unbudgeted = new_engagement(alice, acme, "No budget")
    for engagement in (by_amount, by_hours, both, unbudgeted):
        worked_example(alice, acme, engagement)

    html = alice_admin.get(CHANGELIST).content.decode()

    def columns(name):
        row = row_of(html, name)
        return tuple(cell(row, c) for c in ("billing_method", "budget", "actual", "used"))

    actual = "$1,750.00 / 13.50 h"
    assert columns("By amount") == ("Hourly", "$2,000.00", actual, "88%")  # 0.875
    assert columns("By hours") == ("Hourly", "20.00 h", actual, "68%")  # 13.5 / 20 = 0.675
    # Both: the amount is measured, 175000 / 123456 = 1.4175.
    assert columns("Both budgets") == ("Fixed fee", "$1,234.56 / 10.00 h", actual, "142%")
    assert columns("No budget") == ("Hourly", "-", actual, "-")


def test_the_changelist_takes_the_same_queries_however_many_engagements(alice, acme, alice_admin):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_admin.get(CHANGELIST).status_code == 200
        return len(captured)

    for i in range(2):
        worked_example(alice, acme, new_engagement(alice, acme, f"First {i}", budget_hours=5))
    few = queries()
    for i in range(10):
        worked_example(
            alice, acme, new_engagement(alice, acme, f"More {i}", budget_amount_cents=9_000)
        )
    assert queries() == few


def test_the_change_page_shows_the_actuals(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme, budget_amount_cents=350_000)
    worked_example(alice, acme, engagement)
    html = alice_admin.get(change_url(engagement)).content.decode()
    assert "$1,750.00 / 13.50 h" in html and "50%" in html
    assert 'name="fee_cents"' in html and 'name="budget_hours"' in html
    assert "$3,500.00" in html or 'value="3,500.00"' in html  # the budget, as money
    assert "cents" not in html.replace('name="', "").lower().replace("_cents", "")


# --- Editing through the service ----------------------------------------------------------------


def test_staff_set_a_fixed_fee_and_budgets_through_the_form(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme)
    response = alice_admin.post(
        change_url(engagement),
        edit_data(
            engagement,
            billing_method="fixed_fee",
            fee_cents="1,500.00",
            rate_cents="100.00",
            budget_hours="20",
            budget_amount_cents="2,000.00",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert economics_of(engagement) == ("fixed_fee", 10_000, 150_000, Decimal("20.00"), 200_000)
    # The change is in the engagement's history, as an API change would be.
    assert engagement.history.latest().fee_cents == 150_000


def test_a_refused_change_shows_the_services_message_and_writes_nothing(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme, budget_hours=Decimal("8"))
    before = db_fingerprint()
    response = alice_admin.post(
        change_url(engagement),
        edit_data(engagement, billing_method="fixed_fee", fee_cents="", name="Renamed"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Required for a fixed_fee engagement") == 1
    assert db_fingerprint() == before
    assert Engagement.objects.get(pk=engagement.pk).name == "Year-end accounts"


def test_a_page_refused_after_the_service_wrote_keeps_nothing_of_it(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme)
    data = edit_data(engagement, budget_hours="12")
    del data["tasks-TOTAL_FORMS"]  # the inline's part of the page is refused after the form's
    before = db_fingerprint()
    response = alice_admin.post(change_url(engagement), data)
    assert response.status_code == 200
    assert "ManagementForm data is missing" in response.content.decode()
    assert db_fingerprint() == before
    assert economics_of(engagement)[3] is None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("fee_cents", "0", "Must be greater than 0."),
        ("budget_hours", "-1", "Must be greater than 0"),
        ("budget_amount_cents", "0", "Must be greater than 0."),
        ("rate_cents", "-5", "Enter an amount like 1,234.56."),  # no negative money typed
    ],
)
def test_impossible_amounts_are_refused_with_the_apis_words(
    alice, acme, alice_admin, field, value, message
):
    engagement = new_engagement(alice, acme, billing_method="fixed_fee", fee_cents=90_000)
    before = db_fingerprint()
    response = alice_admin.post(change_url(engagement), edit_data(engagement, **{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_fingerprint() == before


def test_leaving_fixed_fee_in_the_form_clears_the_fee(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme, billing_method="fixed_fee", fee_cents=90_000)
    response = alice_admin.post(
        change_url(engagement), edit_data(engagement, billing_method="hourly", fee_cents="")
    )
    assert response.status_code == 302
    assert economics_of(engagement)[:3] == ("hourly", None, None)


def test_a_fee_on_an_hourly_engagement_is_refused_in_the_form(alice, acme, alice_admin):
    engagement = new_engagement(alice, acme)
    before = db_fingerprint()
    response = alice_admin.post(change_url(engagement), edit_data(engagement, fee_cents="50.00"))
    assert response.status_code == 200
    assert "Only a fixed_fee engagement has a fee" in response.content.decode()
    assert db_fingerprint() == before


def test_an_engagement_added_in_the_admin_is_made_by_the_service(alice, acme, alice_admin):
    response = alice_admin.post(
        ADD,
        {
            "firm": alice.firm.pk,
            "client": acme.client.pk,
            "name": "FY2026 audit",
            "type": "audit",
            "recurrence": "",
            "start_date": "2026-10-01",
            "due_date": "",
            "assignee": alice.user.pk,
            "notes": "",
            "billing_method": "fixed_fee",
            "rate_cents": "",
            "fee_cents": "4,000.00",
            "budget_hours": "30",
            "budget_amount_cents": "",
            "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0",
            "tasks-MIN_NUM_FORMS": "0",
            "tasks-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = Engagement.objects.get(name="FY2026 audit")
    assert engagement.tasks.count() == 5  # the audit's standard tasks: the service ran
    assert economics_of(engagement) == ("fixed_fee", None, 400_000, Decimal("30.00"), None)
    assert engagement.assignee == alice.user


def test_an_added_engagement_due_before_it_starts_is_refused(alice, acme, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(
        ADD,
        {
            "firm": alice.firm.pk,
            "client": acme.client.pk,
            "name": "Backwards",
            "type": "other",
            "start_date": "2026-10-01",
            "due_date": "2026-09-30",
            "billing_method": "hourly",
            "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Must not be before startDate." in response.content.decode()
    assert db_fingerprint() == before


def test_adding_for_another_firms_client_is_refused(alice, globex, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(
        ADD,
        {
            "firm": alice.firm.pk,
            "client": globex.client.pk,
            "name": "Sneaky",
            "type": "other",
            "start_date": "2026-10-01",
            "billing_method": "hourly",
            "tasks-TOTAL_FORMS": "0",
            "tasks-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()  # not a client it may reach
    assert db_fingerprint() == before


def test_a_viewer_sees_the_economics_but_cannot_change_them(alice, bob, acme, bob_admin):
    engagement = new_engagement(alice, acme, budget_amount_cents=100_000)
    page = bob_admin.get(change_url(engagement))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="budget_amount_cents"' not in html
    assert "Budget (amount)" in html and "$1,000.00" in html  # shown as money, never as cents
    before = db_fingerprint()
    response = bob_admin.post(change_url(engagement), edit_data(engagement, budget_hours="5"))
    assert response.status_code == 403
    assert db_fingerprint() == before


def test_another_firms_engagement_cannot_be_edited(alice, charlie, globex, alice_admin):
    theirs = new_engagement(charlie, globex, billing_method="fixed_fee", fee_cents=90_000)
    before = db_fingerprint()
    response = alice_admin.post(change_url(theirs), edit_data(theirs, billing_method="hourly"))
    assert response.status_code == 404
    assert db_fingerprint() == before
