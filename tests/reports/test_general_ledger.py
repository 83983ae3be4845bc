"""The general ledger: a worked example (opening balances, lines in order with entry numbers, memos
and running balances, closing balances), lines read lazily from one query, flat query counts, the
caps by format (400 with what to ask for instead), CSV streamed, long PDFs deferred."""

import math

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from axiomatic.ledger.services import JournalEntryDraft
from reports import documents
from reports.models import ReportDocument, ReportShare
from reports.statements import build_statement
from reports.statements import general_ledger as general_ledger_module
from tests.helpers import assert_error, db_snapshot
from tests.reports.statement_requests import D, chart, post, statement, statement_json
from tests.reports.test_share_links import create, open_url, share_body, token_of

pytestmark = pytest.mark.django_db

JANUARY = (D(2026, 1, 1), D(2026, 1, 31))


@pytest.fixture
def ledger(alice):
    """Alpha's General Ledger around January 2026 (entries posted in this order):

    e1 2025-12-01 capital 5,000.00 (Dr 1000, Cr 3000)
    e2 2025-12-15 invoice 200.00 (Dr 1100, Cr 4000)
    e3 2025-12-20 and e4 2025-12-21: 30.00 to undeposited funds and back (1150 nets to nothing)
    e5 2026-01-25 cash sale 12.34 (Dr 1000, Cr 4000), posted before the earlier-dated e6
    e6 2026-01-05 payment of the invoice 200.00 (Dr 1000, Cr 1100)
    e7 2026-01-10 January rent billed 1,500.00 (Dr 6000, Cr 2000)
    e8 2026-01-25 the rent paid 1,500.00 (Dr 2000, Cr 1000): the same day as e5, after it
    e9 2026-02-01 9.99 of rent: after `to`
    and 123.45 of depreciation in the Tax book on 2026-01-15: never in this book's ledger.
    """
    a = chart(alice.firm)
    gl = alice.gl
    e = {}
    e[1] = post(gl, D(2025, 12, 1), a["1000"], a["3000"], 500_000, "Capital")
    e[2] = post(gl, D(2025, 12, 15), a["1100"], a["4000"], 20_000, "Invoice 7")
    e[3] = post(gl, D(2025, 12, 20), a["1150"], a["1000"], 3_000, "To undeposited")
    e[4] = post(gl, D(2025, 12, 21), a["1000"], a["1150"], 3_000, "Back")
    e[5] = post(gl, D(2026, 1, 25), a["1000"], a["4000"], 1_234, "Cash sale", "Counter sale")
    e[6] = post(gl, D(2026, 1, 5), a["1000"], a["1100"], 20_000, "Payment", "Invoice 7 paid")
    e[7] = post(gl, D(2026, 1, 10), a["6000"], a["2000"], 150_000, "January rent")
    e[8] = post(gl, D(2026, 1, 25), a["2000"], a["1000"], 150_000, "Pay rent", "Cheque 101")
    e[9] = post(gl, D(2026, 2, 1), a["6000"], a["1000"], 999, "February rent")
    post(alice.books["Tax"], D(2026, 1, 15), a["6900"], a["1550"], 12_345, "Tax depreciation")
    return a, e


def line(entry, debit, credit, balance, description=""):
    return {
        "date": entry.date.isoformat(),
        "journalEntryId": entry.public_id,
        "number": entry.display_number,
        "memo": entry.memo,
        "description": description,
        "debit": debit,
        "credit": credit,
        "balance": balance,
    }


def account(acct, opening, debit, credit, closing, lines):
    return {
        "accountId": acct.public_id,
        "code": acct.code,
        "name": acct.name,
        "type": acct.type,
        "subtype": acct.subtype,
        "openingBalance": opening,
        "debit": debit,
        "credit": credit,
        "closingBalance": closing,
        "lines": lines,
    }


def test_general_ledger_worked_example(alice, ledger):
    a, e = ledger
    body = statement_json(alice, "general_ledger", *JANUARY)
    assert {k: v for k, v in body.items() if k != "rows"} == {
        "report": "general_ledger",
        "entityId": alice.firm.public_id,
        "bookId": alice.gl.public_id,
        "from": "2026-01-01",
        "to": "2026-01-31",
        "currency": "USD",
        "totals": {"debit": 321_234, "credit": 321_234},
    }
    assert body["rows"] == [
        # Cash: 5,000.00 at the start (the 30.00 went out and came back); by date, then by entry
        # number on the same day (e5 before e8), whatever order they were posted in.
        account(
            a["1000"],
            500_000,
            21_234,
            150_000,
            371_234,
            [
                line(e[6], 20_000, 0, 520_000, "Invoice 7 paid"),
                line(e[5], 1_234, 0, 521_234, "Counter sale"),
                line(e[8], 0, 150_000, 371_234, "Cheque 101"),
            ],
        ),
        account(a["1100"], 20_000, 0, 20_000, 0, [line(e[6], 0, 20_000, 0, "Invoice 7 paid")]),
        # 1150 had lines, but none in January and no balance: not listed.
        # A liability runs on the credit side.
        account(
            a["2000"],
            0,
            150_000,
            150_000,
            0,
            [line(e[7], 0, 150_000, 150_000), line(e[8], 150_000, 0, 0, "Cheque 101")],
        ),
        # A balance and no line in the period: listed, with no lines.
        account(a["3000"], 500_000, 0, 0, 500_000, []),
        # Revenue opens the fiscal year (January) at nothing: December's 200.00 was last year's.
        account(a["4000"], 0, 0, 1_234, 1_234, [line(e[5], 0, 1_234, 1_234, "Counter sale")]),
        account(a["6000"], 0, 150_000, 0, 150_000, [line(e[7], 150_000, 0, 150_000)]),
    ]
    assert body["rows"][0]["lines"][0]["number"].startswith("JE-")


def test_the_statement_knows_its_accounts_and_line_count_before_reading_a_line(alice, ledger):
    with CaptureQueriesContext(connection) as built:
        gl = build_statement(
            report="general_ledger", book=alice.gl, date_from=JANUARY[0], date_to=JANUARY[1]
        )
    assert [a.code for a in gl.ledger_accounts] == ["1000", "1100", "2000", "3000", "4000", "6000"]
    assert gl.line_count == 8
    assert [a.line_count for a in gl.ledger_accounts] == [3, 1, 2, 0, 1, 1]
    assert [(a.opening, a.closing) for a in gl.ledger_accounts][0] == (500_000, 371_234)
    assert gl.sections == [] and gl.rows == []
    assert not any("description" in q["sql"] for q in built.captured_queries)  # no line read yet
    with CaptureQueriesContext(connection) as read:
        balances = [[ln.balance for ln in lines] for _, lines in gl.iter_ledger()]
    assert len(read.captured_queries) == 1  # one ordered query for every line
    assert balances == [[520_000, 521_234, 371_234], [0], [150_000, 0], [], [1_234], [150_000]]


def test_lines_come_one_chunk_at_a_time_with_the_same_answer(alice, ledger, monkeypatch):
    whole = statement_json(alice, "general_ledger", *JANUARY)
    monkeypatch.setattr(general_ledger_module, "CHUNK_SIZE", 2)
    assert statement_json(alice, "general_ledger", *JANUARY) == whole


def test_reading_the_lines_is_lazy(alice, ledger):
    gl = build_statement(
        report="general_ledger", book=alice.gl, date_from=JANUARY[0], date_to=JANUARY[1]
    )
    accounts = gl.iter_ledger()
    first, lines = next(accounts)
    assert first.code == "1000"
    assert next(lines).balance == 520_000
    # Skipping the rest of an account's lines moves on to the next account's.
    second, lines = next(accounts)
    assert second.code == "1100"
    assert [ln.credit for ln in lines] == [20_000]
    assert [a.code for a, _ in accounts] == ["2000", "3000", "4000", "6000"]


def test_a_window_with_nothing_lists_the_accounts_with_balances_only(alice, ledger):
    body = statement_json(alice, "general_ledger", D(2026, 1, 11), D(2026, 1, 24))
    assert [
        (r["code"], r["openingBalance"], r["closingBalance"], r["lines"]) for r in body["rows"]
    ] == [
        ("1000", 520_000, 520_000, []),
        ("2000", 150_000, 150_000, []),
        ("3000", 500_000, 500_000, []),
        # 4000's 200.00 is last fiscal year's: this year it has nothing before the 24th.
        ("6000", 150_000, 150_000, []),
    ]
    assert body["totals"] == {"debit": 0, "credit": 0}
    assert statement_json(alice, "general_ledger", D(2020, 1, 1), D(2020, 12, 31))["rows"] == []


def test_from_the_first_day_there_is_no_opening_balance(alice, ledger):
    gl = build_statement(
        report="general_ledger", book=alice.gl, date_from=D(1, 1, 1), date_to=D(2025, 12, 31)
    )
    cash = gl.ledger_accounts[0]
    assert (cash.code, cash.opening, cash.line_count, cash.closing) == ("1000", 0, 3, 500_000)
    # And the API takes the first possible day (over five years at most).
    body = statement_json(alice, "general_ledger", D(1, 1, 1), D(1, 12, 31))
    assert body["rows"] == []


def test_queries_stay_flat_as_lines_grow(alice):
    a = chart(alice.firm)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = statement(alice, "general_ledger", *JANUARY, format="json")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    post(alice.gl, D(2026, 1, 2), a["1000"], a["3000"], 100_000)
    queries()  # warm-up: the key's first request of the minute writes last_used_at
    small = queries()
    for i in range(150):
        debit, credit = [(a["1100"], a["4000"]), (a["1000"], a["1100"]), (a["6000"], a["1000"])][
            i % 3
        ]
        post(alice.gl, D(2025 + i % 2, 12 if i % 2 == 0 else 1, 1 + i % 28), debit, credit, 1 + i)
    assert queries() == small
    body = statement_json(alice, "general_ledger", *JANUARY)
    assert sum(len(r["lines"]) for r in body["rows"]) == 2 + 2 * 75


# --- Caps by format, streaming and deferral -------------------------------------------------------


def many_lines(persona, count: int, per_entry: int = 100) -> int:
    """`count` one-cent rent lines on 2026-01-15, `per_entry` to an entry with the cash line paying
    them (PostgreSQL's balance trigger checks an entry per line: entries stay of a real size).
    Returns how many lines were posted."""
    a = chart(persona.firm)
    posted = 0
    for start in range(0, count, per_entry):
        size = min(per_entry, count - start)
        draft = JournalEntryDraft(book=persona.gl, date=D(2026, 1, 15), memo="Many small bills")
        for _ in range(size):
            draft.debit(a["6000"], 1)
        draft.credit(a["1000"], size).post()
        posted += size + 1
    return posted


@pytest.mark.parametrize("fmt", ["json", "html", "xlsx"])
def test_over_the_line_cap_is_400_saying_what_to_ask_for(alice, monkeypatch, fmt):
    many_lines(alice, 5)  # six lines
    monkeypatch.setitem(documents.LEDGER_LINE_CAPS, fmt, 6)
    assert statement(alice, "general_ledger", *JANUARY, format=fmt).status_code == 200
    monkeypatch.setitem(documents.LEDGER_LINE_CAPS, fmt, 5)
    before = db_snapshot()
    error = assert_error(
        statement(alice, "general_ledger", *JANUARY, format=fmt), 400, "statement_too_long"
    )
    message = error["message"]
    assert "6 lines" in message and "narrow the period" in message
    assert "format=csv" in message and "format=pdf" in message
    assert db_snapshot() == before
    # A CSV has no cap: streamed whatever the length.
    response = statement(alice, "general_ledger", *JANUARY, format="csv")
    assert response.status_code == 200 and response.streaming


def test_the_real_cap_of_an_inline_answer(alice):
    lines = many_lines(alice, documents.MAX_INLINE_LEDGER_LINES)
    assert lines == 10_100
    error = assert_error(
        statement(alice, "general_ledger", *JANUARY, format="json"), 400, "statement_too_long"
    )
    assert "10,100 lines" in error["message"] and "10,000" in error["message"]
    response = statement(alice, "general_ledger", *JANUARY, format="csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="general_ledger-2026-01-31.csv"'
    text = b"".join(response.streaming_content).decode()
    assert text.count("JE-0") >= lines


def test_a_long_general_ledger_pdf_is_deferred(alice, settings, django_capture_on_commit_callbacks):
    many_lines(alice, 60)
    gl = build_statement(
        report="general_ledger", book=alice.gl, date_from=JANUARY[0], date_to=JANUARY[1]
    )
    # The estimate counts every line, plus each account's heading, opening, totals and closing.
    rows = documents.FIRST_PAGE_ROWS + 2 * documents.LEDGER_ROWS_PER_ACCOUNT + 61
    assert documents.estimated_pages(gl) == math.ceil(rows / documents.ROWS_PER_PAGE) == 2
    settings.MAX_INLINE_PDF_PAGES = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = statement(alice, "general_ledger", *JANUARY, format="pdf")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["estimatedPages"] == 2
    assert body["link"]["reportType"] == "general_ledger"
    document = ReportDocument.objects.get(share__public_id=body["link"]["id"])
    assert document.status == "ready" and bytes(document.pdf).startswith(b"%PDF")


def test_a_pdf_over_the_hard_cap_is_refused(alice, settings, monkeypatch):
    many_lines(alice, 60)
    settings.MAX_INLINE_PDF_PAGES = 1
    monkeypatch.setattr(documents, "MAX_PDF_PAGES", 1)
    before = db_snapshot()
    error = assert_error(
        statement(alice, "general_ledger", *JANUARY, format="pdf"), 400, "statement_too_long"
    )
    assert "about 2 pages" in error["message"] and "format=csv" in error["message"]
    assert db_snapshot() == before
    assert not ReportShare.objects.exists()


def test_a_share_link_to_a_ledger_grown_too_long_for_its_page_says_so(alice, settings, monkeypatch):
    many_lines(alice, 5)
    created = create(alice.client, share_body(alice, reportType="general_ledger"))
    assert created.status_code == 201, created.content
    token = token_of(created.json()["shareUrl"])

    def page(fmt=""):
        visitor = Client()
        opened = visitor.get(open_url(token))
        assert opened.status_code == 302, opened.content[:300]
        return visitor.get(opened["Location"] + fmt)

    assert page().status_code == 200
    assert page("?format=pdf").status_code == 200
    monkeypatch.setitem(documents.LEDGER_LINE_CAPS, "html", 5)
    too_long = page()
    assert too_long.status_code == 422
    assert too_long["Content-Type"].startswith("text/html")
    assert b"too long to show here" in too_long.content
    # A page renders a PDF only within the inline pages; a long one is a deferred link's.
    settings.MAX_INLINE_PDF_PAGES = 0
    assert page("?format=pdf").status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_another_firms_ledger_is_the_same_404_as_an_unknown_one(alice, charlie, ledger, fmt):
    foreign = statement(charlie, "general_ledger", *JANUARY, book=alice.gl, format=fmt)
    assert_error(foreign, 404, "not_found")
    unknown = charlie.client.get(
        "/api/reports/pdf",
        {
            "entityId": new_public_id("ent"),
            "bookId": alice.gl.public_id,
            "report": "general_ledger",
            "from": "2026-01-01",
            "to": "2026-01-31",
            "format": fmt,
        },
    )
    assert foreign.content == unknown.content


def test_income_accounts_open_with_this_fiscal_years_lines_only(alice, ledger):
    """From February, revenue opens with January's 12.34 (not December's 200.00); with a fiscal
    year from December, it opens with both; a balance-sheet account opens with everything."""
    a, _ = ledger

    def openings():
        gl = build_statement(
            report="general_ledger", book=alice.gl, date_from=D(2026, 2, 1), date_to=D(2026, 2, 28)
        )
        return {acct.code: acct.opening for acct in gl.ledger_accounts}

    january = openings()
    assert (january["4000"], january["6000"], january["1000"]) == (1_234, 150_000, 371_234)
    settings = alice.firm.ledger_settings
    settings.fiscal_year_start_month = 12
    settings.save()
    december = openings()
    assert (december["4000"], december["6000"], december["1000"]) == (21_234, 150_000, 371_234)
    settings.fiscal_year_start_month = 2  # the year starts on `from`: income opens at nothing
    settings.save()
    assert "4000" not in openings() and "6000" in openings()
