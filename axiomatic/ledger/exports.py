"""What a firm's export holds of the ledger: the journal entries and lines of the firm's books
and of the books it keeps for the clients it reaches."""

from axiomatic.core.exports import Table, columns
from axiomatic.ledger.models import JournalEntry, JournalLine

TABLES = (
    Table(
        "journal_entries",
        columns(
            ("id", "public_id"),
            ("entity_id", "entity__public_id"),
            ("book_id", "book__public_id"),
            ("book_name", "book__name"),
            "number",
            "date",
            "memo",
            "source",
            ("created_by_user_id", "created_by__public_id"),
            "created_at",
        ),
        lambda scope: JournalEntry.objects.filter(entity__in=scope.entity_ids).order_by("id"),
    ),
    Table(
        "journal_lines",
        columns(
            ("journal_entry_id", "entry__public_id"),
            ("account_id", "account__public_id"),
            ("account_code", "account__code"),
            ("account_name", "account__name"),
            "debit_cents",
            "credit_cents",
            "description",
        ),
        lambda scope: JournalLine.objects.filter(entry__entity__in=scope.entity_ids).order_by(
            "entry_id", "id"
        ),
    ),
)
