"""Example payloads of the reports API for the OpenAPI schema: a trial balance of the books of
axiomatic.ledger.schema_examples, and a share link to a balance sheet with its access log."""

from axiomatic.ledger.schema_examples import (
    BOOK_ID,
    CASH_ID,
    FIRM_ID,
    RENT_ID,
    answer,
    page,
    sent,
)

SHARE_ID = "shr_01jdbfz1axdmhk0qv8m8b7w2hp"
SHARE_URL = "https://practice.example.com/reports/share/Xy7kQ2pLmN9vR4tW8zB3cD6fG1hJ5sA0"
PARAMETERS = {"bookId": BOOK_ID, "from": "2026-01-01", "to": "2026-12-31"}
SHARE = {
    "id": SHARE_ID,
    "entityId": FIRM_ID,
    "reportType": "balance_sheet",
    "parameters": PARAMETERS,
    "expiresAt": "2026-12-08T10:00:00.000000Z",
    "accessCount": 1,
    "maxAccessCount": 5,
    "lastAccessedAt": "2026-12-02T08:41:17.220415Z",
    "revoked": False,
    "createdAt": "2026-12-01T10:00:00.000000Z",
}

STATEMENT = [
    answer(
        "format=json: a trial balance",
        {
            "report": "trial_balance",
            "entityId": FIRM_ID,
            "bookId": BOOK_ID,
            "currency": "usd",
            "from": "2026-01-01",
            "to": "2026-01-31",
            "rows": [
                {
                    "accountId": CASH_ID,
                    "code": "1000",
                    "name": "Cash",
                    "type": "asset",
                    "subtype": "cash",
                    "debit": 0,
                    "credit": 150_000,
                },
                {
                    "accountId": RENT_ID,
                    "code": "6000",
                    "name": "Rent",
                    "type": "expense",
                    "subtype": "operating_expense",
                    "debit": 150_000,
                    "credit": 0,
                },
            ],
            "totals": {"debit": 150_000, "credit": 150_000},
        },
    ),
    answer(
        "format=pdf of a long statement: rendered in the background",
        {
            "status": "rendering",
            "estimatedPages": 24,
            "shareUrl": SHARE_URL,
            "link": {
                **SHARE,
                "reportType": "general_ledger",
                "accessCount": 0,
                "lastAccessedAt": None,
                "maxAccessCount": None,
            },
        },
        status=202,
    ),
]
SHARE_LIST = [answer("An entity's share links, newest first", page("links", SHARE))]
SHARE_CREATE = [
    sent(
        "A balance sheet for a week, five opens",
        {
            "entityId": FIRM_ID,
            "reportType": "balance_sheet",
            "parameters": PARAMETERS,
            "expiresInDays": 7,
            "maxAccessCount": 5,
        },
    ),
    answer(
        "The link (its token is shown only here)",
        {"id": SHARE_ID, "shareUrl": SHARE_URL, "expiresAt": SHARE["expiresAt"]},
        status=201,
    ),
]
SHARE_ACCESSES = [
    answer(
        "Opened once",
        {
            "accesses": [
                {
                    "accessedAt": "2026-12-02T08:41:17.220415Z",
                    "ipHash": "9f2c4e1ab07d35e6",
                    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) Safari/605.1.15",
                }
            ]
        },
    )
]
SHARE_REVOKE = [answer("Revoked", {"link": {**SHARE, "revoked": True}})]
