from django.db import migrations

from axiomatic.core.search_indexes import trigram_index


class Migration(migrations.Migration):
    dependencies = [("practice", "0007_unbilled_by_client_index")]

    operations = [
        trigram_index(
            table="practice_timeentry", column="description", name="timeentry_description_trgm"
        ),
    ]
