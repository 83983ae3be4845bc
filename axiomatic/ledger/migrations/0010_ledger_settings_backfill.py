"""Every entity gets its LedgerSettings row (lock date none, fiscal year from January).

New entities get theirs when their books are seeded; this gives one to the entities made before,
so their settings can be opened in the admin. (Postings still make a missing row on the spot.)
"""

from django.db import migrations


def backfill(apps, schema_editor):
    Entity = apps.get_model("entities", "Entity")
    LedgerSettings = apps.get_model("ledger", "LedgerSettings")
    missing = Entity.objects.filter(ledger_settings__isnull=True).values_list("pk", flat=True)
    LedgerSettings.objects.bulk_create(
        (LedgerSettings(entity_id=pk) for pk in missing.iterator()),
        batch_size=1000,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0009_ledger_settings_history"), ("entities", "0002_change_history")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
