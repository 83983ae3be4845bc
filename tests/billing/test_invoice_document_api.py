"""GET /api/practice/billing/invoices/{id}: the invoice as JSON, or its document with format=pdf.

The PDF is read back with pypdf: what a client needs is printed (firm name and address, client,
number, dates, terms, lines, the write-down with its reason, total, payments, balance due, footer),
every amount as currency.
"""

import datetime as dt
import io

import pypdf
import pytest

from billing.models import FirmBillingProfile
from billing.services.payments import payment_create
from practice.models import FirmProfile
from tests.billing.invoice_helpers import INVOICE_KEYS, INVOICES, bill, invoices, log
from tests.helpers import api, assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 3, 2)


def detail(invoice_id: str) -> str:
    return f"{INVOICES}/{invoice_id}"


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def written_down(alice, acme):
    """Two lines of 125.00/h (10 h + 6 h = 2,000.00), written down by 150.00, plus a filing fee;
    300.00 paid by check."""
    FirmProfile.objects.update_or_create(firm=alice.firm, defaults={"payment_terms_days": 15})
    FirmBillingProfile.objects.create(
        firm=alice.firm,
        address="12 Ledger Lane\nSpringfield, IL 62701",
        invoice_footer="Pay by ACH to account 000123456. Thank you for your business.",
    )
    entries = [
        log(alice, acme, "10.00", description="March close", day=DAY),
        log(alice, acme, "6.00", description="Payroll filings", day=DAY),
    ]
    invoice = bill(
        alice,
        acme,
        entries,
        issueDate=DAY.isoformat(),
        adjustment={"amount": -15_000, "reason": "First-year courtesy discount"},
        items=[{"description": "State filing fee", "amount": 5_000}],
    )["invoice"]
    payment_create(
        firm=alice.firm,
        invoice_public_id=invoice["id"],
        amount_cents=30_000,
        date=DAY + dt.timedelta(days=3),
        method="check",
        reference="1042",
    )
    return invoice


def test_get_answers_the_invoice_as_the_list_shows_it(alice, written_down):
    body = api(alice).get(detail(written_down["id"]), {"firmEntityId": alice.firm.public_id})
    assert set(body) == {"invoice"}
    assert set(body["invoice"]) == INVOICE_KEYS
    [listed] = invoices(alice)["invoices"]
    assert body["invoice"] == listed
    assert body["invoice"]["total"] == 200_000 + 5_000 - 15_000
    assert body["invoice"]["amountPaid"] == 30_000
    assert body["invoice"]["balanceDue"] == 160_000
    assert body["invoice"]["status"] == "partially_paid"


def test_the_pdf_prints_what_the_client_needs(alice, acme, written_down):
    response = api(alice).request(
        "GET",
        detail(written_down["id"]),
        params={"firmEntityId": alice.firm.public_id, "format": "pdf"},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{written_down["number"]}.pdf"'
    assert response["Cache-Control"] == "no-store"
    text = pdf_text(response.content)
    for expected in (
        alice.firm.name,
        "12 Ledger Lane",
        "Springfield, IL 62701",
        acme.client.name,
        written_down["number"],
        "March 2, 2026",  # issued
        "March 17, 2026",  # due, 15 days later
        "Net 15 days",
        "March close",
        "Payroll filings",
        "State filing fee",
        "$125.00",  # the rate
        "$1,250.00",  # 10 h
        "$750.00",  # 6 h
        "$50.00",  # the fee
        "$2,050.00",  # subtotal
        "Write-down",
        "First-year courtesy discount",
        "-$150.00",
        "$1,900.00",  # total
        "Check 1042",
        "-$300.00",
        "Balance due",
        "$1,600.00",
        "Pay by ACH to account 000123456.",
    ):
        assert expected in text, expected
    assert "15000" not in text and "190000" not in text  # never raw cents


def test_a_void_invoice_says_void_and_asks_for_nothing(alice, acme):
    invoice = bill(alice, acme, [log(alice, acme, "2.00")])["invoice"]
    api(alice).post(
        f"{INVOICES}/{invoice['id']}/void", {"firmEntityId": alice.firm.public_id}, status=200
    )
    response = api(alice).request(
        "GET", detail(invoice["id"]), params={"firmEntityId": alice.firm.public_id, "format": "pdf"}
    )
    text = pdf_text(response.content)
    assert "VOID" in text
    assert "Balance due" in text and "$0.00" in text


def test_a_firm_without_settings_still_gets_a_document(alice, acme):
    invoice = bill(alice, acme, [log(alice, acme, "1.50")])["invoice"]
    response = api(alice).request(
        "GET", detail(invoice["id"]), params={"firmEntityId": alice.firm.public_id, "format": "pdf"}
    )
    text = pdf_text(response.content)
    assert invoice["number"] in text and "$187.50" in text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"format": "docx"}, "format"),
        ({"firmEntityId": "ent_nope"}, "firmEntityId"),
        ({"firmEntityId": None}, "firmEntityId"),
    ],
)
def test_bad_query_parameters_are_400(alice, written_down, params, field):
    query = {"firmEntityId": alice.firm.public_id, **params}
    query = {k: v for k, v in query.items() if v is not None}
    error = api(alice).get(detail(written_down["id"]), query, status=400)
    assert field in error["fields"]


@pytest.mark.parametrize("junk", ["inv_", "123", "inv_" + "x" * 40, "pay_" + "a" * 22])
def test_a_junk_id_is_400_naming_it(alice, junk):
    error = api(alice).get(detail(junk), {"firmEntityId": alice.firm.public_id}, status=400)
    assert "invoiceId" in error["fields"]


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_another_firms_invoice_is_the_same_404_as_an_unknown_one(alice, charlie, globex, fmt):
    theirs = bill(charlie, globex, [log(charlie, globex, "1.00")])["invoice"]["id"]
    unknown = theirs[:-4] + ("aaaa" if not theirs.endswith("aaaa") else "bbbb")
    before = db_fingerprint()
    answers = [
        assert_error(
            api(alice).request(
                "GET",
                detail(invoice_id),
                params={"firmEntityId": alice.firm.public_id, "format": fmt},
            ),
            404,
            "not_found",
        )
        for invoice_id in (theirs, unknown)
    ]
    assert answers[0] == answers[1]
    assert db_fingerprint() == before


def test_unauthenticated_is_401(anon, written_down, alice):
    response = anon.get(detail(written_down["id"]), {"firmEntityId": alice.firm.public_id})
    assert_error(response, 401)
