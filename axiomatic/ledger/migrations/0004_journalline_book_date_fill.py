"""Fill each existing line's book and date from its entry (its own transaction, before 0005).

Why a migration of its own: on PostgreSQL the UPDATE queues the deferred balance trigger for every
line, and a table with pending trigger events cannot be altered in the same transaction; 0005 makes
the columns NOT NULL after this one has committed.
"""

from django.db import migrations

FILL = """
UPDATE ledger_journalline
   SET book_id = (SELECT e.book_id FROM ledger_journalentry e WHERE e.id = ledger_journalline.entry_id),
       date = (SELECT e.date FROM ledger_journalentry e WHERE e.id = ledger_journalline.entry_id)
 WHERE book_id IS NULL OR date IS NULL
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_journalline_book_date")]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
