"""On PostgreSQL, a trigger keeps time dated on or before the firm's time lock date as it is.

The time entry service refuses to log, change or delete locked time (409 `period_locked`); this is
the backstop for anything that writes around it (a raw SQL fix, a bug, a future import path).
Before each insert, update or delete of a time entry, the row's date (the old one and the new one)
is compared with its firm's `practice_firmprofile.time_lock_date`; on or before it, the statement
fails with a check violation named `practice_time_period_locked` (the API answers it with 409).

An update is refused only when it changes what the entry says about the work and its price: date,
hours, billable, rate, amount, client or description. Billing's marks (billed, unbilled), approvals
and the references set to null when an engagement, task or user goes away still reach locked time.
SQLite has no such trigger: there the service holds the line.
"""

from django.db import migrations

CREATE = r"""
CREATE OR REPLACE FUNCTION practice_time_period_locked() RETURNS trigger AS $$
DECLARE
    lock_date date;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.date IS NOT DISTINCT FROM OLD.date
           AND NEW.hours IS NOT DISTINCT FROM OLD.hours
           AND NEW.billable IS NOT DISTINCT FROM OLD.billable
           AND NEW.rate_cents IS NOT DISTINCT FROM OLD.rate_cents
           AND NEW.amount_cents IS NOT DISTINCT FROM OLD.amount_cents
           AND NEW.client_id IS NOT DISTINCT FROM OLD.client_id
           AND NEW.description IS NOT DISTINCT FROM OLD.description THEN
            RETURN NEW;
        END IF;
    END IF;

    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT time_lock_date INTO lock_date FROM practice_firmprofile WHERE firm_id = OLD.firm_id;
        IF lock_date IS NOT NULL AND OLD.date <= lock_date THEN
            RAISE EXCEPTION 'time entry % is dated %, on or before the time lock date %',
                OLD.public_id, OLD.date, lock_date
                USING ERRCODE = 'check_violation', CONSTRAINT = 'practice_time_period_locked';
        END IF;
    END IF;

    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT time_lock_date INTO lock_date FROM practice_firmprofile WHERE firm_id = NEW.firm_id;
        IF lock_date IS NOT NULL AND NEW.date <= lock_date THEN
            RAISE EXCEPTION 'time dated % is on or before the time lock date %', NEW.date, lock_date
                USING ERRCODE = 'check_violation', CONSTRAINT = 'practice_time_period_locked';
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS practice_timeentry_period_locked ON practice_timeentry;
CREATE TRIGGER practice_timeentry_period_locked
    BEFORE INSERT OR UPDATE OR DELETE ON practice_timeentry
    FOR EACH ROW EXECUTE FUNCTION practice_time_period_locked();
"""

DROP = """
DROP TRIGGER IF EXISTS practice_timeentry_period_locked ON practice_timeentry;
DROP FUNCTION IF EXISTS practice_time_period_locked();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            # Why a bare cursor: without parameters the driver leaves RAISE's '%' placeholders alone.
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("practice", "0004_practice_depth")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
