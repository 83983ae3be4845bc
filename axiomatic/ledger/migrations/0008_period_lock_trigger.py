"""On PostgreSQL, triggers refuse any write to a journal entry or line in a locked period.

The posting service already refuses entries dated on or before the entity's lock date (under the
lock of its LedgerSettings row); this is the backstop for anything that writes around it: an ORM
`create` or `bulk_create`, raw SQL, an update or delete of a posted row. Each row written, inserted
or deleted (its old date and its new one) must lie after the lock date of the entity it belongs to
(an entry's `entity_id`, a line's book's entity). A refusal is a `check_violation` naming the
constraint `ledger_period_locked`, which the API answers as 409 `period_locked` (ADR 0023).

One change is let through: an UPDATE that changes nothing but `created_by_id` (Django's SET_NULL when
the author's user is deleted). It rewrites who, not what: the books read the same.
SQLite has no procedural triggers of this kind: there the posting service holds the line alone.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION ledger_refuse_locked_day(target_entity bigint, day date, what text)
RETURNS void AS $$
DECLARE
    locked_through date;
BEGIN
    SELECT lock_date INTO locked_through FROM ledger_ledgersettings WHERE entity_id = target_entity;
    IF locked_through IS NOT NULL AND day <= locked_through THEN
        RAISE EXCEPTION USING
            ERRCODE = 'check_violation',
            CONSTRAINT = 'ledger_period_locked',
            MESSAGE = format(
                'The ledger is locked through %s: a %s dated %s cannot be written. Move the lock '
                'date back, or date the entry after %s.',
                to_char(locked_through, 'YYYY-MM-DD'), what, to_char(day, 'YYYY-MM-DD'),
                to_char(locked_through, 'YYYY-MM-DD'));
    END IF;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_check_period_open() RETURNS trigger AS $$
DECLARE
    what text;
    old_entity bigint;
    new_entity bigint;
BEGIN
    IF TG_OP = 'UPDATE'
       AND (to_jsonb(OLD) - 'created_by_id') = (to_jsonb(NEW) - 'created_by_id') THEN
        RETURN NEW;  -- the author's reference cleared (or nothing changed): the books read the same
    END IF;
    IF TG_TABLE_NAME = 'ledger_journalentry' THEN
        what := 'journal entry';
        IF TG_OP <> 'INSERT' THEN old_entity := OLD.entity_id; END IF;
        IF TG_OP <> 'DELETE' THEN new_entity := NEW.entity_id; END IF;
    ELSE
        what := 'journal line';
        IF TG_OP <> 'INSERT' THEN
            SELECT entity_id INTO old_entity FROM ledger_book WHERE id = OLD.book_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT entity_id INTO new_entity FROM ledger_book WHERE id = NEW.book_id;
        END IF;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM ledger_refuse_locked_day(old_entity, OLD.date, what);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        PERFORM ledger_refuse_locked_day(new_entity, NEW.date, what);
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS ledger_journalentry_period_open ON ledger_journalentry;
CREATE TRIGGER ledger_journalentry_period_open
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_check_period_open();

DROP TRIGGER IF EXISTS ledger_journalline_period_open ON ledger_journalline;
CREATE TRIGGER ledger_journalline_period_open
    BEFORE INSERT OR UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_check_period_open();
"""

DROP = """
DROP TRIGGER IF EXISTS ledger_journalline_period_open ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_journalentry_period_open ON ledger_journalentry;
DROP FUNCTION IF EXISTS ledger_check_period_open();
DROP FUNCTION IF EXISTS ledger_refuse_locked_day(bigint, date, text);
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Why a bare cursor: without parameters the driver leaves format()'s '%s' alone.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_ledger_settings")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
