"""Journal lines get a copy of their entry's book and date (nullable until 0004 fills them)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_balanced_entry_trigger")]

    operations = [
        migrations.AddField(
            model_name="journalline",
            name="book",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.book",
            ),
        ),
        migrations.AddField(
            model_name="journalline",
            name="date",
            field=models.DateField(null=True),
        ),
    ]
