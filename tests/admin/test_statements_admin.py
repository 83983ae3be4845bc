"""The admin's statements page (Reports > Statements): staff pick an entity their firm reaches, a
book, a report, a period and a comparison, and see the statement or download it.

Acme Corp (a client of Alice's firm) keeps its General Ledger on the calendar year:

| date       | entry                            | debit                 | credit               |
|------------|----------------------------------|-----------------------|----------------------|
| 2025-03-01 | owner's capital                  | 1000 Cash 10,000.00   | 3000 Owner's Equity  |
| 2025-05-10 | invoice                          | 1100 A/R 1,500.00     | 4000 Service Revenue |
| 2025-06-15 | rent                             | 6000 Rent 400.00      | 1000 Cash            |
| 2026-02-10 | invoice                          | 1100 A/R 2,500.00     | 4000 Service Revenue |
| 2026-03-20 | payment                          | 1000 Cash 2,000.00    | 1100 A/R             |
| 2026-05-31 | rent                             | 6000 Rent 1,200.50    | 1000 Cash            |

As of 2026-06-30 (against 2025-06-30): cash 10,399.50 (9,600.00), receivables 2,000.00
(1,500.00), assets 12,399.50 (11,100.00); equity: owner 10,000.00, retained earnings 1,100.00
(2025's net income; none a year before), this year's earnings 1,299.50 (1,100.00).
Globex (Charlie's firm's client) is never offered to Alice, and refused like an id naming nothing.
"""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.ledger.models import Account, Book
from axiomatic.ledger.services import JournalEntryDraft
from reports import documents
from reports.models import ReportDocument, ReportShare
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import table_rows
from tests.factories import UserFactory
from tests.helpers import pdf_layout_text

pytestmark = pytest.mark.django_db

URL = "/admin/reports/statements/"
D = dt.date
NBSP = "\xa0"
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def post(book, day, debit, credit, cents, memo):
    accounts = {a.code: a for a in Account.objects.filter(entity=book.entity)}
    JournalEntryDraft(book=book, date=day, memo=memo).debit(accounts[debit], cents).credit(
        accounts[credit], cents
    ).post()


@pytest.fixture
def acme_books(acme) -> Book:
    gl = Book.objects.get(entity=acme.client, is_primary=True)
    post(gl, D(2025, 3, 1), "1000", "3000", 1_000_000, "Owner's capital")
    post(gl, D(2025, 5, 10), "1100", "4000", 150_000, "Invoice 1")
    post(gl, D(2025, 6, 15), "6000", "1000", 40_000, "Rent 2025")
    post(gl, D(2026, 2, 10), "1100", "4000", 250_000, "Invoice 2")
    post(gl, D(2026, 3, 20), "1000", "1100", 200_000, "Payment")
    post(gl, D(2026, 5, 31), "6000", "1000", 120_050, "May rent")
    return gl


def query(entity, book=None, report="balance_sheet", **params) -> dict:
    data = {
        "entity": entity.public_id,
        "book": book.public_id if book else "",
        "report": report,
        "date_from": "2026-01-01",
        "date_to": "2026-06-30",
        "compare": "",
    }
    data.update(params)
    return data


def page(client, params=None) -> str:
    response = client.get(URL, params or {})
    assert response.status_code == 200, response.content[:300]
    assert "no-store" in response["Cache-Control"]
    return response.content.decode()


def statement_rows(html: str) -> list[list[str]]:
    return [[c.replace(NBSP, " ") for c in row] for row in table_rows(html, "statement-table")]


def offered(html: str, field: str) -> str:
    """The <select> of a field, as HTML."""
    return html.split(f'name="{field}"', 1)[1].split("</select>", 1)[0]


def errors(html: str) -> str:
    return " ".join(part.split("</ul>", 1)[0] for part in html.split('<ul class="errorlist')[1:])


# --- The page --------------------------------------------------------------------------------------


def test_the_page_is_listed_under_reports_on_the_admin_index(alice_admin):
    index = alice_admin.get("/admin/").content.decode()
    assert f'href="{URL}"' in index and ">Statements<" in index


def test_staff_are_offered_the_entities_their_firm_reaches_and_their_books(
    alice, acme, globex, alice_admin
):
    html = page(alice_admin)
    entities = offered(html, "entity")
    assert acme.client.public_id in entities and "Acme Corp" in entities
    assert alice.firm.public_id in entities  # the firm's own books
    assert globex.client.public_id not in entities and "Globex" not in entities
    books = offered(html, "book")
    acme_gl = Book.objects.get(entity=acme.client, is_primary=True)
    assert acme_gl.public_id in books and '<optgroup label="Acme Corp">' in books
    assert not any(b.public_id in books for b in Book.objects.filter(entity=globex.client))
    assert 'id="statement-table"' not in html  # nothing chosen yet


def test_a_balance_sheet_with_last_years_figures_beside_it(acme, acme_books, alice_admin):
    html = page(alice_admin, query(acme.client, compare="previous_year"))
    rows = statement_rows(html)
    assert rows[0] == ["Code", "Account", "30 Jun 2026", "30 Jun 2025"]
    assert ["1000", "Cash", "10,399.50", "9,600.00"] in rows
    assert ["1100", "Accounts Receivable", "2,000.00", "1,500.00"] in rows
    assert ["", "Total assets", "12,399.50", "11,100.00"] in rows
    assert rows[-1] == ["", "Total liabilities and equity", "12,399.50", "11,100.00"]
    assert rows[rows.index(["Equity"]) :] == [
        ["Equity"],
        ["3000", "Owner's Equity", "10,000.00", "10,000.00"],
        ["3900", "Retained Earnings", "1,100.00", "0.00"],  # 2025's net income
        ["", "Net income (current year)", "1,299.50", "1,100.00"],
        ["", "Total equity", "12,399.50", "11,100.00"],
        ["", "Total liabilities and equity", "12,399.50", "11,100.00"],
    ]
    assert "Acme Corp · Balance sheet" in html
    assert "Accrual basis" in html and "Compared with the previous year" in html


def test_the_primary_book_is_the_default_and_another_book_can_be_chosen(
    acme, acme_books, alice_admin
):
    tax = Book.objects.get(entity=acme.client, name="Tax")
    primary = statement_rows(page(alice_admin, query(acme.client, report="trial_balance")))
    chosen = statement_rows(page(alice_admin, query(acme.client, tax, report="trial_balance")))
    assert ["1000", "Cash", "10,399.50", ""] in primary
    assert chosen[1] == ["", "No activity."]  # nothing was posted in the Tax book


@pytest.mark.parametrize(
    "report, first_rows",
    [
        ("income_statement", [["Code", "Account", "1 Jan – 30 Jun 2026"], ["Revenue"]]),
        ("cash_flow", [["Code", "Account", "1 Jan – 30 Jun 2026"], ["Operating activities"]]),
        (
            "general_ledger",
            [["Date", "Entry", "Description", "Debit", "Credit", "Balance"], ["1000 Cash"]],
        ),
    ],
)
def test_each_report_shows_in_the_admin(acme, acme_books, alice_admin, report, first_rows):
    rows = statement_rows(page(alice_admin, query(acme.client, report=report)))
    assert rows[:2] == first_rows


def test_a_viewer_reads_statements_too(acme, acme_books, bob_admin):
    rows = statement_rows(page(bob_admin, query(acme.client)))
    assert ["1000", "Cash", "10,399.50"] in rows


def test_staff_without_a_firm_may_not_open_the_page(db):
    stranger = logged_in(UserFactory(email="temp@nowhere.test", is_staff=True))
    assert stranger.get(URL).status_code == 403
    assert f'href="{URL}"' not in stranger.get("/admin/").content.decode()


# --- Refusals --------------------------------------------------------------------------------------


def test_another_firms_entity_is_refused_like_an_unknown_one(acme, globex, alice_admin):
    foreign = page(alice_admin, query(globex.client))
    unknown = page(alice_admin, {**query(globex.client), "entity": "ent_doesnotexist"})
    assert "Please correct the error below." in foreign
    assert 'id="statement-table"' not in foreign and "Globex" not in foreign
    assert errors(foreign).replace(globex.client.public_id, "X") == errors(unknown).replace(
        "ent_doesnotexist", "X"
    )
    assert "Select a valid choice" in errors(foreign)


def test_another_firms_book_is_refused_like_an_unknown_one(acme, globex, alice_admin):
    globex_gl = Book.objects.get(entity=globex.client, is_primary=True)
    foreign = page(alice_admin, query(acme.client, globex_gl))
    unknown = page(alice_admin, {**query(acme.client), "book": "bk_doesnotexist"})
    assert 'id="statement-table"' not in foreign
    assert errors(foreign).replace(globex_gl.public_id, "X") == errors(unknown).replace(
        "bk_doesnotexist", "X"
    )
    assert "Select a valid choice" in errors(foreign)


def test_a_book_of_another_reachable_entity_is_refused(alice, acme, alice_admin):
    firm_gl = Book.objects.get(entity=alice.firm, is_primary=True)
    html = page(alice_admin, query(acme.client, firm_gl))
    assert "is not a book of Acme Corp" in errors(html)
    assert 'id="statement-table"' not in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"date_from": "2026-13-01"}, "Enter a valid date."),
        ({"date_to": ""}, "This field is required."),
        ({"date_from": "2026-07-01"}, "Must not be after To."),
        ({"date_from": "1800-01-01"}, "Must be between 1900-01-01 and 2999-12-31."),
        ({"date_from": "2010-01-01"}, "The range may span at most 1826 days."),
        ({"report": "profit_and_loss"}, "Select a valid choice."),
        ({"compare": "last_decade"}, "Select a valid choice."),
        ({"report": "general_ledger", "compare": "previous_year"}, "has no comparison column"),
    ],
)
def test_bad_input_is_shown_as_form_errors(acme, alice_admin, params, message):
    html = page(alice_admin, {**query(acme.client), **params})
    assert "Please correct the error below." in html
    assert message in errors(html)
    assert 'id="statement-table"' not in html


# --- Downloads -------------------------------------------------------------------------------------


def download(client, params, content_type: str):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith('attachment; filename="')
    assert "no-store" in response["Cache-Control"]
    return response


def test_the_pdf_download_holds_the_statement_and_its_comparison(acme, acme_books, alice_admin):
    params = {**query(acme.client, compare="previous_year"), "output": "pdf"}
    response = download(alice_admin, params, "application/pdf")
    assert 'filename="balance_sheet-2026-06-30.pdf"' in response["Content-Disposition"]
    lines = pdf_layout_text(response.content)
    assert "1000 Cash 10,399.50 9,600.00" in lines
    assert "Total liabilities and equity 12,399.50 11,100.00" in lines


def test_the_csv_download_is_the_statement_as_text(acme, acme_books, alice_admin):
    params = {**query(acme.client, report="trial_balance"), "output": "csv"}
    response = download(alice_admin, params, CSV)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert ["Entity", "Acme Corp"] in rows
    cash = next(row for row in rows if row[:2] == ["1000", "Cash"])
    assert "10399.50" in cash


def test_the_xlsx_download_opens_with_numbers_in_it(acme, acme_books, alice_admin):
    params = {**query(acme.client, compare="previous_year"), "output": "xlsx"}
    response = download(alice_admin, params, XLSX)
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    values = [
        v for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
    ]
    numbers = {round(float(v), 2) for v in values if isinstance(v, int | float)}
    assert {10_399.50, 9_600.00, 12_399.50, 11_100.00} <= numbers


def test_the_statement_page_opens_on_its_own_with_a_pdf_link(acme, acme_books, alice_admin):
    response = alice_admin.get(URL, {**query(acme.client), "output": "page"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert html.startswith("<!doctype html>") and "Download PDF" in html
    assert "output=pdf" in html and ["1000", "Cash", "10,399.50"] in statement_rows(html)


def test_a_long_pdf_is_delivered_through_a_share_link(acme, acme_books, alice_admin, settings):
    settings.MAX_INLINE_PDF_PAGES = 0  # every PDF counts as long
    html = page(alice_admin, {**query(acme.client), "output": "pdf"})
    share = ReportShare.objects.get()
    assert share.entity == acme.client and share.report_type == "balance_sheet"
    assert ReportDocument.objects.filter(share=share).exists()
    assert "it is being rendered and will be at http" in html
    assert 'id="statement-table"' not in html


def test_a_viewer_gets_no_long_pdf_and_nothing_is_written(acme, acme_books, bob_admin, settings):
    settings.MAX_INLINE_PDF_PAGES = 0
    html = page(bob_admin, {**query(acme.client), "output": "pdf"})
    assert "takes a member or admin" in html
    assert not ReportShare.objects.exists() and not ReportDocument.objects.exists()


def test_a_general_ledger_too_long_for_a_page_says_what_to_ask_for(
    acme, acme_books, alice_admin, monkeypatch
):
    monkeypatch.setitem(documents.LEDGER_LINE_CAPS, "html", 5)  # the period has 6 lines
    html = page(alice_admin, query(acme.client, report="general_ledger"))
    assert "This general ledger has 6 lines, more than the 5" in html
    assert 'id="statement-table"' not in html
    csv_file = download(
        alice_admin, {**query(acme.client, report="general_ledger"), "output": "csv"}, CSV
    )
    text = b"".join(csv_file.streaming_content).decode("utf-8-sig")
    assert "May rent" in text and "Invoice 2" in text  # CSV streams any length


# --- Queries ---------------------------------------------------------------------------------------


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, params)
    return len(captured)


def test_the_page_takes_as_many_queries_for_a_big_firm_as_for_a_small_one(
    alice, acme, acme_books, make_client, alice_admin
):
    params = query(acme.client, compare="previous_year")
    small = _queries(alice_admin, params)
    for n in range(4):
        link = make_client(alice, f"Client {n}")
        post(
            Book.objects.get(entity=link.client, is_primary=True),
            D(2026, 1, 5),
            "1000",
            "3000",
            100,
            "x",
        )
    for day in range(1, 25):
        post(acme_books, D(2026, 4, day), "1100", "4000", 1_000 + day, f"Invoice {day}")
    assert _queries(alice_admin, params) == small
