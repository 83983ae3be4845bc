"""`manage.py ledger_verify`: recompute every monthly balance from the lines, report the differences
(exit status 1), and rewrite them with --repair."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from axiomatic.ledger.models import Account, AccountMonthBalance, Book
from axiomatic.ledger.selectors import month_balance_differences
from axiomatic.ledger.services import JournalEntryDraft
from tests.factories import EntityFactory

pytestmark = pytest.mark.django_db

D = dt.date


class Books:
    """An entity's General Ledger and Tax book, and its accounts by code."""

    def __init__(self, name: str):
        self.entity = EntityFactory(name=name)
        books = {b.name: b for b in Book.objects.filter(entity=self.entity)}
        self.gl, self.tax = books["General Ledger"], books["Tax"]
        self.a = {a.code: a for a in Account.objects.filter(entity=self.entity)}

    def post(self, book, day, debit, credit, cents):
        JournalEntryDraft(book=book, date=day).debit(self.a[debit], cents).credit(
            self.a[credit], cents
        ).post()

    def row(self, book, code, month) -> AccountMonthBalance:
        return AccountMonthBalance.objects.get(book=book, account=self.a[code], month=month)


@pytest.fixture
def bakery():
    books = Books("Corner Bakery LLC")
    books.post(books.gl, D(2025, 12, 1), "1000", "3000", 2_000_000)
    books.post(books.gl, D(2026, 1, 14), "1100", "4000", 45_599)
    books.post(books.gl, D(2026, 1, 16), "1100", "4000", 54_401)
    books.post(books.gl, D(2026, 2, 28), "6000", "1000", 120_000)
    books.post(books.tax, D(2026, 1, 31), "6900", "1550", 41_667)
    return books


@pytest.fixture
def garage():
    books = Books("Main Street Garage Inc")
    books.post(books.gl, D(2026, 1, 5), "1000", "3000", 500_000)
    return books


def verify(*args: str) -> tuple[int, str, str]:
    """Run the command as `manage.py` would: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger_verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return error.returncode, out.getvalue(), f"{err.getvalue()}{error}"
    return 0, out.getvalue(), err.getvalue()


def test_a_clean_ledger_passes(bakery, garage):
    status, out, err = verify()
    assert status == 0
    assert out.splitlines() == [
        "Checked 4 books of 2 entities: every monthly balance agrees with its lines."
    ]
    # Progress, book by book, on standard error.
    assert err.count("\n") == 4
    assert f"[1/4] Corner Bakery LLC ({bakery.entity.public_id}), General Ledger" in err
    assert f"[4/4] Main Street Garage Inc ({garage.entity.public_id}), Tax" in err


def test_a_tampered_row_is_reported_with_its_account_and_month(bakery, garage):
    AccountMonthBalance.objects.filter(pk=bakery.row(bakery.gl, "1100", D(2026, 1, 1)).pk).update(
        debit_cents=100_100
    )
    status, out, err = verify()
    assert status == 1
    assert out.splitlines() == [
        f"{bakery.entity.public_id} {bakery.gl.public_id} (General Ledger) account 1100 Accounts "
        "Receivable 2026-01: stored Dr $1,001.00 Cr $0.00, recomputed Dr $1,000.00 Cr $0.00",
        "Checked 4 books of 2 entities: 1 monthly balance differs from the lines.",
    ]
    assert "run `manage.py ledger_verify --repair`" in err


def test_a_missing_row_and_a_row_without_lines_are_differences(bakery):
    bakery.row(bakery.tax, "6900", D(2026, 1, 1)).delete()
    AccountMonthBalance.objects.create(
        book=bakery.gl, account=bakery.a["6500"], month=D(2026, 3, 1), debit_cents=1
    )
    status, out, _ = verify()
    assert status == 1
    lines = out.splitlines()
    assert lines[0].endswith(
        "account 6500 Travel 2026-03: stored Dr $0.01 Cr $0.00, recomputed Dr $0.00 Cr $0.00"
    )
    assert lines[1].endswith(
        "(Tax) account 6900 Depreciation Expense 2026-01: stored Dr $0.00 Cr $0.00, "
        "recomputed Dr $416.67 Cr $0.00"
    )
    assert lines[2] == "Checked 2 books of 1 entity: 2 monthly balances differ from the lines."


def test_repair_rewrites_the_wrong_rows_from_the_lines(bakery, garage):
    AccountMonthBalance.objects.filter(book=bakery.gl, account=bakery.a["1100"]).update(
        debit_cents=7, credit_cents=3
    )
    bakery.row(bakery.tax, "1550", D(2026, 1, 1)).delete()
    AccountMonthBalance.objects.create(
        book=bakery.gl, account=bakery.a["1000"], month=D(2026, 1, 15), credit_cents=9
    )
    untouched = garage.row(garage.gl, "1000", D(2026, 1, 1))

    found = month_balance_differences(book=bakery.gl)
    assert [(type(d.month), d.month) for d in found] == [
        (dt.date, D(2026, 1, 1)),  # both sides a date, not a datetime (PostgreSQL's DATE_TRUNC)
        (dt.date, D(2026, 1, 15)),
    ]
    status, out, _ = verify("--repair")
    assert status == 0
    assert "account 1000 Cash 2026-01-15 (not a 1st): stored Dr $0.00 Cr $0.09" in out
    assert out.splitlines()[-1] == (
        "Checked 4 books of 2 entities: rewrote 3 monthly balances from the lines."
    )
    row = bakery.row(bakery.gl, "1100", D(2026, 1, 1))
    assert (row.debit_cents, row.credit_cents) == (100_000, 0)
    row = bakery.row(bakery.tax, "1550", D(2026, 1, 1))
    assert (row.debit_cents, row.credit_cents) == (0, 41_667)
    assert not AccountMonthBalance.objects.filter(month=D(2026, 1, 15)).exists()
    assert garage.row(garage.gl, "1000", D(2026, 1, 1)).pk == untouched.pk
    assert verify()[0] == 0


def test_entity_limits_the_check_to_its_books(bakery, garage):
    AccountMonthBalance.objects.filter(book=garage.gl).update(credit_cents=1)

    status, out, err = verify("--entity", bakery.entity.public_id)
    assert status == 0
    assert out.splitlines() == [
        "Checked 2 books of 1 entity: every monthly balance agrees with its lines."
    ]
    assert "Garage" not in err

    status, out, _ = verify("--entity", garage.entity.public_id)
    assert status == 1
    assert garage.entity.public_id in out and bakery.entity.public_id not in out

    assert verify("--entity", bakery.entity.public_id, "--repair")[0] == 0
    assert verify("--entity", garage.entity.public_id)[0] == 1  # not repaired by the other's run


def test_a_wrong_entity_id_says_what_to_do(bakery):
    status, _, err = verify("--entity", bakery.gl.public_id)
    assert status == 1
    assert "--entity takes an entity id such as ent_" in err
    status, _, err = verify("--entity", "ent_doesnotexist")
    assert status == 1
    assert "No books for entity ent_doesnotexist: check the id" in err


def test_the_exit_status_is_1_from_the_command_line(bakery, capsys):
    AccountMonthBalance.objects.filter(book=bakery.gl).update(debit_cents=1)
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "ledger_verify"]).execute()
    assert exit_.value.code == 1
    assert (
        "CommandError: 6 monthly balances differ from the journal lines" in capsys.readouterr().err
    )
