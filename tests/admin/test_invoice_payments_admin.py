"""Payments on the invoice's admin page: recorded and voided through the payment services, refusals
shown as messages with nothing changed, money shown as money.

Alice (ADMIN of Firm A) bills Acme 8 h at $125.00 = $1,000.00, written down by $50.00: the invoice
is $950.00. Bob is a VIEWER of Firm A; Charlie is ADMIN of Firm B.
"""

import pytest
from django.urls import reverse

from billing.models import Invoice, Payment
from billing.services.invoices import Adjustment, invoice_void
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import (
    D,
    change_url,
    invoiced,
    paying,
    payment_add_url,
    payment_form,
    payment_void_url,
    table_rows,
)
from tests.billing.invoice_helpers import journal_lines
from tests.factories import UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

ISSUE = D(2026, 6, 1)
PAID_ON = D(2026, 6, 20)


@pytest.fixture
def acme_invoice(alice, acme) -> Invoice:
    return invoiced(
        alice,
        acme,
        "8.00",
        issue=ISSUE,
        due=D(2026, 7, 1),
        adjustment=Adjustment(-5_000, "Loyalty discount"),
    )


@pytest.fixture
def globex_invoice(charlie, globex) -> Invoice:
    return invoiced(charlie, globex, "2.00", issue=ISSUE)


def record(client, invoice, amount: str, **kwargs):
    return client.post(payment_add_url(invoice), payment_form(amount, PAID_ON, **kwargs))


def shown(invoice_page) -> dict[str, str]:
    """The invoice page's read-only fields, by field name."""
    html = invoice_page.content.decode()
    names = ("status", "subtotal", "adjustment", "adjustment_reason", "total", "amount_paid")
    return {name: _readonly(html, name) for name in (*names, "balance_due")}


def _readonly(html: str, field: str) -> str:
    block = html.split(f'class="form-row field-{field}"', 1)[1]
    return block.split('<div class="readonly">', 1)[1].split("</div>", 1)[0].strip()


# -- the page ---------------------------------------------------------------------------------------


def test_the_invoice_page_shows_its_amounts_as_money_and_a_payment_form(acme_invoice, alice_admin):
    page = alice_admin.get(change_url(acme_invoice))

    assert page.status_code == 200
    assert shown(page) == {
        "status": "Open",
        "subtotal": "$1,000.00",
        "adjustment": "-$50.00",
        "adjustment_reason": "Loyalty discount",
        "total": "$950.00",
        "amount_paid": "$0.00",
        "balance_due": "$950.00",
    }
    html = page.content.decode()
    assert 'id="record-payment"' in html and 'name="payment-amount"' in html
    assert 'form="record-payment"' in html  # the fields post with the payment form, not the page
    assert 'name="_save"' not in html  # nothing on the invoice itself is edited here
    assert "No payments recorded yet." in html
    assert "Balance due: <strong>$950.00</strong>" in html
    for cents in ("100000", "95000", "12500", "5000"):
        assert f">{cents}<" not in html


def test_the_lines_and_the_invoice_list_show_money_not_cents(acme_invoice, alice_admin):
    page = alice_admin.get(change_url(acme_invoice)).content.decode()
    lines = table_rows(page.split('id="lines-group"', 1)[1])
    assert lines[0] == [
        "Position",
        "Kind",
        "Date",
        "Description",
        "Hours",
        "Rate",
        "Standard amount",
        "Amount",
        "Is live",
    ]
    # The rate, the standard amount and the amount after the write-down; no raw cents anywhere.
    assert lines[1][4:8] == ["8.00", "$125.00", "$1,000.00", "$950.00"]
    assert "12500" not in page and "100000" not in page

    listing = alice_admin.get(reverse("admin:billing_invoice_changelist")).content.decode()
    row = listing.split(acme_invoice.display_number, 2)[2]
    assert '<td class="field-total">$950.00</td>' in row
    assert '<td class="field-balance_due">$950.00</td>' in row


# -- recording ----------------------------------------------------------------------------------------


def test_a_part_payment_then_the_rest_make_the_invoice_paid(alice, acme_invoice, alice_admin):
    response = record(alice_admin, acme_invoice, "400", reference="Check 1042")

    assert response.status_code == 302
    assert response["Location"] == change_url(acme_invoice)
    acme_invoice.refresh_from_db()
    assert (acme_invoice.status, acme_invoice.amount_paid_cents) == ("partially_paid", 40_000)
    payment = Payment.objects.get(invoice=acme_invoice)
    assert (payment.amount_cents, payment.date, payment.method, payment.reference) == (
        40_000,
        PAID_ON,
        "check",
        "Check 1042",
    )
    assert payment.created_by == alice.user
    # Debit cash, credit the receivable, on the payment's date.
    assert journal_lines(payment.journal_entry.public_id) == [
        ("1000", 40_000, 0),
        ("1100", 0, 40_000),
    ]
    assert payment.journal_entry.date == PAID_ON

    page = alice_admin.get(change_url(acme_invoice))
    assert shown(page)["status"] == "Partially paid"
    assert shown(page)["balance_due"] == "$550.00"
    rows = table_rows(page.content.decode(), "payments-table")
    assert rows[1][:5] == ["2026-06-20", "$400.00", "Check", "Check 1042", "alice@alpha.test"]
    assert rows[1][5] == payment.journal_entry.display_number

    done = alice_admin.post(
        payment_add_url(acme_invoice), payment_form("$550.00", PAID_ON, method="ach"), follow=True
    )
    html = done.content.decode()
    assert "Recorded a payment of $550.00 on INV-000001: it is now Paid, balance due $0.00." in html
    assert shown(done)["status"] == "Paid"
    assert 'id="record-payment"' not in html  # nothing left to pay
    acme_invoice.refresh_from_db()
    assert (acme_invoice.status, acme_invoice.amount_paid_cents) == ("paid", 95_000)


def test_a_payment_over_the_balance_is_refused_in_money_and_changes_nothing(
    acme_invoice, alice_admin
):
    paying_before = db_fingerprint()
    response = record(alice_admin, acme_invoice, "950.01")

    assert response.status_code == 200
    html = response.content.decode()
    assert "The amount may be at most the balance due, $950.00." in html
    assert 'value="950.01"' in html  # what was typed comes back, to be corrected
    assert db_fingerprint() == paying_before


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("12.345", "Enter an amount like 1234.56."),
        ("ten", "Enter an amount like 1234.56."),
        ("0", "Must be more than 0."),
        ("", "This field is required."),
    ],
)
def test_an_amount_that_is_not_money_is_refused_on_the_form(
    amount, message, acme_invoice, alice_admin
):
    before = db_fingerprint()
    response = record(alice_admin, acme_invoice, amount)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert db_fingerprint() == before


def test_a_payment_dated_before_the_issue_date_is_refused(acme_invoice, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(payment_add_url(acme_invoice), payment_form("10", D(2026, 5, 31)))

    assert "Must not be before the invoice&#x27;s issue date." in response.content.decode()
    assert db_fingerprint() == before


def test_a_void_invoice_cannot_be_paid(alice, acme_invoice, alice_admin):
    invoice_void(firm=alice.firm, public_id=acme_invoice.public_id, voided_by=alice.user)
    assert 'id="record-payment"' not in alice_admin.get(change_url(acme_invoice)).content.decode()
    before = db_fingerprint()

    response = record(alice_admin, acme_invoice, "100")

    assert response.status_code == 200
    assert "A void invoice cannot be paid." in response.content.decode()
    assert db_fingerprint() == before


def test_a_superuser_records_a_payment_in_the_invoices_own_firm(charlie, globex_invoice):
    root = logged_in(UserFactory(is_staff=True, is_superuser=True))
    response = record(root, globex_invoice, "250.00")

    assert response.status_code == 302
    payment = Payment.objects.get(invoice=globex_invoice)
    assert payment.firm == charlie.firm
    assert payment.journal_entry.entity_id == charlie.firm.pk


# -- voiding ----------------------------------------------------------------------------------------


def test_voiding_a_payment_asks_first_then_reverses_it(alice, acme_invoice, alice_admin):
    payment = paying(alice, acme_invoice, 40_000, PAID_ON)
    page = alice_admin.get(change_url(acme_invoice)).content.decode()
    url = payment_void_url(acme_invoice, payment.public_id)
    assert f'href="{url}"' in page

    confirm = alice_admin.get(url)
    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Void the payment of <strong>$400.00</strong>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    payment.refresh_from_db()
    assert payment.voided_at is None  # asking changed nothing

    done = alice_admin.post(url, follow=True)

    html = done.content.decode()
    assert "Voided the payment of $400.00 on INV-000001: it is now Open" in html
    payment.refresh_from_db()
    acme_invoice.refresh_from_db()
    assert payment.is_voided
    assert (acme_invoice.status, acme_invoice.amount_paid_cents) == ("open", 0)
    assert journal_lines(payment.void_journal_entry.public_id) == [
        ("1000", 0, 40_000),
        ("1100", 40_000, 0),
    ]
    assert shown(done)["balance_due"] == "$950.00"
    assert f'href="{url}"' not in html  # a void payment offers no second void


def test_voiding_a_void_payment_changes_nothing(alice, acme_invoice, alice_admin):
    payment = paying(alice, acme_invoice, 40_000, PAID_ON)
    url = payment_void_url(acme_invoice, payment.public_id)
    alice_admin.post(url)
    before = db_fingerprint()

    response = alice_admin.post(url, follow=True)

    assert "That payment of $400.00 is void already." in response.content.decode()
    assert db_fingerprint() == before


def test_the_payment_views_require_csrf(acme_invoice, alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(alice.user)
    before = db_fingerprint()
    assert record(strict, acme_invoice, "100").status_code == 403
    assert db_fingerprint() == before


# -- who may ------------------------------------------------------------------------------------------


def test_another_firms_invoice_and_payment_are_404s_and_nothing_changes(
    alice, charlie, acme_invoice, globex_invoice, alice_admin
):
    theirs = paying(charlie, globex_invoice, 10_000, PAID_ON)
    ours = paying(alice, acme_invoice, 10_000, PAID_ON)
    before = db_fingerprint()

    assert record(alice_admin, globex_invoice, "50").status_code == 404
    assert alice_admin.get(payment_add_url(globex_invoice)).status_code == 404
    for url in (
        payment_void_url(globex_invoice, theirs.public_id),
        payment_void_url(acme_invoice, theirs.public_id),  # their payment through our invoice
        payment_void_url(acme_invoice, "pay_doesnotexist"),
        reverse("admin:billing_invoice_payment_add", args=[10**9]),
    ):
        assert alice_admin.get(url).status_code == 404, url
        assert alice_admin.post(url).status_code == 404, url
    assert db_fingerprint() == before
    assert alice_admin.get(payment_void_url(acme_invoice, ours.public_id)).status_code == 200


def test_a_viewer_sees_the_payments_but_cannot_record_or_void(alice, bob, acme_invoice, bob_admin):
    payment = paying(alice, acme_invoice, 10_000, PAID_ON)
    page = bob_admin.get(change_url(acme_invoice))
    html = page.content.decode()
    assert page.status_code == 200
    assert "$100.00" in html and shown(page)["balance_due"] == "$850.00"
    assert 'id="record-payment"' not in html
    assert payment_void_url(acme_invoice, payment.public_id) not in html
    before = db_fingerprint()

    assert record(bob_admin, acme_invoice, "50").status_code == 403
    assert bob_admin.get(payment_add_url(acme_invoice)).status_code == 403
    assert bob_admin.post(payment_void_url(acme_invoice, payment.public_id)).status_code == 403
    assert db_fingerprint() == before
