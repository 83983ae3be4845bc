"""Who may write: a firm whose partner enrollment is not active writes nothing, on every endpoint,
its own entity included (403 `partner_program_required`), and still reads; a client user's
session reads its own entity's ledger and statements and writes nothing (403)."""

from dataclasses import fields

import pytest
from rest_framework.test import APIClient

from axiomatic.entities.models import EnrollmentStatus, PartnerEnrollment, Role
from tests.api.test_authorization_matrix import (  # noqa: F401 (fixtures)
    ROWS,
    Ids,
    _loopback_webhooks,
    callers,
)
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

WRITES = [row for row in ROWS if row.write]
READS = [row for row in ROWS if not row.write]


def _suspend(firm_public_id: str) -> None:
    PartnerEnrollment.objects.filter(firm__public_id=firm_public_id).update(
        status=EnrollmentStatus.SUSPENDED
    )


@pytest.mark.parametrize("row", WRITES, ids=lambda r: f"{r.method} {r.route}")
def test_a_suspended_firm_writes_nothing_anywhere(row, callers):  # noqa: F811
    clients, ids_a, _ = callers
    _suspend(ids_a.firm)
    before = db_fingerprint()
    response = row.build(ids_a).send(clients["admin"])
    assert_error(response, 403, "partner_program_required")
    assert db_fingerprint() == before


def test_a_suspended_firm_cannot_post_to_its_own_books_or_share_them(alice):
    _suspend(alice.firm.public_id)
    gl = alice.gl
    entry = {
        "entityId": alice.firm.public_id,
        "bookId": gl.public_id,
        "date": "2026-11-30",
        "memo": "Rent",
        "lines": [
            {"accountId": alice.account("6000").public_id, "debit": 100},
            {"accountId": alice.account("1000").public_id, "credit": 100},
        ],
    }
    before = db_fingerprint()
    posted = alice.client.post("/api/ledger/journal-entries", entry, format="json")
    assert_error(posted, 403, "partner_program_required")
    share = {
        "entityId": alice.firm.public_id,
        "reportType": "trial_balance",
        "parameters": {"bookId": gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
    }
    assert_error(
        alice.client.post("/api/reports/share", share, format="json"),
        403,
        "partner_program_required",
    )
    assert db_fingerprint() == before
    # It still reads its own books.
    listed = alice.client.get("/api/ledger/journal-entries", {"entityId": alice.firm.public_id})
    assert listed.status_code == 200, listed.content


@pytest.fixture
def client_admin(acme):
    """An invited ADMIN of Alpha's client Acme, signed in with a session."""
    user = UserFactory(email="owner@acme.test")
    MembershipFactory(user=user, entity=acme.client, role=Role.ADMIN)
    session = APIClient()
    session.force_login(user)
    return session


def test_a_client_user_reads_its_ledger_and_statements_and_writes_nothing(client_admin, acme):
    from axiomatic.ledger.models import Account, Book

    entity = acme.client
    gl = Book.objects.get(entity=entity, is_primary=True)
    cash = Account.objects.get(entity=entity, code="1000")
    rent = Account.objects.get(entity=entity, code="6000")
    reads = [
        ("/api/ledger/books", {"entityId": entity.public_id}),
        ("/api/ledger/journal-entries", {"entityId": entity.public_id}),
        (
            "/api/reports/pdf",
            {
                "entityId": entity.public_id,
                "bookId": gl.public_id,
                "report": "balance_sheet",
                "from": "2026-01-01",
                "to": "2026-12-31",
                "format": "json",
            },
        ),
    ]
    for path, query in reads:
        assert client_admin.get(path, query).status_code == 200, path
    before = db_fingerprint()
    posted = client_admin.post(
        "/api/ledger/journal-entries",
        {
            "entityId": entity.public_id,
            "bookId": gl.public_id,
            "date": "2026-11-30",
            "memo": "Rent",
            "lines": [
                {"accountId": rent.public_id, "debit": 100},
                {"accountId": cash.public_id, "credit": 100},
            ],
        },
        format="json",
    )
    assert "firm" in assert_error(posted, 403)["message"]
    shared = client_admin.post(
        "/api/reports/share",
        {
            "entityId": entity.public_id,
            "reportType": "trial_balance",
            "parameters": {"bookId": gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
        },
        format="json",
    )
    assert_error(shared, 403)
    assert db_fingerprint() == before


def test_the_rows_cover_the_write_endpoints():
    assert len(WRITES) >= 14 and {f.name for f in fields(Ids)} >= {"firm", "client"}
