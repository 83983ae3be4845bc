"""Example payloads of the ledger API for the OpenAPI schema (extend_schema `examples`).

One firm's books, as the other apps' examples reuse them: the firm and its client, the General
Ledger, a few accounts, January's rent posted as JE-000042. Ids have the real form (prefix, then 26
characters of the id alphabet, axiomatic.core.ids); amounts are integer cents.
"""

from drf_spectacular.utils import OpenApiExample

FIRM_ID = "ent_01jd27cspj9g6gtmh6mk1c4c7x"
CLIENT_ID = "ent_01jdr46t16vswkate6drc88z6x"
BOOK_ID = "bk_01jdsjaxwkk24dkt6x4xw1bvh4"
TAX_BOOK_ID = "bk_01jd58avjx7cy4v90rj2pgdgm3"
CASH_ID = "acct_01jd1hd4cjx8mgkjvy3e92x76g"
RECEIVABLE_ID = "acct_01jdxrmnqbwn6wt2q5mvqxq2jg"
RENT_ID = "acct_01jdh5es2aay652v28mf2hc9fj"
JOURNAL_ENTRY_ID = "je_01jd7w84wksep6fg8pxewk3w7c"
INVOICE_JOURNAL_ENTRY_ID = "je_01jd4z8rhzpw3v1ekf6st8e9xb"
PAYMENT_JOURNAL_ENTRY_ID = "je_01jdy5hsw40f5hfzasgxv186bv"
CREATED_AT = "2026-01-31T17:05:12.482913Z"

BOOK = {"id": BOOK_ID, "name": "General Ledger", "basis": "accrual", "isPrimary": True}
TAX_BOOK = {"id": TAX_BOOK_ID, "name": "Tax", "basis": "accrual", "isPrimary": False}
ACCOUNT = {
    "id": CASH_ID,
    "code": "1000",
    "name": "Cash",
    "type": "asset",
    "subtype": "cash",
    "cashFlowSection": "cash",
    "isActive": True,
}
JOURNAL_ENTRY = {
    "id": JOURNAL_ENTRY_ID,
    "number": "JE-000042",
    "entityId": FIRM_ID,
    "bookId": BOOK_ID,
    "date": "2026-01-31",
    "memo": "January rent",
    "source": "manual",
    "createdAt": CREATED_AT,
    "lines": [
        {
            "accountId": RENT_ID,
            "accountCode": "6000",
            "accountName": "Rent",
            "debit": 150_000,
            "credit": 0,
            "description": "Office rent, January",
        },
        {
            "accountId": CASH_ID,
            "accountCode": "1000",
            "accountName": "Cash",
            "debit": 0,
            "credit": 150_000,
            "description": "",
        },
    ],
}
SETTINGS = {"lockDate": "2026-10-31", "fiscalYearStartMonth": 1}


def page(key: str, *items) -> dict:
    """A list's answer: its items under the list's key, and the last page's cursor fields."""
    return {key: list(items), "hasMore": False, "nextCursor": None}


def answer(name: str, value, *, status: int = 200, media_type: str | None = None) -> OpenApiExample:
    """A response example (JSON unless `media_type` says otherwise)."""
    return OpenApiExample(
        name, value=value, response_only=True, status_codes=[str(status)], media_type=media_type
    )


def sent(name: str, value) -> OpenApiExample:
    """A request body example."""
    return OpenApiExample(name, value=value, request_only=True)


BOOKS = [answer("An entity's books", page("books", BOOK, TAX_BOOK))]
ACCOUNTS = [answer("A chart of accounts (first page of one)", page("accounts", ACCOUNT))]
JOURNAL_ENTRIES = [answer("Journal entries", page("journalEntries", JOURNAL_ENTRY))]
JOURNAL_ENTRY_GET = [answer("A journal entry", {"journalEntry": JOURNAL_ENTRY})]
JOURNAL_ENTRY_POST = [
    sent(
        "Post January's rent",
        {
            "entityId": FIRM_ID,
            "bookId": BOOK_ID,
            "date": "2026-01-31",
            "memo": "January rent",
            "lines": [
                {"accountId": RENT_ID, "debit": 150_000, "description": "Office rent, January"},
                {"accountId": CASH_ID, "credit": 150_000},
            ],
        },
    ),
    answer("The posted entry", {"journalEntry": JOURNAL_ENTRY}, status=201),
]
SETTINGS_GET = [answer("Locked through October", {"settings": SETTINGS})]
SETTINGS_PATCH = [
    sent("Lock October", {"lockDate": "2026-10-31"}),
    answer("The settings after the change", {"settings": SETTINGS}),
]
