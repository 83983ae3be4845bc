"""The new invoice page (/admin/billing/new-invoice/?client=...): one client's unbilled time, items
and an adjustment, previewed through invoice_preview and created through invoice_create_from_time
(the API's service).

Alice (ADMIN of Firm A) bills Acme: 2.5 h at $125.00 on 2026-06-01 and 4 h at $150.00 on
2026-06-02 ($912.50 of time); a non-billable hour and an entry already invoiced are not offered.
Bob is a VIEWER of Firm A, Charlie ADMIN of Firm B, Mo a MEMBER of Firm A.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axiomatic.entities.models import Role
from billing.models import Invoice, InvoiceEvent, InvoiceLineKind
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_preview,
)
from practice.models import BillingStatus
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import D, change_url, invoiced, table_rows
from tests.billing.invoice_helpers import bulk_log, log
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

PAGE = "/admin/billing/new-invoice/"


def page_url(link, **extra) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"client": link.client.public_id, **extra}.items())
    return f"{PAGE}?{query}"


@pytest.fixture
def unbilled(alice, acme):
    invoiced(alice, acme, "1.00", issue=D(2026, 5, 1))  # its entry is billed
    log(alice, acme, "1.00", day=D(2026, 6, 3), billable=False)
    return [
        log(alice, acme, "2.50", rate=12_500, day=D(2026, 6, 1), description="Bookkeeping"),
        log(alice, acme, "4.00", rate=15_000, day=D(2026, 6, 2), description="Payroll review"),
    ]


@pytest.fixture
def member(alice):
    user = UserFactory(email="mo@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
    return logged_in(user)


def bill_form(entries, *, items=(), adjust="", kind="down", reason="", **extra) -> dict:
    data = {
        "entries": [e.public_id for e in entries],
        "item-TOTAL_FORMS": "3",
        "item-INITIAL_FORMS": "0",
        "item-MIN_NUM_FORMS": "0",
        "item-MAX_NUM_FORMS": "200",
        "adjustment_kind": kind,
        "adjustment_amount": adjust,
        "adjustment_reason": reason,
        "issue_date": "2026-06-30",
        "due_date": "",
    }
    for i, (description, amount) in enumerate(items):
        data[f"item-{i}-description"], data[f"item-{i}-amount"] = description, amount
    return data | extra


def test_the_wip_page_offers_to_bill_each_client(unbilled, acme, alice_admin):
    page = alice_admin.get("/admin/billing/wip/", {"as_of": "2026-06-30"}).content.decode()
    assert 'value="Bill this client"' in page
    assert f'action="{reverse("admin:billing_new_invoice")}"' in page
    assert f'name="client" value="{acme.client.public_id}"' in page
    assert reverse("admin:billing_new_invoice") == PAGE


def test_the_page_lists_the_clients_unbilled_time_all_ticked(unbilled, acme, alice_admin):
    response = alice_admin.get(page_url(acme))
    assert response.status_code == 200
    html = response.content.decode()
    rows = table_rows(html, "new-invoice-entries")
    assert [r[1:2] + r[4:] for r in rows] == [
        ["Date", "Description", "Hours", "Rate", "Amount"],
        ["2026-06-01", "Bookkeeping", "2.50", "$125.00", "$312.50"],
        ["2026-06-02", "Payroll review", "4.00", "$150.00", "$600.00"],
    ]
    for entry in unbilled:
        assert f'value="{entry.public_id}" id="entry-{entry.public_id}" checked' in html
    assert 'name="create"' in html and 'name="preview"' in html
    assert "cents" not in html.lower()


def test_a_preview_shows_the_invoice_and_writes_nothing(unbilled, acme, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(
        page_url(acme),
        bill_form(
            unbilled,
            items=[("Year-end fixed fee", "1,000.00")],
            adjust="100.00",
            reason="Loyal client",
            preview="Preview",
        ),
    )
    assert response.status_code == 200
    assert db_fingerprint() == before
    html = response.content.decode()
    assert table_rows(html, "preview-lines") == [
        [
            "Kind",
            "Date",
            "Description",
            "Hours",
            "Rate",
            "Standard value",
            "Adjustment",
            "Amount",
        ],
        ["Time", "2026-06-01", "Bookkeeping", "2.50", "$125.00", "$312.50", "-$16.34", "$296.16"],
        [
            "Time",
            "2026-06-02",
            "Payroll review",
            "4.00",
            "$150.00",
            "$600.00",
            "-$31.38",
            "$568.62",
        ],
        ["Item", "2026-06-30", "Year-end fixed fee", "-", "-", "$1,000.00", "-$52.28", "$947.72"],
        ["Subtotal", "$1,912.50", "-$100.00", "$1,812.50"],
    ]
    assert "Loyal client" in html and "cents" not in html.lower()


def test_creating_bills_what_the_preview_showed(unbilled, acme, alice, alice_admin):
    data = bill_form(
        unbilled[:1], items=[("Filing fee", "75.01")], adjust="10.01", kind="up", reason="Rush"
    )
    preview = invoice_preview(
        firm=alice.firm,
        link=acme,
        time_entry_ids=[unbilled[0].public_id],
        items=[InvoiceItem("Filing fee", 7_501)],
        adjustment=Adjustment(1_001, "Rush"),
        issue_date=D(2026, 6, 30),
    )
    response = alice_admin.post(page_url(acme), data | {"create": "Create invoice"})
    invoice = Invoice.objects.get(firm=alice.firm, issue_date=D(2026, 6, 30))
    assert response.status_code == 302 and response["Location"] == change_url(invoice)
    assert (invoice.subtotal_cents, invoice.adjustment_cents, invoice.total_cents) == (
        preview.subtotal_cents,
        preview.adjustment_cents,
        preview.total_cents,
    )
    assert [(line.kind, line.amount_cents) for line in invoice.lines.order_by("position")] == [
        (line.kind, line.amount_cents) for line in preview.lines
    ]
    assert invoice.adjustment_reason == "Rush"
    assert invoice.events.get(kind=InvoiceEvent.Kind.CREATED).actor == alice.user
    unbilled[0].refresh_from_db()
    unbilled[1].refresh_from_db()
    assert unbilled[0].billing_status == BillingStatus.BILLED
    assert unbilled[1].billing_status == BillingStatus.UNBILLED
    page = alice_admin.get(response["Location"]).content.decode()
    assert f"Created {invoice.display_number} for Acme Corp: total $397.52." in page


def test_a_member_may_create(unbilled, acme, member):
    response = member.post(page_url(acme), bill_form(unbilled) | {"create": "Create invoice"})
    assert response.status_code == 302
    assert Invoice.objects.filter(client=acme.client, total_cents=91_250).exists()


def test_a_viewer_previews_but_may_not_create(unbilled, acme, bob_admin):
    html = bob_admin.get(page_url(acme)).content.decode()
    assert 'name="preview"' in html and 'name="create"' not in html
    assert bob_admin.post(page_url(acme), bill_form(unbilled, preview="1")).status_code == 200
    before = db_fingerprint()
    response = bob_admin.post(page_url(acme), bill_form(unbilled) | {"create": "Create invoice"})
    assert response.status_code == 403
    assert db_fingerprint() == before


@pytest.mark.parametrize("client_id", ["firm_a_client", "ent_unknown000000", "junk'<>"])
def test_another_firms_client_is_the_same_not_found_as_an_unknown_one(
    unbilled, acme, charlie_admin, client_id
):
    client_id = acme.client.public_id if client_id == "firm_a_client" else client_id
    before = db_fingerprint()
    assert charlie_admin.get(PAGE, {"client": client_id}).status_code == 404
    response = charlie_admin.post(
        f"{PAGE}?client={client_id}", bill_form(unbilled) | {"create": "Create invoice"}
    )
    assert response.status_code == 404
    assert db_fingerprint() == before


def test_without_a_client_the_page_sends_to_wip_to_choose_one(alice_admin):
    response = alice_admin.get(PAGE)
    assert response.status_code == 302 and response["Location"] == reverse("admin:billing_wip")


def test_someone_outside_the_firms_is_refused(unbilled, acme, client):
    assert client.get(page_url(acme)).status_code == 302  # to the login page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"adjustment_amount": "lots"}, "Enter an amount like 1,234.56."),
        (
            {"adjustment_amount": "-5.00"},
            "Enter an amount like 1,234.56.",
        ),  # the kind says which way
        ({"adjustment_amount": "25.00"}, "Give the reason for the adjustment."),
        (
            {"adjustment_amount": "5,000.00", "adjustment_reason": "x"},
            "Would take the total below 0.",
        ),
        ({"issue_date": "2026-13-45"}, "Enter a valid date."),
        ({"issue_date": "1066-10-14"}, "Must be between 1900-01-01 and 2999-12-31."),
        (
            {"issue_date": "2026-06-30", "due_date": "2026-06-01"},
            "Must not be before the issue date.",
        ),
        ({"entries": ["te_bogus"]}, "Select a valid choice."),
        ({"entries": []}, "An invoice needs at least one time entry or item."),
        ({"item-0-description": "Fee", "item-0-amount": "zero"}, "Enter an amount like 1,234.56."),
        ({"item-0-amount": "10.00"}, "Describe the item."),
        ({"item-0-description": "Fee"}, "Enter the item&#x27;s amount."),
        ({"adjustment_kind": "sideways"}, "Select a valid choice."),
        ({"item-TOTAL_FORMS": "many"}, "ManagementForm data is missing or has been tampered with"),
    ],
)
@pytest.mark.parametrize("button", ["preview", "create"])
def test_bad_input_is_a_form_error_and_writes_nothing(
    unbilled, acme, alice_admin, changes, message, button
):
    before = db_fingerprint()
    response = alice_admin.post(page_url(acme), bill_form(unbilled) | changes | {button: "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Please correct the errors below." in html
    assert "cents" not in html.lower()
    assert db_fingerprint() == before


def test_time_billed_meanwhile_is_refused_on_the_form(unbilled, acme, alice, alice_admin):
    data = bill_form(unbilled) | {"create": "1"}
    invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=[unbilled[0].public_id])
    response = alice_admin.post(page_url(acme), data)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()  # no longer offered


def _count(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if data else client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_query_counts_stay_flat_as_entries_grow(alice, acme, alice_admin):
    few = bulk_log(alice, acme, 5)
    get_few = _count(alice_admin, page_url(acme))
    preview_few = _count(alice_admin, page_url(acme), bill_form(few, preview="1"))
    many = few + bulk_log(alice, acme, 45)
    assert _count(alice_admin, page_url(acme)) == get_few
    assert _count(alice_admin, page_url(acme), bill_form(many, preview="1")) == preview_few


def test_a_preview_line_of_items_alone(acme, alice_admin):
    response = alice_admin.post(
        page_url(acme), bill_form([], items=[("Annual fee", "1,500.00")], preview="1")
    )
    rows = table_rows(response.content.decode(), "preview-lines")
    assert rows[1][0] == InvoiceLineKind.ITEM.label and rows[-1][-1] == "$1,500.00"


def test_the_program_price_form_names_no_cents(admin_client):
    html = admin_client.get(reverse("admin:billing_clienttierprice_add")).content.decode()
    assert "Monthly fee (USD)" in html and "Monthly cents" not in html
