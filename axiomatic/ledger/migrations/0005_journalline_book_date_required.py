"""Lines' book and date become required and indexed; the PostgreSQL trigger checks the copies.

The trigger function of 0002 gains one rule: every line of an entry carries the entry's book and
date. The entry-side trigger now also fires when an entry's book or date is updated, so a raw SQL
edit of an entry cannot leave its lines' copies behind.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

PREVIOUS = importlib.import_module("axiomatic.ledger.migrations.0002_balanced_entry_trigger")

CREATE = r"""
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    target_entry bigint;
    entry_entity bigint;
    entry_book bigint;
    entry_date date;
    line_count bigint;
    total_debit numeric;
    total_credit numeric;
    foreign_lines bigint;
    stale_copies bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_journalline' THEN
        IF TG_OP = 'DELETE' THEN
            target_entry := OLD.entry_id;
        ELSE
            target_entry := NEW.entry_id;
        END IF;
    ELSE
        target_entry := NEW.id;
    END IF;

    SELECT entity_id, book_id, date INTO entry_entity, entry_book, entry_date
      FROM ledger_journalentry WHERE id = target_entry;
    IF NOT FOUND THEN
        RETURN NULL;  -- the entry itself was deleted in this transaction
    END IF;

    SELECT count(*), coalesce(sum(l.debit_cents), 0), coalesce(sum(l.credit_cents), 0),
           count(*) FILTER (WHERE a.entity_id <> entry_entity),
           count(*) FILTER (WHERE l.book_id IS DISTINCT FROM entry_book
                               OR l.date IS DISTINCT FROM entry_date)
      INTO line_count, total_debit, total_credit, foreign_lines, stale_copies
      FROM ledger_journalline l JOIN ledger_account a ON a.id = l.account_id
     WHERE l.entry_id = target_entry;

    IF line_count < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s); at least two are required', target_entry, line_count
            USING ERRCODE = 'check_violation';
    END IF;
    IF total_debit <> total_credit THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits % <> credits %', target_entry, total_debit, total_credit
            USING ERRCODE = 'check_violation';
    END IF;
    IF foreign_lines > 0 THEN
        RAISE EXCEPTION 'journal entry % has lines on accounts of another entity', target_entry
            USING ERRCODE = 'check_violation';
    END IF;
    IF stale_copies > 0 THEN
        RAISE EXCEPTION 'journal entry % has lines whose book or date differ from the entry''s', target_entry
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_journalentry_has_lines ON ledger_journalentry;
CREATE CONSTRAINT TRIGGER ledger_journalentry_has_lines
    AFTER INSERT OR UPDATE OF book_id, date ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
"""


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_journalline_book_date_fill")]

    operations = [
        migrations.AlterField(
            model_name="journalline",
            name="book",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="ledger.book",
            ),
        ),
        migrations.AlterField(
            model_name="journalline",
            name="date",
            field=models.DateField(),
        ),
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(fields=["book", "date"], name="journalline_book_date"),
        ),
        migrations.RunPython(
            PREVIOUS._on_postgresql(CREATE), PREVIOUS._on_postgresql(PREVIOUS.CREATE)
        ),
    ]
