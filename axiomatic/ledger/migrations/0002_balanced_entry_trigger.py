"""On PostgreSQL, a deferred constraint trigger re-checks every journal entry at commit.

The posting service already refuses unbalanced entries; this is the backstop for anything that writes
around it (a raw SQL fix, a bug, a future import path). At commit, every entry whose lines were
inserted, updated or deleted in the transaction must still exist with two or more lines whose debits
equal their credits, each on an account of the entry's entity; otherwise the commit fails.
SQLite has no deferred triggers: there the service and the per-line check constraint hold the line.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    target_entry bigint;
    entry_entity bigint;
    line_count bigint;
    total_debit numeric;
    total_credit numeric;
    foreign_lines bigint;
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

    SELECT entity_id INTO entry_entity FROM ledger_journalentry WHERE id = target_entry;
    IF NOT FOUND THEN
        RETURN NULL;  -- the entry itself was deleted in this transaction
    END IF;

    SELECT count(*), coalesce(sum(l.debit_cents), 0), coalesce(sum(l.credit_cents), 0),
           count(*) FILTER (WHERE a.entity_id <> entry_entity)
      INTO line_count, total_debit, total_credit, foreign_lines
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
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
CREATE CONSTRAINT TRIGGER ledger_journalline_balanced
    AFTER INSERT OR UPDATE OR DELETE ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

DROP TRIGGER IF EXISTS ledger_journalentry_has_lines ON ledger_journalentry;
CREATE CONSTRAINT TRIGGER ledger_journalentry_has_lines
    AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_journalentry_has_lines ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_journalline_balanced ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Why a bare cursor: without parameters the driver leaves RAISE's '%' placeholders alone.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
