"""What the statement tests share: posting a two-line entry, asking the API for a statement, and
setting an entity's fiscal year through its own endpoint."""

import datetime as dt

from axiomatic.ledger.models import Account
from axiomatic.ledger.services import JournalEntryDraft

URL = "/api/reports/pdf"
D = dt.date


def post(book, day, debit, credit, cents, memo="", description=""):
    """One two-line entry: debit `debit`, credit `credit`, `cents` each."""
    return (
        JournalEntryDraft(book=book, date=day, memo=memo)
        .debit(debit, cents, description)
        .credit(credit, cents, description)
        .post()
    )


def chart(entity) -> dict[str, Account]:
    return {account.code: account for account in Account.objects.filter(entity=entity)}


def statement(persona, report, date_from, date_to, *, book=None, **params):
    """GET /api/reports/pdf for `book` (the persona's General Ledger by default)."""
    book = book or persona.gl
    query = {
        "entityId": book.entity.public_id,
        "bookId": book.public_id,
        "report": report,
        "from": str(date_from),
        "to": str(date_to),
        **params,
    }
    return persona.client.get(URL, query)


def statement_json(persona, report, date_from, date_to, *, book=None, **params) -> dict:
    response = statement(persona, report, date_from, date_to, book=book, format="json", **params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def fiscal_year_starts_in(persona, month: int, entity=None) -> None:
    """PATCH /api/ledger/settings: the entity's fiscal year starts in `month`."""
    entity = entity or persona.firm
    response = persona.client.patch(
        f"/api/ledger/settings?entityId={entity.public_id}",
        {"fiscalYearStartMonth": month},
        format="json",
    )
    assert response.status_code == 200, response.content


def by_key(body: dict) -> dict:
    """A statement's JSON rows by account code, or by subtype for a computed row."""
    return {row["code"] or row["subtype"]: row for row in body["rows"]}
