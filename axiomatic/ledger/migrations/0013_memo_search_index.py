from django.db import migrations

from axiomatic.core.search_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_monthly_balances_backfill")]

    operations = [
        trigram_index(table="ledger_journalentry", column="memo", name="journalentry_memo_trgm"),
    ]
