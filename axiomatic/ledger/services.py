"""Ledger writes: seeding a chart and books, and posting journal entries.

Everything that writes to the ledger goes through here. Posting is one transaction: allocate the next
journal number under the sequence row's lock, insert the entry and its lines. The rules are checked
before anything is written, and the database re-checks them (see models.py).
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction

from axiomatic.core.errors import field_errors
from axiomatic.core.money import MAX_CENTS
from axiomatic.core.sequences import next_in_sequence
from axiomatic.ledger.chart import DEFAULT_BOOKS, DEFAULT_CHART
from axiomatic.ledger.errors import LedgerErrorCode
from axiomatic.ledger.models import (
    Account,
    Book,
    JournalEntry,
    JournalLine,
    JournalSequence,
    JournalSource,
)


@transaction.atomic
def entity_books_seed(*, entity) -> list[Book]:
    """Give a new entity the default chart of accounts and its default books (idempotent)."""
    if not Account.objects.filter(entity=entity).exists():
        Account.objects.bulk_create(
            Account(entity=entity, code=a.code, name=a.name, type=a.type, subtype=a.subtype)
            for a in DEFAULT_CHART
        )
    if not Book.objects.filter(entity=entity).exists():
        Book.objects.bulk_create(
            Book(entity=entity, name=b.name, basis=b.basis, is_primary=b.is_primary)
            for b in DEFAULT_BOOKS
        )
    JournalSequence.objects.get_or_create(entity=entity)
    return list(Book.objects.filter(entity=entity).order_by("id"))


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
        self.validate()
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
        return entry


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
