"""Example payloads of the billing API for the OpenAPI schema (extend_schema `examples`).

Alpha & Co bills its client Harbor Bakery 2.5 hours at 150.00/h plus a 50.00 filing fee, writes it
down by 25.00 (INV-000042, 400.00), and is paid 150.00 by check. The firm, its books and journal
entries are those of axiomatic.ledger.schema_examples; amounts are integer cents.
"""

from axiomatic.api.csv_export import csv_columns, csv_row, csv_stream
from axiomatic.ledger.schema_examples import (
    CLIENT_ID,
    FIRM_ID,
    INVOICE_JOURNAL_ENTRY_ID,
    PAYMENT_JOURNAL_ENTRY_ID,
    answer,
    page,
    sent,
)
from billing.serializers import InvoiceSerializer

INVOICE_ID = "inv_01jd1hznfkb4k17435x425rzkq"
TIME_ENTRY_ID = "te_01jdnh9732qb7nzpgx6d2ahrm1"
ENGAGEMENT_ID = "eng_01jdcm9c02gkvxb4s1wghwrm6y"
PAYMENT_ID = "pay_01jd8s93sdf65p9ysq6y291yan"
USER_ID = "usr_01jd9r3k6m2xq8w4c7n5t1v0bz"
API_KEY_ID = "key_01jd9r3m1p7zq4w8c2n6t5v3kx"
CLIENT_NAME = "Harbor Bakery LLC"

PAYMENT = {
    "id": PAYMENT_ID,
    "invoiceId": INVOICE_ID,
    "amount": 15_000,
    "date": "2026-12-10",
    "method": "check",
    "reference": "Check 1042",
    "journalEntryId": PAYMENT_JOURNAL_ENTRY_ID,
    "voided": False,
    "createdAt": "2026-12-10T15:02:44.019342Z",
}
LINES = [
    {
        "kind": "time",
        "timeEntryId": TIME_ENTRY_ID,
        "engagementId": ENGAGEMENT_ID,
        "date": "2026-11-28",
        "description": "November bank reconciliation",
        "hours": 2.5,
        "rate": 15_000,
        "standardAmount": 37_500,
        "amount": 35_500,
    },
    {
        "kind": "item",
        "timeEntryId": None,
        "engagementId": ENGAGEMENT_ID,
        "date": "2026-12-01",
        "description": "State filing fee",
        "hours": None,
        "rate": None,
        "standardAmount": 5_000,
        "amount": 4_500,
    },
]
INVOICE = {
    "id": INVOICE_ID,
    "number": "INV-000042",
    "clientEntityId": CLIENT_ID,
    "issueDate": "2026-12-01",
    "dueDate": "2026-12-31",
    "currency": "usd",
    "status": "partially_paid",
    "subtotal": 42_500,
    "adjustment": -2_500,
    "adjustmentReason": "First-year courtesy discount",
    "total": 40_000,
    "amountPaid": 15_000,
    "balanceDue": 25_000,
    "sentAt": "2026-12-01T16:20:05.338120Z",
    "payments": [PAYMENT],
    "lineCount": 2,
    "journalEntryId": INVOICE_JOURNAL_ENTRY_ID,
    "voidJournalEntryId": None,
    "voidedAt": None,
    "createdAt": "2026-12-01T16:18:51.905512Z",
    "lines": LINES,
}
UNPAID = {**INVOICE, "status": "open", "amountPaid": 0, "balanceDue": 40_000, "payments": []}
NEW = {**UNPAID, "sentAt": None}
VOIDED = {
    **NEW,
    "status": "void",
    "voidJournalEntryId": "je_01jdq2w8k4n6t3v9x5c7m1r0za",
    "voidedAt": "2026-12-02T09:00:00.000000Z",
}
OVERVIEW = [
    answer(
        "A Silver partner with two clients",
        {
            "partnerTier": "Silver",
            "activeClients": 2,
            "volumeDiscount": 10,
            "clients": [
                {
                    "clientEntityId": CLIENT_ID,
                    "name": CLIENT_NAME,
                    "clientTier": "PROFESSIONAL",
                    "billingMode": "consolidated",
                    "monthlyFee": 79,
                    "monthlyFeeCents": 7_900,
                    "discountedFeeCents": 7_110,
                    "payer": "firm",
                }
            ],
            "totals": {"firmPaysCents": 7_110, "clientsPayCents": 0},
            "changes": [
                {
                    "clientEntityId": CLIENT_ID,
                    "name": CLIENT_NAME,
                    "kind": "added",
                    "from": None,
                    "to": "PROFESSIONAL",
                    "effectiveDate": "2026-12-01",
                    "proratedCents": 7_110,
                }
            ],
            "stripe": {
                "status": "synced",
                "lastSyncedAt": "2026-12-01T06:00:03.114207Z",
                "subscriptionId": "sub_1QpZk2Lk8nAlphaCo",
                "lastError": None,
                "paymentStatus": "active",
            },
        },
    )
]
INVOICE_LIST = [answer("Invoices, newest first", page("invoices", INVOICE))]
# The same invoice as a row of the CSV export, written by the export's own functions.
_COLUMNS = csv_columns(InvoiceSerializer())
INVOICE_CSV = [
    answer(
        "format=csv",
        "".join(csv_stream([c.header for c in _COLUMNS], [csv_row(NEW, _COLUMNS)])),
        media_type="text/csv",
    )
]
INVOICE_GET = [answer("An invoice paid in part", {"invoice": INVOICE})]
INVOICE_CREATE = [
    sent(
        "Bill an entry and a fee, written down",
        {
            "firmEntityId": FIRM_ID,
            "clientEntityId": CLIENT_ID,
            "timeEntryIds": [TIME_ENTRY_ID],
            "items": [
                {"description": "State filing fee", "amount": 5_000, "engagementId": ENGAGEMENT_ID}
            ],
            "adjustment": {"amount": -2_500, "reason": "First-year courtesy discount"},
            "issueDate": "2026-12-01",
            "dueDate": "2026-12-31",
        },
    ),
    answer("The invoice, posted", {"invoice": NEW, "markedEntries": 1}, status=201),
]
INVOICE_VOID = [
    sent("Void it", {"firmEntityId": FIRM_ID}),
    answer("Void: reversed, its time unbilled again", {"invoice": VOIDED}),
]
INVOICE_SEND = [
    sent(
        "To the client's bookkeeper",
        {"firmEntityId": FIRM_ID, "to": ["ap@harborbakery.example"], "message": "Thank you!"},
    ),
    answer("Accepted: the email goes out in the background", {"invoice": NEW}, status=202),
]
PAYMENT_CREATE = [
    sent(
        "A check",
        {
            "firmEntityId": FIRM_ID,
            "amount": 15_000,
            "date": "2026-12-10",
            "method": "check",
            "reference": "Check 1042",
        },
    ),
    answer("The payment and the invoice", {"payment": PAYMENT, "invoice": INVOICE}, status=201),
]
PAYMENT_LIST = [answer("Payments, newest first", page("payments", PAYMENT))]
PAYMENT_VOID = [
    sent("Void it", {"firmEntityId": FIRM_ID}),
    answer(
        "Voided: the balance is due again",
        {
            "payment": {**PAYMENT, "voided": True},
            "invoice": {**UNPAID, "sentAt": INVOICE["sentAt"]},
        },
    ),
]
_FROM_NOTHING = {"from": None, "to": None}
INVOICE_HISTORY = [
    answer(
        "Created, then paid in part",
        {
            "history": [
                {
                    "at": "2026-12-01T16:18:51.905512Z",
                    "change": "created",
                    "by": {"userId": USER_ID, "apiKeyId": API_KEY_ID},
                    "reason": None,
                    "fields": {
                        "number": {**_FROM_NOTHING, "to": "INV-000042"},
                        "total": {**_FROM_NOTHING, "to": 40_000},
                        "status": {**_FROM_NOTHING, "to": "open"},
                    },
                },
                {
                    "at": "2026-12-10T15:02:44.019342Z",
                    "change": "updated",
                    "by": {"userId": USER_ID, "apiKeyId": API_KEY_ID},
                    "reason": None,
                    "fields": {
                        "status": {"from": "open", "to": "partially_paid"},
                        "amountPaid": {"from": 0, "to": 15_000},
                    },
                },
            ],
            "hasMore": False,
            "nextCursor": None,
        },
    )
]
_AGING = {
    "current": 25_000,
    "days1To30": 0,
    "days31To60": 12_000,
    "days61To90": 0,
    "over90": 0,
    "total": 37_000,
}
AR_AGING = [
    answer(
        "Open balances by days past due",
        {
            "asOf": "2026-12-15",
            "currency": "usd",
            "clients": [{"clientEntityId": CLIENT_ID, "name": CLIENT_NAME, **_AGING}],
            "totals": _AGING,
        },
    )
]
_WIP = {"entries": 3, "hours": 4.75, "amount": 71_250}
WIP = [
    answer(
        "Unbilled time by client",
        {
            "asOf": "2026-12-15",
            "currency": "usd",
            "clients": [
                {
                    "clientEntityId": CLIENT_ID,
                    "name": CLIENT_NAME,
                    "oldestDate": "2026-12-02",
                    **_WIP,
                }
            ],
            "totals": _WIP,
        },
    )
]
_REALIZED = {
    "hours": 2.5,
    "standardAmount": 42_500,
    "billedAmount": 40_000,
    "collectedAmount": 15_000,
    "billingRealization": 0.9412,
    "collectionRealization": 0.375,
}
REALIZATION = [
    answer(
        "December by client",
        {
            "from": "2026-12-01",
            "to": "2026-12-31",
            "rows": [{"key": CLIENT_ID, "name": CLIENT_NAME, **_REALIZED}],
            "totals": _REALIZED,
        },
    )
]
