"""Monthly balances: kept by every posting and reversal, and read by `account_balances` for the
whole months of a range, with the lines of the partial months at either end.

Worked examples with exact cents, then the same answer as a plain aggregate over the lines (the
reference, computed here with the ORM) on seeded random data, flat query counts, and the backfill
of migration 0012.
"""

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axiomatic.ledger.chart import default_cash_flow_section
from axiomatic.ledger.models import Account, AccountMonthBalance, Book, JournalLine
from axiomatic.ledger.selectors import BalancePlan, account_balances, balance_plan
from axiomatic.ledger.services import JournalEntryDraft, journal_entry_reverse
from tests.factories import EntityFactory, UserFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def ledger():
    entity = EntityFactory(name="Corner Bakery LLC")
    books = {b.name: b for b in Book.objects.filter(entity=entity)}
    accounts = {a.code: a for a in Account.objects.filter(entity=entity)}
    return books["General Ledger"], books["Tax"], accounts


def post(book, day, debit, credit, cents, memo=""):
    return (
        JournalEntryDraft(book=book, date=day, memo=memo)
        .debit(debit, cents)
        .credit(credit, cents)
        .post()
    )


def balances(book, date_to, date_from=None) -> dict[str, tuple[int, int]]:
    """account_balances, as {code: (debit, credit)} for the accounts that moved."""
    return {
        a.code: (a.debit_total, a.credit_total)
        for a in account_balances(book=book, date_to=date_to, date_from=date_from)
        if a.debit_total or a.credit_total
    }


def reference(book, date_to, date_from=None) -> dict[str, tuple[int, int]]:
    """The same totals the plain way: every line of the range, grouped by account."""
    lines = JournalLine.objects.filter(book=book, date__lte=date_to)
    if date_from is not None:
        lines = lines.filter(date__gte=date_from)
    rows = lines.values("account__code").annotate(d=Sum("debit_cents"), c=Sum("credit_cents"))
    return {r["account__code"]: (r["d"], r["c"]) for r in rows if r["d"] or r["c"]}


def month_rows(book) -> dict[tuple[str, str], tuple[int, int]]:
    rows = AccountMonthBalance.objects.filter(book=book).select_related("account")
    return {(r.account.code, f"{r.month:%Y-%m}"): (r.debit_cents, r.credit_cents) for r in rows}


@pytest.fixture
def bakery(ledger):
    """Three months of a bakery, December 2025 to February 2026, in the General Ledger."""
    gl, tax, a = ledger
    post(gl, D(2025, 12, 1), a["1000"], a["3000"], 2_000_000, "Owner's capital")
    post(gl, D(2025, 12, 15), a["1100"], a["4000"], 310_050, "December sales")
    post(gl, D(2025, 12, 31), a["6000"], a["1000"], 120_000, "December rent")
    post(gl, D(2026, 1, 1), a["1000"], a["1100"], 310_050, "Collected December")
    post(gl, D(2026, 1, 14), a["1100"], a["4000"], 45_599, "January sales, first half")
    post(gl, D(2026, 1, 16), a["1100"], a["4000"], 54_401, "January sales, second half")
    post(gl, D(2026, 1, 31), a["6000"], a["1000"], 120_000, "January rent")
    post(gl, D(2026, 2, 10), a["6200"], a["2100"], 9_999, "Software on the card")
    post(gl, D(2026, 2, 28), a["6000"], a["1000"], 120_000, "February rent")
    return gl, tax, a


# --- Upkeep: what the posting service writes ----------------------------------------------------


def test_each_posting_adds_its_amounts_to_its_month(bakery):
    gl, _, _ = bakery
    assert month_rows(gl) == {
        ("1000", "2025-12"): (2_000_000, 120_000),
        ("3000", "2025-12"): (0, 2_000_000),
        ("1100", "2025-12"): (310_050, 0),
        ("4000", "2025-12"): (0, 310_050),
        ("6000", "2025-12"): (120_000, 0),
        ("1000", "2026-01"): (310_050, 120_000),
        ("1100", "2026-01"): (100_000, 310_050),  # 455.99 + 544.01 in one row
        ("4000", "2026-01"): (0, 100_000),
        ("6000", "2026-01"): (120_000, 0),
        ("6200", "2026-02"): (9_999, 0),
        ("2100", "2026-02"): (0, 9_999),
        ("6000", "2026-02"): (120_000, 0),
        ("1000", "2026-02"): (0, 120_000),
    }
    assert set(AccountMonthBalance.objects.values_list("month", flat=True)) == {
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    }


def test_one_account_on_both_sides_of_an_entry_gets_both(ledger):
    gl, _, a = ledger
    JournalEntryDraft(book=gl, date=D(2026, 3, 9)).debit(a["1000"], 700).credit(
        a["1000"], 200
    ).credit(a["3000"], 500).post()
    assert month_rows(gl) == {("1000", "2026-03"): (700, 200), ("3000", "2026-03"): (0, 500)}


def test_a_reversal_adds_the_mirror_to_its_own_month(bakery):
    gl, _, a = bakery
    sale = post(gl, D(2026, 1, 20), a["1100"], a["4000"], 25_025, "Sale, voided in March")
    journal_entry_reverse(entry=sale, date=D(2026, 3, 2), memo="Void", source="manual")

    rows = month_rows(gl)
    assert rows[("1100", "2026-01")] == (125_025, 310_050)
    assert rows[("4000", "2026-01")] == (0, 125_025)
    assert rows[("1100", "2026-03")] == (0, 25_025)
    assert rows[("4000", "2026-03")] == (25_025, 0)
    # January still shows the sale; January to March nets it out.
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 1))["4000"] == (0, 125_025)
    assert balances(gl, D(2026, 3, 31), D(2026, 1, 1))["4000"] == (25_025, 125_025)
    assert balances(gl, D(2026, 3, 31)) == reference(gl, D(2026, 3, 31))


def test_a_posting_rolled_back_with_its_caller_leaves_no_month_row(ledger):
    gl, _, a = ledger
    post(gl, D(2026, 4, 1), a["1000"], a["3000"], 1_000)
    with pytest.raises(RuntimeError), transaction.atomic():
        post(gl, D(2026, 4, 2), a["1000"], a["3000"], 50)
        post(gl, D(2026, 5, 2), a["1000"], a["3000"], 60)
        raise RuntimeError("the invoice around the postings failed")
    assert month_rows(gl) == {("1000", "2026-04"): (1_000, 0), ("3000", "2026-04"): (0, 1_000)}


def test_a_refused_posting_adds_nothing(ledger):
    gl, _, a = ledger
    post(gl, D(2026, 4, 1), a["1000"], a["3000"], 1_000)
    draft = JournalEntryDraft(book=gl, date=D(2026, 4, 3)).debit(a["1000"], 10).credit(a["3000"], 9)
    with pytest.raises(Exception, match="does not balance"):
        draft.post()
    assert month_rows(gl) == {("1000", "2026-04"): (1_000, 0), ("3000", "2026-04"): (0, 1_000)}


def test_the_two_books_of_an_entity_are_kept_apart(bakery):
    gl, tax, a = bakery
    before = month_rows(gl)
    post(tax, D(2026, 1, 31), a["6900"], a["1550"], 41_667, "Tax depreciation")
    post(tax, D(2026, 1, 15), a["1100"], a["4000"], 1_000)

    assert month_rows(gl) == before
    assert month_rows(tax) == {
        ("6900", "2026-01"): (41_667, 0),
        ("1550", "2026-01"): (0, 41_667),
        ("1100", "2026-01"): (1_000, 0),
        ("4000", "2026-01"): (0, 1_000),
    }
    assert balances(tax, D(2026, 1, 31), D(2026, 1, 1)) == {
        "6900": (41_667, 0),
        "1550": (0, 41_667),
        "1100": (1_000, 0),
        "4000": (0, 1_000),
    }
    assert "6900" not in balances(gl, D(2026, 12, 31))
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 1))["4000"] == (0, 100_000)


# --- Reads: whole months from the rows, partial months from the lines -----------------------------


def test_whole_months(bakery):
    gl, _, _ = bakery
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 1)) == {
        "1000": (310_050, 120_000),
        "1100": (100_000, 310_050),
        "4000": (0, 100_000),
        "6000": (120_000, 0),
    }


def test_partial_first_month(bakery):
    gl, _, _ = bakery
    # 15 January to February: the second half of January's sales, its rent, and February.
    assert balances(gl, D(2026, 2, 28), D(2026, 1, 15)) == {
        "1100": (54_401, 0),
        "4000": (0, 54_401),
        "6000": (240_000, 0),
        "1000": (0, 240_000),
        "6200": (9_999, 0),
        "2100": (0, 9_999),
    }


def test_partial_last_month(bakery):
    gl, _, _ = bakery
    # December and January whole, February to the 27th (the software, not the rent of the 28th).
    assert balances(gl, D(2026, 2, 27), D(2025, 12, 1)) == {
        "1000": (2_310_050, 240_000),
        "3000": (0, 2_000_000),
        "1100": (410_050, 310_050),
        "4000": (0, 410_050),
        "6000": (240_000, 0),
        "6200": (9_999, 0),
        "2100": (0, 9_999),
    }


def test_both_ends_partial(bakery):
    gl, _, _ = bakery
    # 15 December to 14 January: the December sale and rent, the collection, the first half.
    assert balances(gl, D(2026, 1, 14), D(2025, 12, 15)) == {
        "1100": (355_649, 310_050),
        "4000": (0, 355_649),
        "6000": (120_000, 0),
        "1000": (310_050, 120_000),
    }


def test_inside_one_month(bakery):
    gl, _, _ = bakery
    assert balances(gl, D(2026, 1, 16), D(2026, 1, 2)) == {
        "1100": (100_000, 0),
        "4000": (0, 100_000),
    }
    assert balances(gl, D(2026, 1, 15), D(2026, 1, 15)) == {}


def test_across_the_year_end(bakery):
    gl, _, _ = bakery
    assert balances(gl, D(2026, 1, 31), D(2025, 12, 31)) == {
        "6000": (240_000, 0),
        "1000": (310_050, 240_000),
        "1100": (100_000, 310_050),
        "4000": (0, 100_000),
    }
    assert balances(gl, D(2026, 1, 31), D(2025, 12, 1)) == reference(
        gl, D(2026, 1, 31), D(2025, 12, 1)
    )


def test_from_the_beginning(bakery):
    gl, _, _ = bakery
    as_of_january = {
        "1000": (2_310_050, 240_000),  # cash 20,700.50
        "3000": (0, 2_000_000),
        "1100": (410_050, 310_050),  # receivable 1,000.00
        "4000": (0, 410_050),
        "6000": (240_000, 0),
    }
    assert balances(gl, D(2026, 1, 31)) == as_of_january
    mid_february = balances(gl, D(2026, 2, 12))
    assert mid_february == {**as_of_january, "6200": (9_999, 0), "2100": (0, 9_999)}
    debits = sum(d for d, _ in mid_february.values())
    assert debits == sum(c for _, c in mid_february.values()) == 2_970_099


def test_whole_months_are_read_from_the_month_rows_and_partial_ones_from_the_lines(bakery):
    gl, _, a = bakery
    # A row made wrong by hand (ledger_verify's business) shows where each part is read from.
    AccountMonthBalance.objects.filter(book=gl, account=a["4000"], month=D(2026, 1, 1)).update(
        credit_cents=100_001
    )
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 1))["4000"] == (0, 100_001)
    assert balances(gl, D(2026, 2, 28))["4000"] == (0, 410_051)
    assert balances(gl, D(2026, 1, 31), D(2026, 1, 2))["4000"] == (0, 100_000)
    assert balances(gl, D(2026, 1, 30), D(2026, 1, 1))["4000"] == (0, 100_000)


def test_a_range_that_ends_before_it_starts_is_empty(bakery):
    gl, _, _ = bakery
    assert balances(gl, D(2026, 1, 31), D(2026, 2, 1)) == {}
    assert balances(gl, D(2026, 1, 10), D(2026, 1, 20)) == {}


@pytest.mark.parametrize(
    ("date_from", "date_to", "plan"),
    [
        (D(2026, 1, 1), D(2026, 3, 31), ((D(2026, 1, 1), D(2026, 3, 1)), ())),
        (None, D(2026, 3, 31), ((None, D(2026, 3, 1)), ())),
        (None, D(2026, 3, 15), ((None, D(2026, 2, 1)), ((D(2026, 3, 1), D(2026, 3, 15)),))),
        (
            D(2025, 12, 10),
            D(2026, 2, 27),
            (
                (D(2026, 1, 1), D(2026, 1, 1)),
                ((D(2025, 12, 10), D(2025, 12, 31)), (D(2026, 2, 1), D(2026, 2, 27))),
            ),
        ),
        (D(2026, 1, 10), D(2026, 2, 20), (None, ((D(2026, 1, 10), D(2026, 2, 20)),))),
        (D(2026, 2, 2), D(2026, 2, 28), (None, ((D(2026, 2, 2), D(2026, 2, 28)),))),
        (D(2024, 2, 1), D(2024, 2, 29), ((D(2024, 2, 1), D(2024, 2, 1)), ())),
        (D(9999, 12, 2), D(9999, 12, 31), (None, ((D(9999, 12, 2), D(9999, 12, 31)),))),
        (D(1, 1, 1), D(1, 1, 5), (None, ((D(1, 1, 1), D(1, 1, 5)),))),
    ],
)
def test_a_range_splits_into_whole_months_and_at_most_two_partial_ones(date_from, date_to, plan):
    assert balance_plan(date_from=date_from, date_to=date_to) == BalancePlan(*plan)


def test_the_same_as_the_lines_on_random_postings(ledger):
    gl, tax, a = ledger
    rng = random.Random(18)
    codes = sorted(a)
    start = D(2024, 11, 1)
    for _ in range(160):
        debit, credit = rng.sample(codes, 2)
        day = start + dt.timedelta(days=rng.randrange(0, 500))
        post(rng.choice([gl, gl, tax]), day, a[debit], a[credit], rng.randint(1, 2_000_000))
    end = start + dt.timedelta(days=520)
    edges = [
        (None, D(2025, 12, 31)),
        (None, D(2025, 12, 30)),
        (D(2024, 12, 1), D(2025, 11, 30)),
        (D(2024, 12, 31), D(2025, 1, 1)),
        (D(2025, 2, 28), D(2025, 3, 1)),
    ]
    randoms = []
    for _ in range(40):
        first, last = sorted(start + dt.timedelta(days=rng.randrange(-20, 540)) for _ in range(2))
        randoms.append((rng.choice([first, None]), last))
    checked = 0
    for date_from, date_to in edges + randoms:
        for book in (gl, tax):
            expected = reference(book, date_to, date_from)
            assert balances(book, date_to, date_from) == expected, (book.name, date_from, date_to)
            checked += bool(expected)
    assert checked > 60  # most ranges hold lines: the comparison is not between empty sets
    assert balances(gl, end) == reference(gl, end)


# --- Query counts ---------------------------------------------------------------------------------


RANGES = {
    "whole months": (D(2026, 1, 1), D(2026, 6, 30)),
    "partial start": (D(2026, 1, 15), D(2026, 6, 30)),
    "partial end": (D(2026, 1, 1), D(2026, 6, 15)),
    "both partial": (D(2026, 1, 15), D(2026, 6, 15)),
    "one month": (D(2026, 3, 2), D(2026, 3, 30)),
    "from the beginning, mid-month": (None, D(2026, 6, 15)),
    "from the beginning, month end": (None, D(2026, 6, 30)),
}
# Months aggregate + lines aggregate + chart, less what a range does not need.
EXPECTED_QUERIES = {
    "whole months": 2,
    "partial start": 3,
    "partial end": 3,
    "both partial": 3,
    "one month": 2,
    "from the beginning, mid-month": 3,
    "from the beginning, month end": 2,
}


def _queries(book) -> dict[str, int]:
    counts = {}
    for name, (date_from, date_to) in RANGES.items():
        with CaptureQueriesContext(connection) as ctx:
            account_balances(book=book, date_to=date_to, date_from=date_from)
        counts[name] = len(ctx.captured_queries)
    return counts


def test_query_counts_stay_flat_from_10_to_200_entries(ledger):
    gl, _, a = ledger
    pairs = [("1000", "3000"), ("1100", "4000"), ("6000", "1000"), ("6200", "2100")]

    def post_entries(n: int, offset: int) -> None:
        for i in range(offset, offset + n):
            debit, credit = pairs[i % len(pairs)]
            post(gl, D(2026, 1, 1) + dt.timedelta(days=i % 181), a[debit], a[credit], 100 + i)

    post_entries(10, 0)
    small = _queries(gl)
    post_entries(190, 10)
    large = _queries(gl)
    assert small == large == EXPECTED_QUERIES
    # And the 200 entries are in what was counted.
    for date_from, date_to in RANGES.values():
        assert balances(gl, date_to, date_from) == reference(gl, date_to, date_from)


# --- Migration 0012: the backfill -----------------------------------------------------------------


def test_the_backfill_of_migration_0012_recreates_the_month_rows_from_the_lines(bakery):
    gl, tax, a = bakery
    post(tax, D(2026, 1, 31), a["6900"], a["1550"], 41_667)
    expected = {book.pk: month_rows(book) for book in (gl, tax)}
    Account.objects.filter(pk=a["1000"].pk).update(cash_flow_section="working_capital")
    AccountMonthBalance.objects.all().delete()

    migration = importlib.import_module(
        "axiomatic.ledger.migrations.0012_monthly_balances_backfill"
    )
    migration.backfill(apps, None)

    assert {book.pk: month_rows(book) for book in (gl, tax)} == expected
    assert AccountMonthBalance.objects.count() == sum(len(rows) for rows in expected.values())
    assert Account.objects.get(pk=a["1000"].pk).cash_flow_section == "cash"
    assert balances(gl, D(2026, 2, 27), D(2025, 12, 1)) == reference(
        gl, D(2026, 2, 27), D(2025, 12, 1)
    )


# --- The chart's cash-flow sections in the accounts API ---------------------------------------------


def test_the_accounts_api_shows_each_accounts_cash_flow_section(alice):
    response = alice.client.get("/api/ledger/accounts", {"entityId": alice.firm.public_id})
    assert response.status_code == 200, response.content
    accounts = response.json()["accounts"]
    assert len(accounts) == Account.objects.filter(entity=alice.firm).count() >= 30
    for account in accounts:
        assert account["cashFlowSection"] == default_cash_flow_section(
            account["type"], account["subtype"]
        ), account
    sections = {a["code"]: a["cashFlowSection"] for a in accounts}
    assert sections["1000"] == sections["1150"] == "cash"
    assert sections["1100"] == "working_capital"
    assert sections["1500"] == "investing"
    assert sections["1550"] == "non_cash"
    assert sections["2700"] == sections["3000"] == "financing"
    assert sections["4000"] == sections["6000"] == "net_income"


def test_the_accounts_api_shows_a_changed_section(alice):
    Account.objects.filter(entity=alice.firm, code="1300").update(cash_flow_section="investing")
    accounts = alice.client.get("/api/ledger/accounts", {"entityId": alice.firm.public_id}).json()
    assert {a["code"]: a["cashFlowSection"] for a in accounts["accounts"]}["1300"] == "investing"


def test_the_admin_lists_and_shows_the_cash_flow_section(ledger, client):
    _, _, a = ledger
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listed = client.get(reverse("admin:ledger_account_changelist"), {"q": "Fixed Assets"})
    assert listed.status_code == 200
    assert "Investing activities" in listed.content.decode()
    form = client.get(reverse("admin:ledger_account_change", args=[a["1550"].pk]))
    assert form.status_code == 200
    assert '<option value="non_cash" selected>' in form.content.decode()


def test_the_schema_describes_the_cash_flow_section(alice):
    response = alice.client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    account = schema["components"]["schemas"]["Account"]
    assert "cashFlowSection" in account["required"]
    section = account["properties"]["cashFlowSection"]
    assert "cash-flow statement" in section["description"]
    ref = section["$ref"] if "$ref" in section else section["allOf"][0]["$ref"]
    enum = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"]
    assert enum == [
        "cash",
        "net_income",
        "non_cash",
        "working_capital",
        "investing",
        "financing",
    ]
