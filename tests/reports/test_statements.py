"""Financial statements: worked examples with exact cents, properties of random balanced ledgers,
HTML and PDF rendering, access, bad input and flat query counts."""

import datetime as dt
import io
from types import SimpleNamespace

import pypdf
import pytest
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.core.pdf import html_to_pdf
from axiomatic.entities.models import Entity, Role
from axiomatic.ledger.chart import DEFAULT_CHART
from axiomatic.ledger.models import Account, AccountType, Book
from axiomatic.ledger.services import JournalEntryDraft
from reports.rendering import ForbiddenFetch, static_only_url_fetcher
from reports.statements import build_statement
from tests.factories import EntityFactory, MembershipFactory, UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

URL = "/api/reports/pdf"
D = dt.date
REPORTS = ("trial_balance", "income_statement", "balance_sheet")
ALL_REPORTS = (*REPORTS, "cash_flow", "general_ledger")
EVIL = "<script>alert(1)</script> & Co"


def post(book, day, debit, credit, cents, memo=""):
    """One two-line entry: debit `debit`, credit `credit`, `cents` each."""
    return (
        JournalEntryDraft(book=book, date=day, memo=memo)
        .debit(debit, cents)
        .credit(credit, cents)
        .post()
    )


def get(client, entity_id, book_id, report="trial_balance", **params):
    query = {
        "entityId": entity_id,
        "bookId": book_id,
        "report": report,
        "from": "2026-01-01",
        "to": "2026-01-31",
    }
    query.update(params)
    return client.get(URL, {k: v for k, v in query.items() if v is not None})


def get_json(persona, report, date_from="2026-01-01", date_to="2026-01-31", book=None):
    book = book or persona.gl
    response = get(
        persona.client,
        book.entity.public_id,
        book.public_id,
        report,
        format="json",
        **{"from": date_from, "to": date_to},
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def account_row(account, **amounts):
    return {
        "accountId": account.public_id,
        "code": account.code,
        "name": account.name,
        "type": account.type,
        "subtype": account.subtype,
        **amounts,
    }


@pytest.fixture
def ledger(alice):
    """The worked example in Alpha's General Ledger, with entries outside the window and in Tax.

    Window 2026-01-01..2026-01-31:
    - 2025-12-20 insurance 300.00 paid (before `from`: in the balances, not in the income statement)
    - 2025-12-31 owner's capital 10,000.00 (before `from`)
    - 2026-01-10 invoice 2,500.00
    - 2026-01-20 payment received 1,999.99
    - 2026-01-31 rent 1,200.50 (on `to`: included)
    - 2026-02-01 rent 999.99 (after `to`: never included)
    - 2026-01-15 depreciation 123.45 in the Tax book (never in the General Ledger's statements)
    """
    gl = alice.gl
    tax = alice.books["Tax"]
    a = {acct.code: acct for acct in Account.objects.filter(entity=alice.firm)}
    post(gl, D(2025, 12, 20), a["6600"], a["1000"], 30_000, "Insurance")
    post(gl, D(2025, 12, 31), a["1000"], a["3000"], 1_000_000, "Capital")
    post(gl, D(2026, 1, 10), a["1100"], a["4000"], 250_000, "Invoice 1")
    post(gl, D(2026, 1, 20), a["1000"], a["1100"], 199_999, "Payment")
    post(gl, D(2026, 1, 31), a["6000"], a["1000"], 120_050, "Rent")
    post(gl, D(2026, 2, 1), a["6000"], a["1000"], 99_999, "February rent")
    post(tax, D(2026, 1, 15), a["6900"], a["1550"], 12_345, "Tax-only depreciation")
    return SimpleNamespace(gl=gl, tax=tax, a=a)


# --- Worked examples (JSON) ---------------------------------------------------------------------


def test_trial_balance_as_of_to(alice, ledger):
    a = ledger.a
    body = get_json(alice, "trial_balance")
    assert body == {
        "report": "trial_balance",
        "entityId": alice.firm.public_id,
        "bookId": alice.gl.public_id,
        "from": "2026-01-01",
        "to": "2026-01-31",
        "currency": "USD",
        "rows": [
            # Cash: 10,000.00 + 1,999.99 - 300.00 - 1,200.50 = 10,499.49
            account_row(a["1000"], debit=1_049_949, credit=0),
            # Receivable: 2,500.00 - 1,999.99 = 500.01 still owed
            account_row(a["1100"], debit=50_001, credit=0),
            account_row(a["3000"], debit=0, credit=1_000_000),
            account_row(a["4000"], debit=0, credit=250_000),
            account_row(a["6000"], debit=120_050, credit=0),
            account_row(a["6600"], debit=30_000, credit=0),
        ],
        "totals": {"debit": 1_250_000, "credit": 1_250_000},
    }


def test_trial_balance_moves_with_to_and_ignores_from(alice, ledger):
    a = ledger.a
    body = get_json(alice, "trial_balance", date_from="2026-01-14", date_to="2026-01-15")
    assert [(r["code"], r["debit"], r["credit"]) for r in body["rows"]] == [
        ("1000", 970_000, 0),
        ("1100", 250_000, 0),
        ("3000", 0, 1_000_000),
        ("4000", 0, 250_000),
        ("6600", 30_000, 0),
    ]
    assert body["totals"] == {"debit": 1_250_000, "credit": 1_250_000}
    # An account whose debits and credits cancel out has no balance, so no row.
    post(ledger.gl, D(2026, 1, 25), a["1150"], a["1000"], 4_200)
    post(ledger.gl, D(2026, 1, 26), a["1000"], a["1150"], 4_200)
    codes = [r["code"] for r in get_json(alice, "trial_balance")["rows"]]
    assert "1150" not in codes
    # Before every entry: nothing at all.
    empty = get_json(alice, "trial_balance", date_from="2025-01-01", date_to="2025-12-19")
    assert empty["rows"] == []
    assert empty["totals"] == {"debit": 0, "credit": 0}


def test_income_statement_covers_from_to(alice, ledger):
    a = ledger.a
    body = get_json(alice, "income_statement")
    assert body["report"] == "income_statement"
    assert body["rows"] == [
        account_row(a["4000"], amount=250_000),
        account_row(a["6000"], amount=120_050),
    ]
    assert body["totals"] == {"revenue": 250_000, "expenses": 120_050, "netIncome": 129_950}


@pytest.mark.parametrize(
    ("date_from", "date_to", "rows", "totals"),
    [
        # `from` is inclusive: the invoice of the 10th is in, nothing else before the 20th.
        ("2026-01-10", "2026-01-20", [("4000", 250_000)], (250_000, 0, 250_000)),
        # `to` is inclusive: the rent of the 31st is in; the invoice of the 10th is out.
        ("2026-01-11", "2026-01-31", [("6000", 120_050)], (0, 120_050, -120_050)),
        # One day: the rent only.
        ("2026-01-31", "2026-01-31", [("6000", 120_050)], (0, 120_050, -120_050)),
        # December holds the insurance; February the second rent.
        ("2025-12-01", "2025-12-31", [("6600", 30_000)], (0, 30_000, -30_000)),
        ("2026-02-01", "2026-02-28", [("6000", 99_999)], (0, 99_999, -99_999)),
        # A window with no entries at all.
        ("2026-01-11", "2026-01-19", [], (0, 0, 0)),
    ],
)
def test_income_statement_windows(alice, ledger, date_from, date_to, rows, totals):
    body = get_json(alice, "income_statement", date_from=date_from, date_to=date_to)
    assert [(r["code"], r["amount"]) for r in body["rows"]] == rows
    revenue, expenses, net = totals
    assert body["totals"] == {"revenue": revenue, "expenses": expenses, "netIncome": net}


def test_balance_sheet_as_of_to_with_retained_and_current_year_earnings(alice, ledger):
    a = ledger.a
    body = get_json(alice, "balance_sheet")
    assert body["report"] == "balance_sheet"
    accounts = [r for r in body["rows"] if r["accountId"] is not None]
    assert accounts == [
        account_row(a["1000"], amount=1_049_949),
        account_row(a["1100"], amount=50_001),
        account_row(a["3000"], amount=1_000_000),
        # Retained earnings: the account's own balance (nothing posted) plus the net income of
        # the fiscal years before 2026 (a calendar fiscal year): December's insurance, -300.00.
        account_row(a["3900"], amount=-30_000),
    ]
    earnings = [r for r in body["rows"] if r["accountId"] is None]
    assert len(earnings) == 1
    # This fiscal year's net income, 2026-01-01 to `to`: 2,500.00 - 1,200.50 = 1,299.50
    assert earnings[0]["name"] == "Net income (current year)"
    assert earnings[0]["subtype"] == "current_year_earnings"
    assert earnings[0]["type"] == "equity"
    assert earnings[0]["code"] == ""
    assert earnings[0]["amount"] == 129_950
    assert body["rows"][-1] == earnings[0]  # shown inside equity, after the equity accounts
    assert body["totals"] == {"assets": 1_099_950, "liabilities": 0, "equity": 1_099_950}
    assert body["totals"]["assets"] == body["totals"]["liabilities"] + body["totals"]["equity"]


def test_balance_sheet_with_liabilities_and_a_contra_asset(alice, ledger):
    a = ledger.a
    # A loan of 5,000.00 and a year's depreciation of 123.45, in the General Ledger this time.
    post(ledger.gl, D(2026, 1, 5), a["1000"], a["2700"], 500_000, "Loan")
    post(ledger.gl, D(2026, 1, 31), a["6900"], a["1550"], 12_345, "Depreciation")
    body = get_json(alice, "balance_sheet")
    rows = {r["code"] or r["subtype"]: r["amount"] for r in body["rows"]}
    assert rows == {
        "1000": 1_549_949,
        "1100": 50_001,
        "1550": -12_345,  # contra asset: negative among assets
        "2700": 500_000,
        "3000": 1_000_000,
        "3900": -30_000,  # 2025's insurance
        "current_year_earnings": 117_605,  # 1,299.50 - 123.45
    }
    assert body["totals"] == {"assets": 1_587_605, "liabilities": 500_000, "equity": 1_087_605}


def test_tax_book_has_its_own_statements(alice, ledger):
    a = ledger.a
    body = get_json(alice, "trial_balance", book=ledger.tax)
    assert body["bookId"] == ledger.tax.public_id
    assert body["rows"] == [
        account_row(a["1550"], debit=0, credit=12_345),
        account_row(a["6900"], debit=12_345, credit=0),
    ]
    income = get_json(alice, "income_statement", book=ledger.tax)
    assert income["totals"] == {"revenue": 0, "expenses": 12_345, "netIncome": -12_345}
    for report in REPORTS:
        codes = {r["code"] for r in get_json(alice, report)["rows"]}
        assert not codes & {"1550", "6900"}, report


# --- Properties of random balanced ledgers ------------------------------------------------------

CODES = [account.code for account in DEFAULT_CHART]
TYPES = {account.code: account.type for account in DEFAULT_CHART}
FIRST_DAY = D(2026, 1, 1)
LAST_DAY = D(2026, 12, 31)
DAYS = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
LINE = st.tuples(
    st.sampled_from(CODES),
    st.integers(min_value=-(10**9), max_value=10**9).filter(bool),  # > 0 debit, < 0 credit
)
ENTRY = st.fixed_dictionaries(
    {
        "date": DAYS,
        "lines": st.lists(LINE, min_size=1, max_size=4),
        "balancing": st.sampled_from(CODES),
        "tax": st.booleans(),
    }
)
LEDGERS = st.lists(ENTRY, max_size=10)
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def balanced(entry) -> list[tuple[str, int]]:
    lines = list(entry["lines"])
    total = sum(cents for _, cents in lines)
    if total:
        lines.append((entry["balancing"], -total))
    return lines


def post_random_ledger(entries):
    """A new entity with the entries posted; returns its General Ledger."""
    entity = EntityFactory()
    books = {b.is_primary: b for b in Book.objects.filter(entity=entity)}
    accounts = {a.code: a for a in Account.objects.filter(entity=entity)}
    for entry in entries:
        draft = JournalEntryDraft(book=books[not entry["tax"]], date=entry["date"])
        for code, cents in balanced(entry):
            draft.line(
                account=accounts[code], debit_cents=max(cents, 0), credit_cents=max(-cents, 0)
            )
        draft.post()
    return books[True]


def expected_nets(entries, date_to, date_from=None) -> dict[str, int]:
    """Debits less credits per account code, General Ledger only, in the window."""
    nets: dict[str, int] = {}
    for entry in entries:
        if entry["tax"] or entry["date"] > date_to:
            continue
        if date_from is not None and entry["date"] < date_from:
            continue
        for code, cents in balanced(entry):
            nets[code] = nets.get(code, 0) + cents
    return nets


@PROPERTY
@given(entries=LEDGERS, date_to=DAYS)
def test_property_trial_balance_debits_equal_credits(db, entries, date_to):
    with transaction.atomic():
        gl = post_random_ledger(entries)
        statement = build_statement(
            report="trial_balance", book=gl, date_from=FIRST_DAY, date_to=date_to
        )
        assert statement.totals["debit"] == statement.totals["credit"]
        assert statement.totals["debit"] == sum(r.debit for r in statement.rows)
        assert all((r.debit > 0) != (r.credit > 0) for r in statement.rows)
        want = {code: net for code, net in expected_nets(entries, date_to).items() if net}
        assert {r.code: r.debit - r.credit for r in statement.rows} == want
        transaction.set_rollback(True)


@PROPERTY
@given(entries=LEDGERS, date_to=DAYS)
def test_property_balance_sheet_balances(db, entries, date_to):
    with transaction.atomic():
        gl = post_random_ledger(entries)
        statement = build_statement(
            report="balance_sheet", book=gl, date_from=FIRST_DAY, date_to=date_to
        )
        totals = statement.totals
        assert totals["assets"] == totals["liabilities"] + totals["equity"]
        nets = expected_nets(entries, date_to)
        assets = sum(n for c, n in nets.items() if TYPES[c] == AccountType.ASSET)
        liabilities = -sum(n for c, n in nets.items() if TYPES[c] == AccountType.LIABILITY)
        assert (totals["assets"], totals["liabilities"]) == (assets, liabilities)
        transaction.set_rollback(True)


@PROPERTY
@given(entries=LEDGERS, date_to=DAYS)
def test_property_net_income_of_the_fiscal_year_is_current_year_earnings(db, entries, date_to):
    """Every entry is dated 2026, a calendar fiscal year: all net income is this year's."""
    with transaction.atomic():
        gl = post_random_ledger(entries)
        income = build_statement(
            report="income_statement", book=gl, date_from=D(2025, 12, 31), date_to=date_to
        ).as_json()
        sheet = build_statement(
            report="balance_sheet", book=gl, date_from=D(2025, 12, 31), date_to=date_to
        ).as_json()
        by_subtype = {}
        for row in sheet["rows"]:
            by_subtype.setdefault(row["subtype"], []).append(row)
        [current] = by_subtype["current_year_earnings"]
        [retained] = by_subtype["retained_earnings"]
        assert retained["code"] == "3900"  # the chart's account carries it
        assert income["totals"]["netIncome"] == current["amount"]
        net = income["totals"]["revenue"] - income["totals"]["expenses"]
        assert income["totals"]["netIncome"] == net
        nets = expected_nets(entries, date_to)
        want = -sum(n for c, n in nets.items() if TYPES[c] in ("revenue", "expense"))
        assert current["amount"] == want
        # Before 2026 nothing was posted: retained earnings is 3900's own balance alone.
        assert retained["amount"] == -nets.get("3900", 0)
        transaction.set_rollback(True)


# --- HTML and PDF ---------------------------------------------------------------------------------


def test_html_is_the_default(alice, ledger):
    response = get(alice.client, alice.firm.public_id, alice.gl.public_id)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Alpha &amp; Co CPA" in html
    assert "Trial balance" in html
    for text in ("10,499.49", "500.01", "10,000.00", "2,500.00", "1,200.50", "12,500.00"):
        assert text in html, text


def test_html_shows_negatives_in_parentheses(alice, ledger):
    a = ledger.a
    loss = get(
        alice.client,
        alice.firm.public_id,
        alice.gl.public_id,
        "income_statement",
        **{"from": "2026-01-11", "to": "2026-01-31"},
    )
    html = loss.content.decode()
    assert "(1,200.50)" in html  # a net loss
    assert "-1,200.50" not in html and "-120050" not in html
    post(ledger.gl, D(2026, 1, 31), a["6900"], a["1550"], 1_234_567, "Depreciation")
    sheet = get(alice.client, alice.firm.public_id, alice.gl.public_id, "balance_sheet")
    html = sheet.content.decode()
    assert "(12,345.67)" in html  # accumulated depreciation among assets
    assert "-12,345.67" not in html


def test_html_escapes_entity_and_account_names(alice):
    Entity.objects.filter(pk=alice.firm.pk).update(name=EVIL)
    Account.objects.filter(entity=alice.firm, code="1000").update(name=EVIL + " cash")
    post(alice.gl, D(2026, 1, 5), alice.account("1000"), alice.account("3000"), 100)
    for report in ALL_REPORTS:
        response = get(alice.client, alice.firm.public_id, alice.gl.public_id, report)
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script" not in html, report
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html, report
    body = get_json(alice, "trial_balance")
    assert body["rows"][0]["name"] == EVIL + " cash"  # JSON carries the name as it is


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("report", REPORTS)
def test_pdf(alice, ledger, report):
    response = get(alice.client, alice.firm.public_id, alice.gl.public_id, report, format="pdf")
    text = pdf_text(response)
    assert "Alpha & Co CPA" in text
    assert "Page 1 of" in text
    names = {
        "trial_balance": ["Cash", "Accounts Receivable", "Owner's Equity", "Rent", "Insurance"],
        "income_statement": ["Service Revenue", "Rent"],
        "balance_sheet": [
            "Cash",
            "Accounts Receivable",
            "Owner's Equity",
            "Retained Earnings",
            "Net income (current year)",
        ],
    }[report]
    for name in names:
        assert name in text, name
    assert "1,200.50" in text or report == "balance_sheet"


def test_pdf_of_a_hostile_name_renders_it_as_text(alice):
    Entity.objects.filter(pk=alice.firm.pk).update(name=EVIL)
    post(alice.gl, D(2026, 1, 5), alice.account("1000"), alice.account("3000"), 100)
    response = get(alice.client, alice.firm.public_id, alice.gl.public_id, format="pdf")
    assert EVIL in pdf_text(response)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.test/style.css",
        "https://example.test/static/axiomatic/base.css",
        "file:///etc/passwd",
        "ftp://example.test/static/axiomatic/base.css",
        "data:text/css,body{}",
        "//example.test/static/axiomatic/base.css",
    ],
)
def test_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(ForbiddenFetch):
        static_only_url_fetcher().fetch(url)


@pytest.mark.parametrize(
    "url",
    ["file:///srv/static/../../../../etc/passwd", "/static/../../../../etc/passwd"],
)
def test_url_fetcher_refuses_to_climb_out_of_static(url):
    with pytest.raises((ForbiddenFetch, SuspiciousFileOperation)):
        static_only_url_fetcher().fetch(url)


def test_url_fetcher_serves_our_static_files():
    fetched = static_only_url_fetcher().fetch("/static/axiomatic/base.css")
    assert fetched.read() and fetched.content_type == "text/css"
    assert static_only_url_fetcher().fetch("file:///app/static/axiomatic/base.css").read()


def test_a_document_that_references_refused_urls_still_renders_without_them(caplog):
    """WeasyPrint 70 calls the fetcher through its own interface: a refused resource is skipped
    with a warning, never an exception that stops the document (nor a request to the address)."""
    html = (
        '<html><head><link rel="stylesheet" href="https://evil.test/x.css"></head><body>'
        '<img src="http://169.254.169.254/latest/meta-data"><p>Statement</p>'
        '<img src="file:///etc/passwd"></body></html>'
    )
    with caplog.at_level("WARNING", logger="weasyprint"):
        pdf = html_to_pdf(html)
    assert pdf.startswith(b"%PDF")
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert "169.254.169.254" in refused and "ForbiddenFetch" in refused


# --- Access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [None, "json", "pdf"])
def test_anonymous_is_401(anon, alice, fmt):
    response = get(anon, alice.firm.public_id, alice.gl.public_id, format=fmt)
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize("fmt", [None, "json", "pdf"])
def test_another_firms_entity_or_book_is_the_same_404_as_an_unknown_one(alice, charlie, fmt):
    post(alice.gl, D(2026, 1, 5), alice.account("1000"), alice.account("3000"), 100)
    unknown_entity = get(charlie.client, new_public_id("ent"), alice.gl.public_id, format=fmt)
    foreign_entity = get(charlie.client, alice.firm.public_id, alice.gl.public_id, format=fmt)
    assert_error(foreign_entity, 404, "not_found")
    assert foreign_entity.content == unknown_entity.content
    unknown_book = get(charlie.client, charlie.firm.public_id, new_public_id("bk"), format=fmt)
    foreign_book = get(charlie.client, charlie.firm.public_id, alice.gl.public_id, format=fmt)
    assert_error(foreign_book, 404, "not_found")
    assert foreign_book.content == unknown_book.content
    assert foreign_book.content == foreign_entity.content


def test_a_book_of_another_entity_under_my_entity_id_is_404(alice, acme, charlie):
    client_gl = Book.objects.get(entity=acme.client, is_primary=True)
    mine = get(alice.client, alice.firm.public_id, client_gl.public_id, format="json")
    unknown = get(alice.client, alice.firm.public_id, new_public_id("bk"), format="json")
    assert_error(mine, 404, "not_found")
    assert mine.content == unknown.content
    theirs = get(alice.client, alice.firm.public_id, charlie.gl.public_id, format="json")
    assert theirs.content == unknown.content


def test_a_viewer_can_read(alice, bob, ledger):
    for report in ALL_REPORTS:
        response = get(bob.client, alice.firm.public_id, alice.gl.public_id, report, format="json")
        assert response.status_code == 200, response.content
        assert response.json() == get_json(alice, report)


def test_a_firm_reads_its_clients_statements_and_no_one_elses(alice, charlie, acme, globex):
    client_gl = Book.objects.get(entity=acme.client, is_primary=True)
    cash = Account.objects.get(entity=acme.client, code="1000")
    equity = Account.objects.get(entity=acme.client, code="3000")
    post(client_gl, D(2026, 1, 2), cash, equity, 123_456)
    body = get_json(alice, "trial_balance", book=client_gl)
    assert body["entityId"] == acme.client.public_id
    assert body["totals"] == {"debit": 123_456, "credit": 123_456}
    denied = get(charlie.client, acme.client.public_id, client_gl.public_id, format="json")
    unknown = get(charlie.client, new_public_id("ent"), client_gl.public_id, format="json")
    assert_error(denied, 404, "not_found")
    assert denied.content == unknown.content
    globex_gl = Book.objects.get(entity=globex.client, is_primary=True)
    other = get(alice.client, globex.client.public_id, globex_gl.public_id, format="json")
    assert_error(other, 404, "not_found")
    assert other.content == unknown.content


def test_a_client_user_reads_their_own_entity_only(alice, acme):
    client_gl = Book.objects.get(entity=acme.client, is_primary=True)
    cash = Account.objects.get(entity=acme.client, code="1000")
    equity = Account.objects.get(entity=acme.client, code="3000")
    post(client_gl, D(2026, 1, 2), cash, equity, 50_000)
    post(alice.gl, D(2026, 1, 2), alice.account("1000"), alice.account("3000"), 70_000)
    user = UserFactory(email="owner@acme.test")
    MembershipFactory(user=user, entity=acme.client, role=Role.VIEWER)
    session = APIClient()
    session.force_login(user)
    for report in ALL_REPORTS:
        ok = get(session, acme.client.public_id, client_gl.public_id, report, format="json")
        assert ok.status_code == 200, ok.content
        assert ok.json()["entityId"] == acme.client.public_id
    html = get(session, acme.client.public_id, client_gl.public_id)
    assert html.status_code == 200 and "500.00" in html.content.decode()
    unknown = get(session, new_public_id("ent"), alice.gl.public_id, format="json")
    firm = get(session, alice.firm.public_id, alice.gl.public_id, format="json")
    assert_error(firm, 404, "not_found")
    assert firm.content == unknown.content
    mixed = get(session, acme.client.public_id, alice.gl.public_id, format="json")
    assert_error(mixed, 404, "not_found")


# --- Bad input ----------------------------------------------------------------------------------

BAD_QUERIES = [
    ({"entityId": None}, "entityId"),
    ({"bookId": None}, "bookId"),
    ({"report": None}, "report"),
    ({"from": None}, "from"),
    ({"to": None}, "to"),
    ({"entityId": "ent_123"}, "entityId"),
    ({"entityId": "' OR 1=1 --"}, "entityId"),
    ({"entityId": "ENT_" + "0" * 26}, "entityId"),
    ({"bookId": "junk"}, "bookId"),
    ({"bookId": new_public_id("acct")}, "bookId"),
    ({"report": "cashflow"}, "report"),
    ({"report": "TRIAL_BALANCE"}, "report"),
    ({"report": "general-ledger"}, "report"),
    ({"format": "xml"}, "format"),
    ({"format": "docx"}, "format"),
    ({"format": "CSV"}, "format"),
    ({"format": "xls"}, "format"),
    ({"compare": "previous"}, "compare"),
    ({"compare": "PREVIOUS_YEAR"}, "compare"),
    ({"compare": "previous_year", "report": "general_ledger"}, "compare"),
    ({"compare": "previous_period", "report": "general_ledger", "format": "csv"}, "compare"),
    # A comparison before the year 1 does not exist.
    ({"compare": "previous_year", "from": "0001-01-01", "to": "0001-12-31"}, "compare"),
    ({"compare": "previous_period", "from": "0001-01-01", "to": "0001-01-31"}, "compare"),
    ({"from": "2026-02-30"}, "from"),
    ({"to": "2026-02-30"}, "to"),
    ({"to": "2026-13-01"}, "to"),
    ({"from": "yesterday"}, "from"),
    ({"from": "2026-02-01", "to": "2026-01-31"}, "from"),
    ({"from": "2026-02-01", "to": "2026-01-31", "format": "pdf"}, "from"),
    ({"from": "2026-02-01", "to": "2026-01-31", "format": "html"}, "from"),
]


@pytest.mark.parametrize(("overrides", "field"), BAD_QUERIES)
def test_bad_input_is_400_in_the_error_shape(alice, overrides, field):
    response = get(alice.client, alice.firm.public_id, alice.gl.public_id, **overrides)
    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"], error


def test_bad_input_is_400_even_for_an_entity_i_cannot_reach(charlie, alice):
    response = get(
        charlie.client, alice.firm.public_id, alice.gl.public_id, **{"from": "2026-02-30"}
    )
    assert_error(response, 400, "validation_error")


# --- Query counts -------------------------------------------------------------------------------


def test_json_statements_take_the_same_number_of_queries_for_2_and_300_entries(alice):
    cash, ar, revenue, rent = (alice.account(c) for c in ("1000", "1100", "4000", "6000"))
    equity = alice.account("3000")
    post(alice.gl, D(2026, 1, 2), cash, equity, 1_000_000)
    post(alice.gl, D(2026, 1, 3), ar, revenue, 25_000)

    def queries(report: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = get(
                alice.client, alice.firm.public_id, alice.gl.public_id, report, format="json"
            )
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    queries("trial_balance")  # warm-up: the key's first request of the minute writes last_used_at
    small = {report: queries(report) for report in ALL_REPORTS}
    for i in range(298):
        debit, credit = [(ar, revenue), (cash, ar), (rent, cash)][i % 3]
        post(alice.gl, D(2026, 1, 1 + i % 31), debit, credit, 100 + i)
    large = {report: queries(report) for report in ALL_REPORTS}
    assert large == small
    assert max(large.values()) <= 10, large
    # The 298 entries are really in the statements that were counted.
    income = get_json(alice, "income_statement")["totals"]
    revenue = 25_000 + sum(100 + i for i in range(298) if i % 3 == 0)
    expenses = sum(100 + i for i in range(298) if i % 3 == 2)
    assert income == {"revenue": revenue, "expenses": expenses, "netIncome": revenue - expenses}
