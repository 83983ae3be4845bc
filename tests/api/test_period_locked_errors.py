"""A lock-date trigger's refusal is an answer, not a crash: any IntegrityError naming a constraint
that ends in `_period_locked` (the ledger's, practice's time entries') is a 409 `period_locked`
in the one error shape, with the trigger's message; any other IntegrityError stays a 500."""

import datetime as dt

import pytest
from django.db import IntegrityError
from django.test import Client
from rest_framework.response import Response

from axiomatic.api.exceptions import api_exception_handler
from axiomatic.ledger import services as ledger_services
from axiomatic.ledger.errors import LedgerErrorCode
from axiomatic.ledger.models import JournalEntry, LedgerSettings
from practice.errors import PracticeErrorCode
from tests.helpers import api, assert_error, db_fingerprint, requires_postgres
from tests.ledger.test_ledger_api import ENTRIES, entry_body

pytestmark = pytest.mark.django_db


class _Diag:
    def __init__(self, constraint_name, message_primary):
        self.constraint_name = constraint_name
        self.message_primary = message_primary


class _DriverError(Exception):
    """Stands for psycopg's error, which Django's IntegrityError wraps as its __cause__."""

    def __init__(self, constraint_name, message="The time is locked through 2026-03-31: ..."):
        super().__init__(message)
        self.diag = _Diag(constraint_name, message)


def _integrity_error(cause: Exception | None) -> IntegrityError:
    """Django's IntegrityError as the database wrapper raises it: the driver's error as cause."""
    error = IntegrityError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize("constraint", ["practice_time_period_locked", "ledger_period_locked"])
def test_a_period_locked_constraint_is_a_409_with_the_triggers_message(constraint):
    message = "The time is locked through 2026-03-31: date the entry after it."
    response = api_exception_handler(_integrity_error(_DriverError(constraint, message)), {})
    assert isinstance(response, Response) and response.status_code == 409
    # Outside a request there is no request id (over HTTP it is the Request-Id: assert_error).
    assert response.data == {
        "error": {"code": "period_locked", "message": message, "fields": {}, "requestId": None}
    }
    assert LedgerErrorCode.PERIOD_LOCKED == PracticeErrorCode.PERIOD_LOCKED == "period_locked"


@pytest.mark.parametrize(
    "cause",
    [
        _DriverError("invoiceline_time_entry_live_unique"),
        _DriverError("period_locked_but_not_a_suffix"),
        _DriverError(None),
        None,  # SQLite's errors carry no diagnostics
    ],
)
def test_any_other_integrity_error_is_left_to_the_500(cause):
    assert api_exception_handler(_integrity_error(cause), {}) is None


@requires_postgres
def test_the_trigger_behind_a_service_that_forgot_the_check_answers_409_not_500(alice, monkeypatch):
    """Over HTTP, on PostgreSQL: with the service's own check taken away, the posting reaches the
    trigger, and the caller still gets 409 `period_locked` naming the date, with nothing written."""
    LedgerSettings.objects.filter(entity=alice.firm).update(lock_date=dt.date(2026, 3, 31))
    monkeypatch.setattr(ledger_services, "period_open_check", lambda settings, day: None)
    before = db_fingerprint()
    error = api(alice).post(
        ENTRIES, entry_body(alice, date="2026-03-15"), status=409, code="period_locked"
    )
    assert "locked through 2026-03-31" in error["message"]
    assert "2026-03-15" in error["message"]
    assert db_fingerprint() == before
    assert not JournalEntry.objects.filter(entity=alice.firm).exists()


def test_an_ordinary_integrity_error_in_a_view_is_still_the_json_500(alice, monkeypatch):
    def broken(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(ledger_services, "journal_entry_post", broken)
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {alice.key}"})
    response = client.post(ENTRIES, entry_body(alice), content_type="application/json")
    assert_error(response, 500, "internal_error")
