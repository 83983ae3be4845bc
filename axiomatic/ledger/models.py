"""The double-entry ledger.

Design overview
---------------
An entity has one chart of Accounts (asset, liability, equity, revenue, expense) and several Books
that share it: a primary accrual "General Ledger" and a "Tax" book, for instance. A JournalEntry is
posted to one book on one date and has two or more JournalLines. Each line is one positive amount on
one side (debit or credit) of one account of the entry's entity, and an entry's debits equal its
credits. That is what makes the books balance: the sum of all debits always equals the sum of all
credits, so a trial balance always agrees.

The rules are enforced twice. The posting service (`services.JournalEntryDraft`) checks them before it
writes, and the database keeps the backstop: a named check constraint says each line has exactly one
positive side, and on PostgreSQL a deferred constraint trigger re-checks at commit that every entry
touched by the transaction has at least two lines and balances (migration 0002).

Balances are SQL aggregates, never Python loops (`selectors.account_balances`). The posting service
adds every entry's debits and credits per account into AccountMonthBalance (book, account, month),
in the posting's own transaction and by an upsert that adds in the database, so reversals and
concurrent postings are counted like any posting. A statement reads the whole months of its range
from those rows and only the partial months at either end from the lines: its cost follows
accounts x months, not the number of lines (docs/adr/0028). The lines stay the record:
`manage.py ledger_verify` recomputes the months from them and reports (or `--repair`s) any
difference. Each line carries a copy of its entry's book and date so the lines' aggregates need no
join; the trigger checks the copies too.

An entity's LedgerSettings hold its lock date (nothing is posted on or before it: invoices, payments
and voids included) and the month its fiscal year starts. The posting service checks the lock date
under the settings row's lock; on PostgreSQL a trigger refuses any write around it (migration 0008,
docs/adr/0023). Closing a period is an ordinary step of an accountant's month: once the books of
March are reviewed and reported, the lock date moves to March 31 so nobody changes what was
reported; a correction is then a new entry dated after the lock date.

Journal entries carry a human number, JE-000001, per entity and without gaps: the counter row in
JournalSequence is incremented under its row lock inside the posting transaction, so a rollback
gives the number back.
"""

from django.db import models

from axiomatic.core.history import tracked_history
from axiomatic.core.models import PublicIdField, TimeStampedModel


class LedgerSettings(TimeStampedModel):
    """An entity's ledger settings (GET/PATCH /api/ledger/settings)."""

    entity = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="ledger_settings"
    )
    lock_date = models.DateField(
        "lock date",
        null=True,
        blank=True,
        help_text="Nothing is posted on or before this day: journal entries, invoices, payments "
        "and voids alike.",
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        "fiscal year starts in month", default=1, help_text="1 (January) to 12 (December)."
    )

    # Who moved the lock date, when, from what to what: the first question of an auditor.
    history = tracked_history()

    class Meta:
        verbose_name_plural = "ledger settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="ledgersettings_month_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"Ledger settings of {self.entity}"


class AccountType(models.TextChoices):
    ASSET = "asset", "Asset"
    LIABILITY = "liability", "Liability"
    EQUITY = "equity", "Equity"
    REVENUE = "revenue", "Revenue"
    EXPENSE = "expense", "Expense"


# Debit-normal types grow with debits; the others with credits.
DEBIT_NORMAL_TYPES = frozenset({AccountType.ASSET, AccountType.EXPENSE})


class BookBasis(models.TextChoices):
    ACCRUAL = "accrual", "Accrual"
    CASH = "cash", "Cash"


class Book(TimeStampedModel):
    public_id = PublicIdField(prefix="bk")
    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="books")
    name = models.CharField(max_length=100)
    basis = models.CharField(max_length=10, choices=BookBasis.choices, default=BookBasis.ACCRUAL)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="book_entity_name_unique"),
            models.UniqueConstraint(
                fields=["entity"],
                condition=models.Q(is_primary=True),
                name="book_one_primary_per_entity",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CashFlowSection(models.TextChoices):
    """Where an account's movements show in the cash-flow statement (indirect method)."""

    CASH = "cash", "Cash and cash equivalents"
    NET_INCOME = "net_income", "Net income (revenue and expenses)"
    NON_CASH = "non_cash", "Operating: adjustment for non-cash items"
    WORKING_CAPITAL = "working_capital", "Operating: change in working capital"
    INVESTING = "investing", "Investing activities"
    FINANCING = "financing", "Financing activities"


class Account(TimeStampedModel):
    public_id = PublicIdField(prefix="acct")
    entity = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="accounts")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    # The account's role, apart from its code: reports group by type and subtype, never by code.
    subtype = models.CharField(max_length=40)
    # The cash-flow statement's section for this account (chart.default_cash_flow_section).
    cash_flow_section = models.CharField(
        max_length=20, choices=CashFlowSection.choices, default=CashFlowSection.WORKING_CAPITAL
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="account_entity_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class JournalSource(models.TextChoices):
    MANUAL = "manual", "Manual"
    INVOICE = "invoice", "Invoice"
    PAYMENT = "payment", "Payment"
    IMPORT = "import", "Import"


class JournalSequence(models.Model):
    """The last journal number used by an entity. Locked and bumped inside each posting."""

    entity = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="journal_sequence"
    )
    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"JE-{self.last_number:06d} last used"


class JournalEntry(models.Model):
    public_id = PublicIdField(prefix="je")
    # The entity is the book's; it is kept on the row for numbering and scoped look-ups.
    entity = models.ForeignKey(
        "entities.Entity", on_delete=models.PROTECT, related_name="journal_entries"
    )
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="journal_entries")
    number = models.PositiveBigIntegerField()
    date = models.DateField()
    memo = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=10, choices=JournalSource.choices, default=JournalSource.MANUAL
    )
    created_by = models.ForeignKey(
        "entities.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "journal entries"
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], name="journalentry_entity_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["book", "date", "id"], name="journalentry_book_date")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"JE-{self.number:06d}"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit_cents = models.BigIntegerField(default=0)
    credit_cents = models.BigIntegerField(default=0)
    description = models.CharField(max_length=500, blank=True)
    # Copies of the entry's book and date, written with the line by the posting service (posted
    # entries are never edited) and checked against the entry by the PostgreSQL trigger. Why:
    # balances then aggregate the lines alone, without joining a million lines to their entries
    # (0.1-0.2 s instead of 0.35-0.4 s on the benchmark's 1M-line book; see README "Performance").
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+", db_index=False)
    date = models.DateField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(debit_cents__gt=0, credit_cents=0)
                    | models.Q(debit_cents=0, credit_cents__gt=0)
                ),
                name="journalline_exactly_one_positive_side",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "entry"], name="journalline_account_entry"),
            models.Index(fields=["book", "date"], name="journalline_book_date"),
        ]

    def __str__(self) -> str:
        side = "Dr" if self.debit_cents else "Cr"
        return f"{side} {self.account_id} {self.debit_cents or self.credit_cents}"


class AccountMonthBalance(models.Model):
    """The debits and credits of one account in one book over one calendar month (`month` is the
    first day), kept by the posting service in the transaction of every posting and reversal.

    Statements add whole months from here to the lines of the partial months at either end
    (`selectors.account_balances`), so their cost follows accounts x months, not lines.
    `manage.py ledger_verify` recomputes every row from the lines and reports any difference.
    """

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    debit_cents = models.BigIntegerField(default=0)
    credit_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["book", "month", "account"], name="accountmonthbalance_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(debit_cents__gte=0) & models.Q(credit_cents__gte=0),
                name="accountmonthbalance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}: Dr {self.debit_cents} Cr {self.credit_cents}"
