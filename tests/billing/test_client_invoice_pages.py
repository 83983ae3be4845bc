"""The billed client's invoice pages: /client/ lists the entity's invoices, /client/invoices/<id> shows
one, /client/invoices/<id>/pdf is its document.

Personas: pat is a client user (MEMBER of Acme Corp, a client of Alice's firm); alice and bob are
Alice's firm's staff (not members of Acme); Initech is another client of the same firm and Globex
a client of Charlie's firm. Pat sees Acme's invoices and nothing else; everyone else gets the same
404 on Acme's invoice pages as on an id that names nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.entities.models import Role, User
from billing.models import Invoice
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_void,
)
from billing.services.payments import payment_create, payment_void
from billing.templatetags.billing_format import money
from tests.billing.invoice_helpers import log
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"
TODAY = timezone.localdate()


def _invoice(persona, link, *amounts: int, entries=(), **kwargs) -> Invoice:
    """An invoice of fixed-fee items (and time entries) through the real service."""
    return invoice_create_from_time(
        firm=persona.firm,
        link=link,
        time_entry_ids=[e.public_id for e in entries],
        items=[InvoiceItem(f"Fixed fee {i}", cents) for i, cents in enumerate(amounts, 1)],
        created_by=persona.user,
        **kwargs,
    )


def _pay(persona, invoice: Invoice, cents: int, *, day=None, **kwargs):
    return payment_create(
        firm=persona.firm,
        invoice_public_id=invoice.public_id,
        amount_cents=cents,
        date=day or invoice.issue_date,
        method=kwargs.pop("method", "check"),
        reference=kwargs.pop("reference", "Check 1042"),
        created_by=persona.user,
    )


def _signed_in(user: User) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


@dataclass
class ClientUser:
    user: User
    browser: Client


@pytest.fixture
def pat(acme) -> ClientUser:
    """A client user of Acme Corp, signed in."""
    user = UserFactory(email="pat@acme.test")
    MembershipFactory(user=user, entity=acme.client, role=Role.MEMBER)
    return ClientUser(user=user, browser=_signed_in(user))


@pytest.fixture
def acme_invoice(alice, acme) -> Invoice:
    """$1,234.56 of items, $200.00 paid by check."""
    invoice = _invoice(alice, acme, 100_000, 23_456)
    _pay(alice, invoice, 20_000)
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def foreign_invoices(alice, charlie, make_client, globex) -> list[Invoice]:
    """Initech's invoice (Alice's firm, another client) and Globex's (Charlie's firm)."""
    initech = make_client(alice, "Initech")
    return [_invoice(alice, initech, 55_500), _invoice(charlie, globex, 77_700)]


def _text(html: str) -> str:
    """What a reader sees: the text without tags or entities, whitespace run together."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _rows(html: str) -> dict[str, str]:
    """Each invoice row of the page by invoice id, its cells' text."""
    rows = re.findall(r'<tr data-invoice-id="(inv_\w+)">(.*?)</tr>', html, flags=re.S)
    return {invoice_id: _text(cells) for invoice_id, cells in rows}


def _page(browser: Client, path: str):
    response = browser.get(path)
    assert response.status_code == 200, response.content
    return response.content.decode()


# --- /client/ ----------------------------------------------------------------------------------


def test_client_home_lists_the_entitys_invoices_in_currency(pat, acme_invoice, foreign_invoices):
    html = _page(pat.browser, "/client/")

    rows = _rows(html)
    assert list(rows) == [acme_invoice.public_id]  # not Initech's, not Globex's
    assert rows[acme_invoice.public_id] == (
        f"INV-000001 Alpha & Co CPA {TODAY:%Y-%m-%d} {acme_invoice.due_date:%Y-%m-%d} "
        "$1,234.56 $1,034.56 Partially paid PDF"
    )
    assert f'href="/client/invoices/{acme_invoice.public_id}"' in html
    assert f'href="/client/invoices/{acme_invoice.public_id}/pdf"' in html
    assert "Balance due: <strong>$1,034.56</strong>" in html
    assert "123456" not in html and "103456" not in html  # never raw cents


def test_client_home_shows_each_entity_its_own_invoices(alice, acme, make_client, pat):
    initech = make_client(alice, "Initech")
    MembershipFactory(user=pat.user, entity=initech.client, role=Role.VIEWER)
    mine = _invoice(alice, acme, 10_000)
    theirs = _invoice(alice, initech, 20_000)

    html = _page(pat.browser, "/client/")

    acme_card, initech_card = re.split(r"<h2>Initech</h2>", html)
    assert "<h2>Acme Corp</h2>" in acme_card
    assert list(_rows(acme_card)) == [mine.public_id]
    assert list(_rows(initech_card)) == [theirs.public_id]


def test_an_overdue_invoice_is_marked_overdue_with_what_is_overdue(alice, acme, pat):
    issued = TODAY - dt.timedelta(days=60)
    late = _invoice(alice, acme, 50_000, issue_date=issued, due_date=issued + dt.timedelta(30))
    _pay(alice, late, 10_000)
    current = _invoice(alice, acme, 7_500)

    html = _page(pat.browser, "/client/")

    rows = _rows(html)
    assert rows[late.public_id].endswith("$500.00 $400.00 Partially paid Overdue PDF")
    assert rows[current.public_id].endswith("$75.00 $75.00 Open PDF")
    assert "Balance due: <strong>$475.00</strong>" in html
    assert '<strong class="overdue">$400.00 overdue</strong>' in html


def test_a_void_invoice_is_listed_as_void_with_nothing_due(alice, acme, pat):
    void = _invoice(alice, acme, 30_000)
    invoice_void(firm=alice.firm, public_id=void.public_id, voided_by=alice.user)
    paid = _invoice(alice, acme, 12_000)
    _pay(alice, paid, 12_000, method="ach", reference="")

    html = _page(pat.browser, "/client/")

    rows = _rows(html)
    assert rows[void.public_id].endswith("$300.00 — Void PDF")
    assert rows[paid.public_id].endswith("$120.00 $0.00 Paid PDF")
    assert "Balance due: <strong>$0.00</strong>" in html


def test_a_user_of_no_billed_entity_sees_no_invoices_section(alice, acme, foreign_invoices):
    html = _page(_signed_in(alice.user), "/client/")  # firm staff: a member of the firm only

    assert "Invoices" not in html and _rows(html) == {}


def _queries(browser: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(path).status_code == 200
    return len(captured)


def test_client_home_queries_stay_flat_whatever_the_invoices_and_entities(
    alice, acme, make_client, pat
):
    _pay(alice, _invoice(alice, acme, 10_000), 5_000)
    one = _queries(pat.browser, "/client/")

    user = pat.user
    for name in ("Initech", "Hooli", "Umbrella"):
        link = make_client(alice, name)
        MembershipFactory(user=user, entity=link.client, role=Role.ADMIN)
        for cents in (1_000, 2_000, 3_000):
            _pay(alice, _invoice(alice, link, cents, entries=[log(alice, link, "1.00")]), 500)
    html = _page(pat.browser, "/client/")
    assert len(_rows(html)) == 10

    assert _queries(pat.browser, "/client/") == one


def test_client_home_is_never_cached(pat, acme_invoice):
    response = pat.browser.get("/client/")

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


# --- /client/invoices/<id> -----------------------------------------------------------------------


def test_the_invoice_page_shows_lines_write_down_payments_and_balance(alice, acme, pat):
    entry = log(
        alice, acme, "2.00", rate=15_000, day=TODAY - dt.timedelta(days=3), description="Close"
    )
    invoice = _invoice(
        alice,
        acme,
        4_500,
        entries=[entry],
        adjustment=Adjustment(-4_500, "Courtesy discount on the first close"),
    )
    _pay(alice, invoice, 10_000, method="card", reference="Visa 4242")

    html = _page(pat.browser, f"/client/invoices/{invoice.public_id}")

    text = _text(html)
    assert "Invoice INV-000001 Partially paid" in text
    assert "From Alpha & Co CPA Bill to Acme Corp" in text
    assert f"Issued {TODAY:%Y-%m-%d} Due {invoice.due_date:%Y-%m-%d}" in text
    assert f"{entry.date:%Y-%m-%d} {entry.description} 2.00 $150.00 $300.00" in text
    assert f"{TODAY:%Y-%m-%d} Fixed fee 1 $45.00" in text
    assert "Subtotal $345.00" in text
    assert "Write-down: Courtesy discount on the first close -$45.00" in text
    assert "Total $300.00" in text
    assert f"{TODAY:%Y-%m-%d} Card Visa 4242 $100.00" in text
    assert "Balance due: $200.00" in text
    assert f'href="/client/invoices/{invoice.public_id}/pdf"' in html
    assert "30000" not in html and "34500" not in html  # never raw cents


def test_a_voided_payment_is_not_listed(alice, acme, pat):
    invoice = _invoice(alice, acme, 10_000)
    payment = _pay(alice, invoice, 4_000, reference="Bounced check")
    payment_void(firm=alice.firm, public_id=payment.public_id, voided_by=alice.user)

    html = _page(pat.browser, f"/client/invoices/{invoice.public_id}")

    assert "Bounced check" not in html and "No payments received yet." in html
    assert "Balance due: <strong>$100.00</strong>" in html


def test_a_void_invoice_page_says_nothing_is_due(alice, acme, pat):
    invoice = _invoice(alice, acme, 10_000)
    invoice_void(firm=alice.firm, public_id=invoice.public_id, voided_by=alice.user)

    html = _page(pat.browser, f"/client/invoices/{invoice.public_id}")

    assert "This invoice was voided: nothing is due on it." in html
    assert "Balance due: <strong>&mdash;</strong>" in html


def test_the_pdf_is_inline_named_and_never_cached(alice, acme, pat):
    # Time lines only: billing.documents does not yet print item lines (their rate is None).
    invoice = _invoice(alice, acme, entries=[log(alice, acme, "1.50", description="Payroll")])

    response = pat.browser.get(f"/client/invoices/{invoice.public_id}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == 'inline; filename="INV-000001.pdf"'
    cache = response["Cache-Control"]
    assert "private" in cache and "no-store" in cache


def test_an_anonymous_visitor_signs_in_and_lands_on_the_invoice(acme, acme_invoice):
    user = UserFactory(email="sam@acme.test")
    MembershipFactory(user=user, entity=acme.client, role=Role.ADMIN)
    path = f"/client/invoices/{acme_invoice.public_id}"
    browser = Client()

    response = browser.get(path)
    assert response.status_code == 302
    assert (
        response["Location"] == f"/accounts/login/?next=/client/invoices/{acme_invoice.public_id}"
    )
    assert "no-store" in response["Cache-Control"]

    signed_in = browser.post(
        "/accounts/login/", {"username": "sam@acme.test", "password": PASSWORD, "next": path}
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == path
    assert acme_invoice.display_number in _page(browser, path)


@pytest.mark.parametrize("suffix", ["", "/pdf"])
def test_unknown_junk_and_foreign_ids_get_the_same_404(
    suffix, alice, bob, pat, acme_invoice, foreign_invoices
):
    initech, globex = foreign_invoices
    unknown = "inv_" + "0" * 26
    junk = [
        "nope",
        "inv_",
        "inv_" + "z" * 300,
        "inv_%00abc",
        "%E2%98%83",
        acme_invoice.public_id.upper(),
    ]
    answers = [pat.browser.get(f"/client/invoices/{i}{suffix}") for i in [unknown, *junk]]
    answers += [
        pat.browser.get(f"/client/invoices/{i.public_id}{suffix}") for i in (initech, globex)
    ]
    # Firm staff, even of the firm that issued it, are not the client.
    answers += [
        caller.get(f"/client/invoices/{acme_invoice.public_id}{suffix}")
        for caller in (_signed_in(alice.user), bob.client)
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert len({a.content for a in answers}) == 1


def test_the_invoice_pages_refuse_writes(pat, acme_invoice):
    path = f"/client/invoices/{acme_invoice.public_id}"

    assert pat.browser.post(path).status_code == 405
    assert pat.browser.post(f"{path}/pdf").status_code == 405


@pytest.mark.parametrize(
    ("cents", "currency", "shown"),
    [
        (123_456, "USD", "$1,234.56"),
        (-4_500, "USD", "-$45.00"),
        (0, "USD", "$0.00"),
        (99, "EUR", "€0.99"),
        (123_456_789, "CAD", "CA$1,234,567.89"),
        (100, "CHF", "1.00 CHF"),
    ],
)
def test_money_is_shown_in_currency_from_cents(cents, currency, shown):
    assert money(cents, currency) == shown
