"""Check the monthly balances against the journal lines they summarise.

    python manage.py ledger_verify [--entity ent_...] [--repair]

Every (book, account, month) is recomputed from the lines and compared with its AccountMonthBalance
row. Each difference is printed on standard output (entity, book, account, month, stored and
recomputed debits and credits), then a summary; progress, one line per book, goes to standard error.
Exit status 0 when everything agrees, 1 when something differs. With --repair the wrong rows are
rewritten from the lines, one transaction per book holding the entity's posting lock (postings of
that entity wait meanwhile), and the exit status is 0 once they are.
"""

from django.core.management.base import BaseCommand, CommandError

from axiomatic.core.money import format_money
from axiomatic.ledger.selectors import (
    MonthBalanceDifference,
    month_balance_differences,
    verified_books,
)
from axiomatic.ledger.services import month_balances_repair


class Command(BaseCommand):
    help = (
        "Recompute every monthly balance (book, account, month) from the journal lines and report "
        "each difference; exit status 1 if any. --repair rewrites the wrong rows."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--entity", metavar="ent_...", help="Check only this entity's books (its id, ent_...)."
        )
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Rewrite the rows that differ from the lines (one transaction per book).",
        )

    def handle(self, *args, entity: str | None, repair: bool, **options):
        if entity is not None and not entity.startswith("ent_"):
            raise CommandError(
                f"--entity takes an entity id such as ent_4f9c... (the API's entityId), not "
                f"{entity!r}. Leave --entity out to check every entity."
            )
        books = verified_books(entity_public_id=entity)
        if entity is not None and not books:
            raise CommandError(
                f"No books for entity {entity}: check the id (the API's entityId), or leave "
                f"--entity out to check every entity."
            )
        found = 0
        for number, book in enumerate(books, 1):
            where = f"{book.entity.name} ({book.entity.public_id}), {book.name} ({book.public_id})"
            self.stderr.write(f"[{number}/{len(books)}] {where}...")
            check = month_balances_repair if repair else month_balance_differences
            differences = check(book=book)
            for difference in differences:
                self.stdout.write(self._line(book, difference))
            found += len(differences)
        entities = len({book.entity_id for book in books})
        checked = (
            f"Checked {_count(len(books), 'book')} of {_count(entities, 'entity', 'entities')}"
        )
        balances = _count(found, "monthly balance")
        if not found:
            self.stdout.write(f"{checked}: every monthly balance agrees with its lines.")
        elif repair:
            self.stdout.write(f"{checked}: rewrote {balances} from the lines.")
        else:
            differ = "differs" if found == 1 else "differ"
            self.stdout.write(f"{checked}: {balances} {differ} from the lines.")
            raise CommandError(
                f"{balances} {differ} from the journal lines. The lines are the "
                "record: run `manage.py ledger_verify --repair` (with the same --entity, if any) to "
                "rewrite those rows from them, then run ledger_verify again to confirm.",
                returncode=1,
            )

    @staticmethod
    def _line(book, difference: MonthBalanceDifference) -> str:
        currency = book.entity.currency
        stored, recomputed = (
            f"Dr {format_money(debit, currency)} Cr {format_money(credit, currency)}"
            for debit, credit in (difference.stored, difference.recomputed)
        )
        month = difference.month
        # A row dated on another day than the 1st is wrong in itself: show the whole date.
        shown = f"{month:%Y-%m}" if month.day == 1 else f"{month.isoformat()} (not a 1st)"
        return (
            f"{book.entity.public_id} {book.public_id} ({book.name}) account "
            f"{difference.account.code} {difference.account.name} {shown}: "
            f"stored {stored}, recomputed {recomputed}"
        )


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
