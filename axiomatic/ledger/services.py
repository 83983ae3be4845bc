"""Ledger writes: seeding a chart and books, posting journal entries, the ledger's settings.

Everything that writes to the ledger goes through here. Posting is one transaction: lock the entity's
LedgerSettings row and check the lock date under it, allocate the next journal number under the
sequence row's lock, insert the entry and its lines. The rules are checked before anything is
written, and the database re-checks them (see models.py).

Lock dates (docs/adr/0023): nothing is posted on or before an entity's `lock_date`. Every posting
(manual entries, invoices, payments, and the reversals that void them) passes `JournalEntryDraft.post`,
which takes the settings row's lock before it reads the lock date, and `ledger_settings_update` takes
the same lock to move it: a posting and a move of the lock date queue on that row, so an entry
checked against the old date can never commit after the new one. The lock is held to the end of the
caller's transaction (an invoice's, a payment's).

Monthly balances (docs/adr/0028): `post` adds each entry's debits and credits per account into its
month's AccountMonthBalance rows in the same transaction, with one upsert that adds in the database
(`month_balances_add`), so a posting and its month rows commit or roll back together.
`month_balances_repair` rewrites wrong rows from the lines (`manage.py ledger_verify --repair`).
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from axiomatic.core.errors import AccessDeniedError, ConflictError, field_errors
from axiomatic.core.money import MAX_CENTS
from axiomatic.core.sequences import next_in_sequence
from axiomatic.ledger.chart import DEFAULT_BOOKS, DEFAULT_CHART, default_cash_flow_section
from axiomatic.ledger.errors import LedgerErrorCode
from axiomatic.ledger.models import (
    Account,
    AccountMonthBalance,
    Book,
    JournalEntry,
    JournalLine,
    JournalSequence,
    JournalSource,
    LedgerSettings,
)
from axiomatic.ledger.selectors import MonthBalanceDifference, month_balance_differences


@transaction.atomic
def entity_books_seed(*, entity) -> list[Book]:
    """Give a new entity the default chart of accounts and its default books (idempotent)."""
    if not Account.objects.filter(entity=entity).exists():
        Account.objects.bulk_create(
            Account(
                entity=entity,
                code=a.code,
                name=a.name,
                type=a.type,
                subtype=a.subtype,
                cash_flow_section=default_cash_flow_section(a.type, a.subtype),
            )
            for a in DEFAULT_CHART
        )
    if not Book.objects.filter(entity=entity).exists():
        Book.objects.bulk_create(
            Book(entity=entity, name=b.name, basis=b.basis, is_primary=b.is_primary)
            for b in DEFAULT_BOOKS
        )
    JournalSequence.objects.get_or_create(entity=entity)
    LedgerSettings.objects.get_or_create(entity=entity)
    return list(Book.objects.filter(entity=entity).order_by("id"))


# -- Lock dates -------------------------------------------------------------------------------------


def ledger_settings_lock(*, entity_id: int) -> LedgerSettings:
    """The entity's settings row, locked (`select_for_update`) until the transaction ends; made
    with its defaults first if the entity has none yet (entities older than the settings).

    Why `ignore_conflicts`: two first postings of one entity may both find no row; the second
    insert then waits for the first and does nothing, and both lock the one row."""
    rows = LedgerSettings.objects.select_for_update().filter(entity_id=entity_id)
    settings = rows.first()
    if settings is None:
        LedgerSettings.objects.bulk_create(
            [LedgerSettings(entity_id=entity_id)], ignore_conflicts=True
        )
        settings = rows.get()
    return settings


def period_locked_message(lock_date: dt.date, day: dt.date) -> str:
    """What a refused posting is told: the lock date, the entry's date, and what to do."""
    return (
        f"The ledger is locked through {lock_date.isoformat()}: nothing dated on or before it can "
        f"be posted, and this entry is dated {day.isoformat()}. Date it after "
        f"{lock_date.isoformat()}, or ask an ADMIN of the firm to move the lock date back."
    )


def period_open_check(settings: LedgerSettings, day: dt.date) -> None:
    """Refuse (409 `period_locked`) a posting dated on or before the settings' lock date. Read the
    settings under their lock (`ledger_settings_lock`) in the transaction that posts."""
    if settings.lock_date is not None and day <= settings.lock_date:
        raise ConflictError(
            period_locked_message(settings.lock_date, day), code=LedgerErrorCode.PERIOD_LOCKED
        )


def ledger_period_check(*, entity_id: int, date: dt.date) -> LedgerSettings:
    """Lock the entity's settings and refuse (409 `period_locked`) if `date` is on or before its
    lock date: for a write that dates something in the books without posting to them (an invoice
    of total 0). Postings need not call it: `JournalEntryDraft.post` does the same."""
    settings = ledger_settings_lock(entity_id=entity_id)
    period_open_check(settings, date)
    return settings


# Who may change an entity's ledger settings: `authority(user, entity) -> bool`. The rule is about
# memberships and firms, which this domain module may not import (ADR 0001), so the ledger's
# AppConfig.ready registers it (axiomatic/ledger/authority.py).
_settings_authority: list[Callable[[object, object], bool]] = []


def register_settings_authority(authority: Callable[[object, object], bool]) -> None:
    if authority not in _settings_authority:
        _settings_authority.append(authority)


def ledger_settings_may_change(*, user, entity) -> bool:
    """May `user` (a session's user, or the creator of the API key in use) change the entity's
    lock date and fiscal year? A superuser, or an ADMIN of a firm that reaches the entity."""
    return user is not None and any(rule(user, entity) for rule in _settings_authority)


ONLY_ADMINS_MOVE_LOCK_DATES = (
    "Only an ADMIN of the firm may move the ledger's lock date or change its fiscal year "
    "(an API key acts as the person who created it)."
)
UNCHANGED = object()


def _settings_problems(lock_date, fiscal_year_start_month) -> dict[str, list[str]]:
    """What is wrong with the values asked for, by the API's field names (the admin maps them)."""
    problems: dict[str, list[str]] = {}
    if lock_date is not UNCHANGED and lock_date is not None:
        today = timezone.localdate()
        if isinstance(lock_date, dt.datetime) or not isinstance(lock_date, dt.date):
            problems["lockDate"] = ["Must be a date (YYYY-MM-DD) or null."]
        elif lock_date > today:
            problems["lockDate"] = [
                f"Must not be after today ({today.isoformat()}): lock a period once it has ended."
            ]
    if fiscal_year_start_month is not UNCHANGED and (
        type(fiscal_year_start_month) is not int or not 1 <= fiscal_year_start_month <= 12
    ):
        problems["fiscalYearStartMonth"] = ["Must be a month number from 1 to 12."]
    return problems


@transaction.atomic
def ledger_settings_update(
    *,
    entity,
    by,
    lock_date: dt.date | None | object = UNCHANGED,
    fiscal_year_start_month: int | object = UNCHANGED,
) -> LedgerSettings:
    """Move the entity's lock date (None unlocks) or change its fiscal year's first month.

    `by` is who asks: only a firm ADMIN or a superuser may (`ledger_settings_may_change`). A lock
    date may not lie after today: a period is closed once it has ended, and a lock date in the
    future would refuse today's invoices and payments (ADR 0023). The row is locked first, as
    every posting locks it (see the module's docstring)."""
    settings = ledger_settings_lock(entity_id=entity.pk)
    if not ledger_settings_may_change(user=by, entity=entity):
        raise AccessDeniedError(ONLY_ADMINS_MOVE_LOCK_DATES)
    problems = _settings_problems(lock_date, fiscal_year_start_month)
    if problems:
        raise field_errors(problems)
    changed = []
    if lock_date is not UNCHANGED and lock_date != settings.lock_date:
        settings.lock_date = lock_date
        changed.append("lock_date")
    if (
        fiscal_year_start_month is not UNCHANGED
        and fiscal_year_start_month != settings.fiscal_year_start_month
    ):
        settings.fiscal_year_start_month = fiscal_year_start_month
        changed.append("fiscal_year_start_month")
    if changed:
        settings.save(update_fields=[*changed, "updated_at"])
    return settings


@dataclass(frozen=True)
class DraftLine:
    account: Account
    debit_cents: int
    credit_cents: int
    description: str = ""


class JournalEntryDraft:
    """Build an entry line by line, then post it in one transaction.

    JournalEntryDraft(book=gl, date=day, memo="Rent").debit(rent, 150000).credit(cash, 150000).post()
    """

    def __init__(
        self,
        *,
        book: Book,
        date: dt.date,
        memo: str = "",
        source: str = JournalSource.MANUAL,
        created_by=None,
    ):
        self.book = book
        self.date = date
        self.memo = memo
        self.source = source
        self.created_by = created_by
        self.lines: list[DraftLine] = []

    def debit(self, account: Account, cents: int, description: str = "") -> "JournalEntryDraft":
        return self.line(
            account=account, debit_cents=cents, credit_cents=0, description=description
        )

    def credit(self, account: Account, cents: int, description: str = "") -> "JournalEntryDraft":
        return self.line(
            account=account, debit_cents=0, credit_cents=cents, description=description
        )

    def line(
        self, *, account: Account, debit_cents: int, credit_cents: int, description: str = ""
    ) -> "JournalEntryDraft":
        self.lines.append(DraftLine(account, debit_cents, credit_cents, description))
        return self

    def validate(self) -> None:
        """Raise ApplicationError naming every problem; nothing has been written."""
        fields: dict[str, list[str]] = {}
        if len(self.lines) < 2:
            fields.setdefault("lines", []).append("A journal entry needs at least two lines.")
        for i, line in enumerate(self.lines):
            key = f"lines[{i}]"
            for side, cents in (("debit", line.debit_cents), ("credit", line.credit_cents)):
                if type(cents) is not int:
                    fields.setdefault(f"{key}.{side}", []).append(
                        "Must be an integer number of cents."
                    )
                elif cents < 0:
                    fields.setdefault(f"{key}.{side}", []).append("Must not be negative.")
                elif cents > MAX_CENTS:
                    fields.setdefault(f"{key}.{side}", []).append(f"Must be at most {MAX_CENTS}.")
            if key + ".debit" in fields or key + ".credit" in fields:
                continue
            if (line.debit_cents > 0) == (line.credit_cents > 0):
                fields.setdefault(key, []).append(
                    "A line has exactly one side: a debit or a credit greater than zero, not both."
                )
            if line.account.entity_id != self.book.entity_id:
                fields.setdefault(f"{key}.accountId", []).append(
                    "No such account in this entity's chart of accounts."
                )
            elif not line.account.is_active:
                fields.setdefault(f"{key}.accountId", []).append("This account is inactive.")
        if fields:
            raise field_errors(fields)
        debits = sum(line.debit_cents for line in self.lines)
        credits = sum(line.credit_cents for line in self.lines)
        if debits != credits:
            message = f"The entry does not balance: debits {debits} != credits {credits} (cents)."
            raise field_errors({"lines": [message]}, code=LedgerErrorCode.UNBALANCED_ENTRY)

    @transaction.atomic
    def post(self) -> JournalEntry:
        # Lock, then check: the lock date is read under the settings row's lock, which a move of
        # the lock date takes too (ledger_settings_update), so neither can slip past the other.
        settings = ledger_settings_lock(entity_id=self.book.entity_id)
        self.validate()
        period_open_check(settings, self.date)
        entry = JournalEntry.objects.create(
            entity_id=self.book.entity_id,
            book=self.book,
            number=next_in_sequence(
                JournalSequence, field="last_number", entity_id=self.book.entity_id
            ),
            date=self.date,
            memo=self.memo,
            source=self.source,
            created_by=self.created_by,
        )
        JournalLine.objects.bulk_create(
            JournalLine(
                entry=entry,
                book=self.book,
                date=self.date,
                account=line.account,
                debit_cents=line.debit_cents,
                credit_cents=line.credit_cents,
                description=line.description,
            )
            for line in self.lines
        )
        totals: dict[int, tuple[int, int]] = {}
        for line in self.lines:
            debit, credit = totals.get(line.account.pk, (0, 0))
            totals[line.account.pk] = (debit + line.debit_cents, credit + line.credit_cents)
        month_balances_add(book_id=self.book.pk, month=self.date.replace(day=1), totals=totals)
        return entry


def month_balances_add(
    *, book_id: int, month: dt.date, totals: Mapping[int, tuple[int, int]]
) -> None:
    """Add `totals` ({account_id: (debit_cents, credit_cents)}) into the book's AccountMonthBalance
    rows of `month` (its first day), making the rows that do not exist yet. Call it inside the
    transaction that writes the lines (`JournalEntryDraft.post` does).

    Why one `INSERT ... ON CONFLICT DO UPDATE SET x = x + EXCLUDED.x` rather than reading the row and
    saving it: the addition happens in the database under the row's lock, so concurrent postings to
    one account and month each add their own amounts and none is lost, and the first postings of a
    month cannot both insert (the second waits on the unique index, then adds). Postings of one
    entity also queue on its settings row, but the rows do not rely on that. Why raw SQL: Django's
    `bulk_create(update_conflicts=True)` overwrites the row with the new values instead of adding.
    Rows go in account order, so two postings lock shared rows in the same order. SQLite (3.24+)
    and PostgreSQL both speak this upsert.
    """
    rows = sorted(totals.items())
    if not rows:
        return
    table = connection.ops.quote_name(AccountMonthBalance._meta.db_table)
    day = connection.ops.adapt_datefield_value(month)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [p for account_id, (d, c) in rows for p in (book_id, day, account_id, d, c)]
    # Only our table's name and the placeholders are formatted in; the values go as parameters.
    sql = (
        f"INSERT INTO {table} (book_id, month, account_id, debit_cents, credit_cents) "  # noqa: S608
        f"VALUES {values} ON CONFLICT (book_id, month, account_id) DO UPDATE SET "
        f"debit_cents = {table}.debit_cents + EXCLUDED.debit_cents, "
        f"credit_cents = {table}.credit_cents + EXCLUDED.credit_cents"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def journal_entry_post(
    *,
    entity,
    book_id: str,
    date: dt.date,
    memo: str = "",
    lines: Iterable[Mapping],
    created_by=None,
    source: str = JournalSource.MANUAL,
) -> JournalEntry:
    """Post an entry given public ids, as the API receives it.

    The book and every account are looked up within `entity`: an id that is unknown and an id of another
    entity get the same answer.
    """
    lines = list(lines)
    book = Book.objects.filter(entity=entity, public_id=book_id).first()
    if book is None:
        raise field_errors({"bookId": ["No such book for this entity."]})
    wanted = {line["account_id"] for line in lines}
    accounts = {a.public_id: a for a in Account.objects.filter(entity=entity, public_id__in=wanted)}
    missing = {
        f"lines[{i}].accountId": ["No such account in this entity's chart of accounts."]
        for i, line in enumerate(lines)
        if line["account_id"] not in accounts
    }
    if missing:
        raise field_errors(missing)
    draft = JournalEntryDraft(book=book, date=date, memo=memo, source=source, created_by=created_by)
    for line in lines:
        draft.line(
            account=accounts[line["account_id"]],
            debit_cents=line.get("debit", 0),
            credit_cents=line.get("credit", 0),
            description=line.get("description", ""),
        )
    return draft.post()


def journal_entry_reverse(
    *, entry: JournalEntry, date: dt.date, memo: str, source: str, created_by=None
) -> JournalEntry:
    """Post the mirror of `entry` (every debit a credit and back) on `date`, in its book: how a
    void undoes a posting without rewriting a posted period."""
    draft = JournalEntryDraft(
        book=entry.book, date=date, memo=memo, source=source, created_by=created_by
    )
    for line in entry.lines.select_related("account").order_by("id"):
        draft.line(
            account=line.account,
            debit_cents=line.credit_cents,
            credit_cents=line.debit_cents,
            description=memo,
        )
    return draft.post()


@transaction.atomic
def month_balances_repair(*, book: Book) -> list[MonthBalanceDifference]:
    """Rewrite the book's AccountMonthBalance rows that disagree with its lines (a row with no
    lines behind it is deleted); returns what was wrong, as `month_balance_differences` found it.

    Lock, then check: the entity's settings row is locked first, as every posting locks it, so no
    posting of the entity commits between the recount and the rewrite (its amounts would be lost
    under a count that missed them). Postings of the entity wait until this book is done."""
    ledger_settings_lock(entity_id=book.entity_id)
    differences = month_balance_differences(book=book)
    for difference in differences:
        row = {"book": book, "account": difference.account, "month": difference.month}
        if difference.recomputed == (0, 0):
            AccountMonthBalance.objects.filter(**row).delete()
        else:
            debit, credit = difference.recomputed
            AccountMonthBalance.objects.update_or_create(
                **row, defaults={"debit_cents": debit, "credit_cents": credit}
            )
    return differences
