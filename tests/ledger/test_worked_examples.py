"""Worked accounting examples with exact cents, through the posting service and the balance selector."""

import datetime as dt

import pytest

from axiomatic.core.errors import ApplicationError
from axiomatic.ledger.models import JournalEntry, JournalLine
from axiomatic.ledger.selectors import account_balances
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def books():
    entity = EntityFactory(name="Corner Bakery LLC")
    from axiomatic.ledger.models import Account, Book

    gl = Book.objects.get(entity=entity, is_primary=True)
    acct = {a.code: a for a in Account.objects.filter(entity=entity)}
    return entity, gl, acct


def balances(gl, date_to, date_from=None):
    return {
        a.code: (a.debit_total, a.credit_total)
        for a in account_balances(book=gl, date_to=date_to, date_from=date_from)
        if a.debit_total or a.credit_total
    }


def test_a_month_of_a_small_business(books):
    entity, gl, a = books
    # Owner puts in 10,000.00; the business bills 2,500.00, collects 1,999.99, pays rent 1,200.50.
    JournalEntryDraft(book=gl, date=D(2026, 1, 2), memo="Capital").debit(
        a["1000"], 1_000_000
    ).credit(a["3000"], 1_000_000).post()
    JournalEntryDraft(book=gl, date=D(2026, 1, 10), memo="Invoice 1").debit(
        a["1100"], 250_000
    ).credit(a["4000"], 250_000).post()
    JournalEntryDraft(book=gl, date=D(2026, 1, 20), memo="Payment").debit(
        a["1000"], 199_999
    ).credit(a["1100"], 199_999).post()
    JournalEntryDraft(book=gl, date=D(2026, 1, 31), memo="Rent").debit(a["6000"], 120_050).credit(
        a["1000"], 120_050
    ).post()

    got = balances(gl, D(2026, 1, 31))
    assert got == {
        "1000": (1_199_999, 120_050),  # cash 10,799.49 net
        "1100": (250_000, 199_999),  # receivable 500.01 still owed
        "3000": (0, 1_000_000),
        "4000": (0, 250_000),
        "6000": (120_050, 0),
    }
    debits = sum(d for d, _ in got.values())
    credits = sum(c for _, c in got.values())
    assert debits == credits == 1_570_049
    # As of the 15th only capital and the invoice are in.
    assert balances(gl, D(2026, 1, 15)) == {
        "1000": (1_000_000, 0),
        "1100": (250_000, 0),
        "3000": (0, 1_000_000),
        "4000": (0, 250_000),
    }
    # The income statement window: January 11..31 holds only the rent.
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 11)) == {
        "1000": (199_999, 120_050),
        "1100": (0, 199_999),
        "6000": (120_050, 0),
    }


def test_compound_entry_payroll_split_over_four_lines(books):
    entity, gl, a = books
    entry = (
        JournalEntryDraft(book=gl, date=D(2026, 2, 15), memo="Payroll")
        .debit(a["6100"], 500_000, "Gross wages")
        .credit(a["2200"], 110_033, "Withholding")
        .credit(a["2200"], 38_250, "FICA")
        .credit(a["1000"], 351_717, "Net pay")
        .post()
    )
    assert entry.lines.count() == 4
    assert balances(gl, D(2026, 2, 28)) == {
        "6100": (500_000, 0),
        "2200": (0, 148_283),
        "1000": (0, 351_717),
    }


def test_books_are_kept_apart(books):
    entity, gl, a = books
    from axiomatic.ledger.models import Book

    tax = Book.objects.get(entity=entity, name="Tax")
    JournalEntryDraft(book=tax, date=D(2026, 3, 1), memo="Tax-only adjustment").debit(
        a["6900"], 12_345
    ).credit(a["1550"], 12_345).post()
    assert balances(gl, D(2026, 12, 31)) == {}
    assert balances(tax, D(2026, 12, 31)) == {"6900": (12_345, 0), "1550": (0, 12_345)}


def test_numbers_run_per_entity_without_gaps_even_after_a_refused_entry(books):
    entity, gl, a = books
    first = (
        JournalEntryDraft(book=gl, date=D(2026, 1, 1))
        .debit(a["1000"], 100)
        .credit(a["3000"], 100)
        .post()
    )
    with pytest.raises(ApplicationError):
        JournalEntryDraft(book=gl, date=D(2026, 1, 1)).debit(a["1000"], 100).credit(
            a["3000"], 99
        ).post()
    second = (
        JournalEntryDraft(book=gl, date=D(2026, 1, 2))
        .debit(a["1000"], 5)
        .credit(a["3000"], 5)
        .post()
    )
    other = EntityFactory()
    from axiomatic.ledger.models import Account, Book

    other_gl = Book.objects.get(entity=other, is_primary=True)
    other_cash = Account.objects.get(entity=other, code="1000")
    other_equity = Account.objects.get(entity=other, code="3000")
    theirs = (
        JournalEntryDraft(book=other_gl, date=D(2026, 1, 1))
        .debit(other_cash, 1)
        .credit(other_equity, 1)
        .post()
    )
    assert [first.display_number, second.display_number] == ["JE-000001", "JE-000002"]
    assert theirs.display_number == "JE-000001"


@pytest.mark.parametrize(
    ("lines", "fragment"),
    [
        ([("1000", 100, 0)], "at least two lines"),
        ([("1000", 100, 0), ("3000", 0, 99)], "does not balance"),
        ([("1000", 100, 100), ("3000", 0, 100)], "exactly one side"),
        ([("1000", 0, 0), ("3000", 0, 0)], "exactly one side"),
        ([("1000", -100, 0), ("3000", 0, -100)], "negative"),
        ([("1000", 10.5, 0), ("3000", 0, 10.5)], "integer"),
        ([("1000", "100", 0), ("3000", 0, "100")], "integer"),
        ([("1000", True, 0), ("3000", 0, True)], "integer"),
        ([("1000", 10**16, 0), ("3000", 0, 10**16)], "at most"),
    ],
)
def test_malformed_postings_are_refused_and_nothing_is_written(books, lines, fragment):
    entity, gl, a = books
    draft = JournalEntryDraft(book=gl, date=D(2026, 1, 1))
    for code, debit, credit in lines:
        draft.line(account=a[code], debit_cents=debit, credit_cents=credit)
    with pytest.raises(ApplicationError) as info:
        draft.post()
    assert fragment in str(info.value.message) + str(info.value.fields)
    assert JournalEntry.objects.count() == 0
    assert JournalLine.objects.count() == 0


def test_an_account_of_another_entity_is_refused(books):
    entity, gl, a = books
    from axiomatic.ledger.models import Account

    foreign = Account.objects.get(entity=EntityFactory(), code="3000")
    with pytest.raises(ApplicationError) as info:
        JournalEntryDraft(book=gl, date=D(2026, 1, 1)).debit(a["1000"], 100).credit(
            foreign, 100
        ).post()
    assert "lines[1].accountId" in info.value.fields
    assert JournalEntry.objects.count() == 0


def test_an_inactive_account_is_refused(books):
    entity, gl, a = books
    a["6550"].is_active = False
    a["6550"].save()
    with pytest.raises(ApplicationError, match="inactive"):
        JournalEntryDraft(book=gl, date=D(2026, 1, 1)).debit(a["6550"], 100).credit(
            a["1000"], 100
        ).post()


def test_balances_list_the_whole_chart_in_two_queries_whatever_the_ledger_size(
    books, django_assert_num_queries
):
    entity, gl, a = books
    for day in range(1, 29):
        JournalEntryDraft(book=gl, date=D(2026, 2, day), memo="Sale").debit(
            a["1000"], 1_001
        ).credit(a["4000"], 1_001).post()

    with django_assert_num_queries(2):
        accounts = account_balances(book=gl, date_to=D(2026, 2, 28), date_from=D(2026, 2, 2))

    assert [x.code for x in accounts] == sorted(x.code for x in accounts)
    by_code = {x.code: (x.debit_total, x.credit_total) for x in accounts}
    assert len(by_code) == len(a)  # every account, with or without lines
    assert by_code["1000"] == (27 * 1_001, 0)  # 2..28 February, the 1st left out
    assert by_code["4000"] == (0, 27 * 1_001)
    assert by_code["6000"] == (0, 0)
