"""The authorization matrix: every endpoint, every caller, every id it takes.

For each endpoint (method and route) there is one row: a valid call of Firm A's admin, the status it
answers, and every id-bearing parameter (path, query, body, nested ones, each element of a list).
Each row is checked:

- by caller: Firm A's admin (the valid call succeeds), a same-firm VIEWER (reads only), Firm B's
  admin, a client user (member of Firm A's client only), an anonymous caller and a revoked key;
- by id: for every id parameter, another firm's real id and a well-formed unknown id get the same
  status and the same body (the id itself aside), and an id of the wrong type is a 400;
- every refused call leaves every table (row counts and latest change) and the outbox as it was.

A route of the URLconf without a row here fails `test_every_endpoint_has_a_row`.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import ApiKey, Role
from axiomatic.entities.services import api_key_create, api_key_revoke
from axiomatic.ledger.models import Account, Book
from axiomatic.webhooks.services import endpoint_create
from billing.services.invoices import invoice_create_from_time
from billing.services.payments import payment_create
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from practice.services.timers import timer_start
from reports.services import share_create
from tests.api.test_authentication_walk import api_routes
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


WRONG_TYPE = 12345  # a number where an id (a string) belongs; "12345" in a path or query
REFUSED = (400, 404, 409)
# A list filter naming a client that is not the firm's (another firm's or none) lists nothing:
# 200 with an empty list, the same for both, which tells the caller nothing.
FILTER = (200,)


@dataclass
class Ids:
    firm: str
    client: str
    book: str
    account: str
    cash: str
    entries: list[str]
    billed_entry: str
    engagement: str
    task: str
    invoice: str
    payment: str
    share: str
    webhook: str
    timer: str = ""
    user: str = ""  # a member of the persona's firm
    journal_entry: str = ""  # the invoice's, in the firm's books


def _world(persona, make_client, name: str) -> Ids:
    # An endpoint listening to everything first: every change below also records its event.
    webhook = endpoint_create(
        firm=persona.firm, url="http://127.0.0.1:9/hook", event_types=["*"]
    ).endpoint
    link = make_client(persona, name, default_rate_cents=10_000)
    today = timezone.localdate()
    entries = [
        time_entry_create(
            firm=persona.firm,
            link=link,
            work_date=today,
            hours=Decimal("1.00"),
            description=f"{name} {n}",
        )
        for n in range(4)
    ]
    invoice = invoice_create_from_time(
        firm=persona.firm, link=link, time_entry_ids=[entries[2].public_id]
    )
    paid = invoice_create_from_time(
        firm=persona.firm, link=link, time_entry_ids=[entries[3].public_id]
    )
    payment = payment_create(
        firm=persona.firm,
        invoice_public_id=paid.public_id,
        amount_cents=100,
        date=today,
        method="check",
    )
    engagement = engagement_create(
        firm=persona.firm,
        client=link.client,
        name=f"{name} close",
        start_date=today,
        type="bookkeeping",
    )
    book = Book.objects.get(entity=persona.firm, is_primary=True)
    share, _ = share_create(
        entity=persona.firm,
        book=book,
        report_type="trial_balance",
        date_from=today.replace(day=1),
        date_to=today,
        expires_in_days=7,
        max_access_count=None,
    )
    accounts = Account.objects.filter(entity=persona.firm).order_by("code")
    timer = timer_start(firm=persona.firm, link=link, default_user=persona.user).timer
    return Ids(
        firm=persona.firm.public_id,
        client=link.client.public_id,
        book=book.public_id,
        account=accounts.filter(type="revenue").first().public_id,
        cash=accounts.filter(type="asset").first().public_id,
        entries=[e.public_id for e in entries[:2]],
        billed_entry=entries[2].public_id,
        engagement=engagement.public_id,
        task=engagement.tasks.order_by("position").first().public_id,
        invoice=invoice.public_id,
        payment=payment.public_id,
        share=share.public_id,
        user=persona.user.public_id,
        webhook=webhook.public_id,
        timer=timer.public_id,
        journal_entry=invoice.journal_entry.public_id,
    )


@dataclass
class Call:
    method: str
    path: str
    query: dict = field(default_factory=dict)
    body: dict | None = None

    def send(self, client: APIClient):
        sender = getattr(client, self.method.lower())
        if self.method == "GET":
            return sender(self.path, self.query)
        path = self.path
        if self.query:
            path += "?" + "&".join(f"{k}={v}" for k, v in self.query.items())
        return sender(path, self.body, format="json") if self.body is not None else sender(path)


# An id parameter: where it is, and how to put another value there.
Setter = Callable[[Call, object], None]


def query(name: str) -> Setter:
    def put(call: Call, value):
        call.query[name] = value

    return put


def body(*keys) -> Setter:
    """A body field, nested through dicts and list positions: body("lines", 0, "accountId")."""

    def put(call: Call, value):
        target = call.body
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return put


def path_segment(original: Callable[[Ids], str]) -> Callable[[Ids], Setter]:
    def bound(ids: Ids) -> Setter:
        def put(call: Call, value):
            call.path = call.path.replace(original(ids), str(value))

        return put

    return bound


@dataclass
class Row:
    route: str
    method: str
    build: Callable[[Ids], Call]
    success: int
    write: bool
    # name -> (setter, the foreign value's attribute of Ids, id prefix)
    ids: dict[str, tuple] = field(default_factory=dict)


def _je_body(i: Ids) -> dict:
    return {
        "entityId": i.firm,
        "bookId": i.book,
        "date": "2026-02-01",
        "memo": "Matrix",
        "lines": [
            {"accountId": i.cash, "debit": 1000},
            {"accountId": i.account, "credit": 1000},
        ],
    }


ROWS = [
    Row(
        "api/ledger/books",
        "GET",
        lambda i: Call("GET", "/api/ledger/books", {"entityId": i.firm}),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent")},
    ),
    Row(
        "api/ledger/accounts",
        "GET",
        lambda i: Call("GET", "/api/ledger/accounts", {"entityId": i.firm}),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent")},
    ),
    Row(
        "api/ledger/journal-entries",
        "GET",
        lambda i: Call(
            "GET", "/api/ledger/journal-entries", {"entityId": i.firm, "bookId": i.book}
        ),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent"), "bookId": (query("bookId"), "book", "bk")},
    ),
    Row(
        "api/ledger/journal-entries",
        "POST",
        lambda i: Call("POST", "/api/ledger/journal-entries", body=_je_body(i)),
        201,
        True,
        {
            "entityId": (body("entityId"), "firm", "ent"),
            "bookId": (body("bookId"), "book", "bk"),
            "lines[0].accountId": (body("lines", 0, "accountId"), "cash", "acct"),
            "lines[1].accountId": (body("lines", 1, "accountId"), "account", "acct"),
        },
    ),
    Row(
        "api/ledger/journal-entries/<str:journal_entry_id>",
        "GET",
        lambda i: Call(
            "GET", f"/api/ledger/journal-entries/{i.journal_entry}", {"entityId": i.firm}
        ),
        200,
        False,
        {
            "entityId": (query("entityId"), "firm", "ent"),
            "journal_entry_id": (path_segment(lambda i: i.journal_entry), "journal_entry", "je"),
        },
    ),
    Row(
        "api/ledger/settings",
        "GET",
        lambda i: Call("GET", "/api/ledger/settings", {"entityId": i.firm}),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent")},
    ),
    Row(
        "api/ledger/settings",
        "PATCH",
        lambda i: Call(
            "PATCH",
            "/api/ledger/settings",
            {"entityId": i.firm},
            body={"lockDate": "2026-01-31", "fiscalYearStartMonth": 4},
        ),
        200,
        True,
        {"entityId": (query("entityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/billing",
        "GET",
        lambda i: Call("GET", "/api/practice/billing", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/billing/invoice",
        "POST",
        lambda i: Call(
            "POST",
            "/api/practice/billing/invoice",
            body={
                "firmEntityId": i.firm,
                "clientEntityId": i.client,
                "timeEntryIds": list(i.entries),
                "items": [{"description": "Fee", "amount": 100, "engagementId": i.engagement}],
            },
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "clientEntityId": (body("clientEntityId"), "client", "ent"),
            "timeEntryIds[0]": (body("timeEntryIds", 0), "entries.0", "te"),
            "timeEntryIds[1]": (body("timeEntryIds", 1), "entries.1", "te"),
            "items[0].engagementId": (body("items", 0, "engagementId"), "engagement", "eng"),
        },
    ),
    Row(
        "api/practice/billing/invoices",
        "GET",
        lambda i: Call(
            "GET",
            "/api/practice/billing/invoices",
            {"firmEntityId": i.firm, "clientEntityId": i.client},
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "clientEntityId": (query("clientEntityId"), "client", "ent", FILTER),
        },
    ),
    Row(
        "api/practice/billing/invoices/<str:invoice_id>/void",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/billing/invoices/{i.invoice}/void",
            body={"firmEntityId": i.firm},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "invoice_id": (path_segment(lambda i: i.invoice), "invoice", "inv"),
        },
    ),
    Row(
        "api/practice/billing/invoices/<str:invoice_id>/history",
        "GET",
        lambda i: Call(
            "GET", f"/api/practice/billing/invoices/{i.invoice}/history", {"firmEntityId": i.firm}
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "invoice_id": (path_segment(lambda i: i.invoice), "invoice", "inv"),
        },
    ),
    Row(
        "api/practice/billing/invoices/<str:invoice_id>",
        "GET",
        lambda i: Call(
            "GET", f"/api/practice/billing/invoices/{i.invoice}", {"firmEntityId": i.firm}
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "invoice_id": (path_segment(lambda i: i.invoice), "invoice", "inv"),
        },
    ),
    Row(
        "api/practice/billing/invoices/<str:invoice_id>/send",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/billing/invoices/{i.invoice}/send",
            body={"firmEntityId": i.firm, "to": ["ap@client.example"], "message": "Thanks"},
        ),
        202,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "invoice_id": (path_segment(lambda i: i.invoice), "invoice", "inv"),
        },
    ),
    Row(
        "api/practice/billing/invoices/<str:invoice_id>/payments",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/billing/invoices/{i.invoice}/payments",
            body={"firmEntityId": i.firm, "amount": 100, "date": "2999-01-01", "method": "ach"},
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "invoice_id": (path_segment(lambda i: i.invoice), "invoice", "inv"),
        },
    ),
    Row(
        "api/practice/billing/payments",
        "GET",
        lambda i: Call(
            "GET",
            "/api/practice/billing/payments",
            {"firmEntityId": i.firm, "clientEntityId": i.client},
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "clientEntityId": (query("clientEntityId"), "client", "ent", FILTER),
        },
    ),
    Row(
        "api/practice/billing/payments/<str:payment_id>/void",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/billing/payments/{i.payment}/void",
            body={"firmEntityId": i.firm},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "payment_id": (path_segment(lambda i: i.payment), "payment", "pay"),
        },
    ),
    Row(
        "api/practice/billing/ar-aging",
        "GET",
        lambda i: Call("GET", "/api/practice/billing/ar-aging", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/billing/wip",
        "GET",
        lambda i: Call("GET", "/api/practice/billing/wip", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/billing/realization",
        "GET",
        lambda i: Call(
            "GET",
            "/api/practice/billing/realization",
            {"firmEntityId": i.firm, "from": "2000-01-01", "to": "2999-12-31"},
        ),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/clients",
        "GET",
        lambda i: Call("GET", "/api/practice/clients", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/clients",
        "POST",
        lambda i: Call(
            "POST", "/api/practice/clients", body={"firmEntityId": i.firm, "name": "Matrix Co"}
        ),
        201,
        True,
        {"firmEntityId": (body("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/clients/<str:entity_id>",
        "GET",
        lambda i: Call("GET", f"/api/practice/clients/{i.client}", {"firmEntityId": i.firm}),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "entity_id": (path_segment(lambda i: i.client), "client", "ent"),
        },
    ),
    Row(
        "api/practice/clients/<str:entity_id>",
        "PATCH",
        lambda i: Call(
            "PATCH",
            f"/api/practice/clients/{i.client}",
            body={"firmEntityId": i.firm, "tier": "BUSINESS"},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "entity_id": (path_segment(lambda i: i.client), "client", "ent"),
        },
    ),
    Row(
        "api/practice/clients/<str:entity_id>",
        "DELETE",
        lambda i: Call("DELETE", f"/api/practice/clients/{i.client}", {"firmEntityId": i.firm}),
        204,
        True,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "entity_id": (path_segment(lambda i: i.client), "client", "ent"),
        },
    ),
    Row(
        "api/practice/clients/<str:entity_id>/invite",
        "POST",
        lambda i: Call(
            "POST", f"/api/practice/clients/{i.client}/invite", body={"email": "m@acme.test"}
        ),
        201,
        True,
        {"entity_id": (path_segment(lambda i: i.client), "client", "ent")},
    ),
    Row(
        "api/practice/time",
        "GET",
        lambda i: Call(
            "GET", "/api/practice/time", {"firmEntityId": i.firm, "clientEntityId": i.client}
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "clientEntityId": (query("clientEntityId"), "client", "ent", FILTER),
        },
    ),
    Row(
        "api/practice/time",
        "POST",
        lambda i: Call(
            "POST",
            "/api/practice/time",
            body={
                "firmEntityId": i.firm,
                "entityId": i.client,
                "date": "2026-02-02",
                "hours": 1,
                "engagementId": i.engagement,
                "taskId": i.task,
            },
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "entityId": (body("entityId"), "client", "ent"),
            "engagementId": (body("engagementId"), "engagement", "eng"),
            "taskId": (body("taskId"), "task", "task"),
        },
    ),
    Row(
        "api/practice/time",
        "DELETE",
        lambda i: Call(
            "DELETE", "/api/practice/time", {"firmEntityId": i.firm, "timeEntryId": i.entries[0]}
        ),
        204,
        True,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "timeEntryId": (query("timeEntryId"), "entries.0", "te"),
        },
    ),
    Row(
        "api/practice/time/<str:time_entry_id>",
        "GET",
        lambda i: Call("GET", f"/api/practice/time/{i.entries[0]}", {"firmEntityId": i.firm}),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "time_entry_id": (path_segment(lambda i: i.entries[0]), "entries.0", "te"),
        },
    ),
    Row(
        "api/practice/time/<str:time_entry_id>",
        "PATCH",
        lambda i: Call(
            "PATCH", f"/api/practice/time/{i.entries[0]}", body={"firmEntityId": i.firm, "hours": 2}
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "time_entry_id": (path_segment(lambda i: i.entries[0]), "entries.0", "te"),
        },
    ),
    Row(
        "api/practice/time/<str:time_entry_id>/history",
        "GET",
        lambda i: Call(
            "GET", f"/api/practice/time/{i.entries[0]}/history", {"firmEntityId": i.firm}
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "time_entry_id": (path_segment(lambda i: i.entries[0]), "entries.0", "te"),
        },
    ),
    Row(
        "api/practice/engagements",
        "GET",
        lambda i: Call("GET", "/api/practice/engagements", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/engagements",
        "POST",
        lambda i: Call(
            "POST",
            "/api/practice/engagements",
            body={
                "firmEntityId": i.firm,
                "entityId": i.client,
                "name": "Matrix close",
                "startDate": "2026-02-01",
            },
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "entityId": (body("entityId"), "client", "ent"),
        },
    ),
    Row(
        "api/practice/engagements",
        "PATCH",
        lambda i: Call(
            "PATCH", "/api/practice/engagements", body={"firmEntityId": i.firm, "taskId": i.task}
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "taskId": (body("taskId"), "task", "task"),
        },
    ),
    Row(
        "api/practice/engagements/<str:engagement_id>",
        "GET",
        lambda i: Call(
            "GET", f"/api/practice/engagements/{i.engagement}", {"firmEntityId": i.firm}
        ),
        200,
        False,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "engagement_id": (path_segment(lambda i: i.engagement), "engagement", "eng"),
        },
    ),
    Row(
        "api/practice/engagements/<str:engagement_id>",
        "PATCH",
        lambda i: Call(
            "PATCH",
            f"/api/practice/engagements/{i.engagement}",
            body={"firmEntityId": i.firm, "name": "Renamed"},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "engagement_id": (path_segment(lambda i: i.engagement), "engagement", "eng"),
        },
    ),
    Row(
        "api/practice/engagements/<str:engagement_id>/tasks/<str:task_id>/complete",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/engagements/{i.engagement}/tasks/{i.task}/complete",
            body={"firmEntityId": i.firm},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "engagement_id": (path_segment(lambda i: i.engagement), "engagement", "eng"),
            "task_id": (path_segment(lambda i: i.task), "task", "task"),
        },
    ),
    Row(
        "api/practice/engagements/<str:engagement_id>/tasks/<str:task_id>/reopen",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/engagements/{i.engagement}/tasks/{i.task}/reopen",
            body={"firmEntityId": i.firm},
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "engagement_id": (path_segment(lambda i: i.engagement), "engagement", "eng"),
            "task_id": (path_segment(lambda i: i.task), "task", "task"),
        },
    ),
    Row(
        "api/reports/pdf",
        "GET",
        lambda i: Call(
            "GET",
            "/api/reports/pdf",
            {
                "entityId": i.firm,
                "bookId": i.book,
                "report": "trial_balance",
                "from": "2026-01-01",
                "to": "2026-01-31",
                "format": "json",
            },
        ),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent"), "bookId": (query("bookId"), "book", "bk")},
    ),
    Row(
        "api/reports/share",
        "GET",
        lambda i: Call("GET", "/api/reports/share", {"entityId": i.firm}),
        200,
        False,
        {"entityId": (query("entityId"), "firm", "ent")},
    ),
    Row(
        "api/reports/share",
        "POST",
        lambda i: Call(
            "POST",
            "/api/reports/share",
            body={
                "entityId": i.firm,
                "reportType": "trial_balance",
                "parameters": {"bookId": i.book, "from": "2026-01-01", "to": "2026-01-31"},
            },
        ),
        201,
        True,
        {
            "entityId": (body("entityId"), "firm", "ent"),
            "parameters.bookId": (body("parameters", "bookId"), "book", "bk"),
        },
    ),
    Row(
        "api/reports/share/<str:share_id>/accesses",
        "GET",
        lambda i: Call("GET", f"/api/reports/share/{i.share}/accesses"),
        200,
        False,
        {
            "share_id": (path_segment(lambda i: i.share), "share", "shr"),
        },
    ),
    Row(
        "api/reports/share/<str:share_id>/revoke",
        "POST",
        lambda i: Call("POST", f"/api/reports/share/{i.share}/revoke", body={}),
        200,
        True,
        {
            "share_id": (path_segment(lambda i: i.share), "share", "shr"),
        },
    ),
]


def _webhook_row(suffix: str, method: str, success: int, write: bool, where: str) -> Row:
    route = "api/practice/webhooks/<str:webhook_id>" + suffix
    firm = (body("firmEntityId"), "firm", "ent") if where == "body" else None
    firm = firm or (query("firmEntityId"), "firm", "ent")

    def build(i: Ids) -> Call:
        path = f"/api/practice/webhooks/{i.webhook}{suffix}"
        if where == "body":
            extra = {"description": "Matrix"} if method == "PATCH" else {}
            return Call(method, path, body={"firmEntityId": i.firm, **extra})
        return Call(method, path, {"firmEntityId": i.firm})

    return Row(
        route,
        method,
        build,
        success,
        write,
        {
            "firmEntityId": firm,
            "webhook_id": (path_segment(lambda i: i.webhook), "webhook", "wh"),
        },
    )


ROWS += [
    Row(
        "api/practice/webhooks",
        "GET",
        lambda i: Call("GET", "/api/practice/webhooks", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/webhooks",
        "POST",
        lambda i: Call(
            "POST",
            "/api/practice/webhooks",
            body={"firmEntityId": i.firm, "url": "http://127.0.0.1:9/new", "events": ["*"]},
        ),
        201,
        True,
        {"firmEntityId": (body("firmEntityId"), "firm", "ent")},
    ),
    _webhook_row("", "GET", 200, False, "query"),
    _webhook_row("", "PATCH", 200, True, "body"),
    _webhook_row("", "DELETE", 204, True, "query"),
    _webhook_row("/rotate-secret", "POST", 200, True, "body"),
    _webhook_row("/test", "POST", 202, True, "body"),
    _webhook_row("/deliveries", "GET", 200, False, "query"),
]

# --- Timers
ROWS += [
    Row(
        "api/practice/timers",
        "GET",
        lambda i: Call("GET", "/api/practice/timers", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/timers",
        "POST",
        lambda i: Call(
            "POST",
            "/api/practice/timers",
            body={
                "firmEntityId": i.firm,
                "entityId": i.client,
                "engagementId": i.engagement,
                "taskId": i.task,
            },
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "entityId": (body("entityId"), "client", "ent"),
            "engagementId": (body("engagementId"), "engagement", "eng"),
            "taskId": (body("taskId"), "task", "task"),
        },
    ),
    Row(
        "api/practice/timers/<str:timer_id>/stop",
        "POST",
        lambda i: Call(
            "POST", f"/api/practice/timers/{i.timer}/stop", body={"firmEntityId": i.firm}
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "timer_id": (path_segment(lambda i: i.timer), "timer", "tmr"),
        },
    ),
    Row(
        "api/practice/timers/<str:timer_id>",
        "DELETE",
        lambda i: Call("DELETE", f"/api/practice/timers/{i.timer}", {"firmEntityId": i.firm}),
        204,
        True,
        {
            "firmEntityId": (query("firmEntityId"), "firm", "ent"),
            "timer_id": (path_segment(lambda i: i.timer), "timer", "tmr"),
        },
    ),
]


def _approval_row(action: str) -> Row:
    """POST /time/approve or /time/unapprove over the firm's two unbilled entries."""
    route = f"api/practice/time/{action}"
    return Row(
        route,
        "POST",
        lambda i: Call(
            "POST", "/" + route, body={"firmEntityId": i.firm, "timeEntryIds": list(i.entries)}
        ),
        200,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "timeEntryIds[0]": (body("timeEntryIds", 0), "entries.0", "te"),
            "timeEntryIds[1]": (body("timeEntryIds", 1), "entries.1", "te"),
        },
    )


ROWS += [_approval_row("approve"), _approval_row("unapprove")]

# Not in the matrix, on purpose: the share link itself (its token is the credential, see
# tests/reports) and the schema and docs (no ids; anonymous callers are refused, see the walk).
OUTSIDE = {("api/reports/share/<str:token>", "GET"), ("api/schema/", "GET"), ("api/docs/", "GET")}


def _route_methods() -> set[tuple[str, str]]:
    from django.urls import get_resolver

    found = set()
    resolver = get_resolver()
    for route in api_routes():
        if not route.startswith("api/"):
            continue
        match = resolver.resolve("/" + re.sub(r"<(?:\w+:)?\w+>", "x", route))
        actions = getattr(match.func, "actions", None) or {"get": None}
        # DRF adds "head" beside "get" once a view has served a GET: HEAD is GET without a body.
        found |= {(route, method.upper()) for method in actions if method != "head"}
    return found


def test_every_endpoint_has_a_row():
    rows = {(r.route, r.method) for r in ROWS}
    missing = _route_methods() - rows - OUTSIDE
    assert missing == set(), f"add rows to the authorization matrix for {sorted(missing)}"


@pytest.fixture
def callers(alice, bob, charlie, firm_a, make_client):
    """The valid caller (alice) and those who must be refused, as API clients."""
    client_user = UserFactory(email="owner@client.test")
    ids_a = _world(alice, make_client, "Acme")
    ids_b = _world(charlie, make_client, "Globex")
    from axiomatic.entities.models import Entity

    MembershipFactory(
        user=client_user, entity=Entity.objects.get(public_id=ids_a.client), role=Role.ADMIN
    )
    client_session = APIClient()
    client_session.force_login(client_user)
    revoked = api_key_create(firm=firm_a, name="revoked")
    api_key_revoke(api_key=ApiKey.objects.get(pk=revoked.api_key.pk))
    revoked_client = APIClient()
    revoked_client.credentials(HTTP_AUTHORIZATION=f"Bearer {revoked.key}")
    return (
        {
            "admin": alice.client,
            "viewer": bob.client,
            "other_firm": charlie.client,
            "client_user": client_session,
            "anonymous": APIClient(),
            "revoked_key": revoked_client,
        },
        ids_a,
        ids_b,
    )


def _foreign(ids: Ids, attr: str) -> str:
    if "." in attr:
        name, index = attr.split(".")
        return getattr(ids, name)[int(index)]
    return getattr(ids, attr)


def _refused_without_change(client, call: Call, status: int, label: str):
    before = db_fingerprint()
    response = call.send(client)
    assert response.status_code == status, (
        f"{label}: {response.status_code} {response.content[:300]}"
    )
    assert db_fingerprint() == before, f"{label}: a refused call changed something"
    return response


def _anonymized(response, *values) -> str:
    text = response.content.decode()
    for value in values:
        text = text.replace(str(value), "<id>")
    return text


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.method} {r.route}")
def test_authorization_matrix(row: Row, callers):
    clients, ids_a, ids_b = callers
    mail.outbox.clear()

    # Callers who may not do this.
    refused = {"anonymous": 401, "revoked_key": 401, "other_firm": 404, "client_user": 404}
    if row.write:
        refused["viewer"] = 403
    for who, status in refused.items():
        _refused_without_change(
            clients[who], row.build(ids_a), status, f"{who} {row.method} {row.route}"
        )
    if not row.write:
        assert row.build(ids_a).send(clients["viewer"]).status_code == row.success

    # Every id parameter: another firm's id and an unknown one look alike; a wrong type is 400.
    for name, (setter, attr, prefix, *expected) in row.ids.items():
        expected = expected[0] if expected else REFUSED
        put = setter(ids_a) if setter.__name__ == "bound" else setter
        answers = []
        for value in (_foreign(ids_b, attr), new_public_id(prefix)):
            call = row.build(ids_a)
            put(call, value)
            before = db_fingerprint()
            response = call.send(clients["admin"])
            assert response.status_code in expected, f"{name}={value}: {response.status_code}"
            assert db_fingerprint() == before, f"{name}: a refused call changed something"
            answers.append((response.status_code, _anonymized(response, value)))
        assert answers[0] == answers[1], f"{row.method} {row.route} {name}: {answers}"
        wrong = row.build(ids_a)
        put(wrong, WRONG_TYPE)
        response = _refused_without_change(clients["admin"], wrong, 400, f"{name} wrong type")
        assert response.json()["error"]["code"] == "validation_error"

    # And the admin's valid call works.
    response = row.build(ids_a).send(clients["admin"])
    assert response.status_code == row.success, response.content[:500]


# --- Staff, their rates and the practice settings
ROWS += [
    Row(
        "api/practice/staff",
        "GET",
        lambda i: Call("GET", "/api/practice/staff", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/staff/<str:user_id>/rates",
        "POST",
        lambda i: Call(
            "POST",
            f"/api/practice/staff/{i.user}/rates",
            body={"firmEntityId": i.firm, "rate": 10_000, "effectiveFrom": "2026-01-01"},
        ),
        201,
        True,
        {
            "firmEntityId": (body("firmEntityId"), "firm", "ent"),
            "user_id": (path_segment(lambda i: i.user), "user", "usr"),
        },
    ),
    Row(
        "api/practice/settings",
        "GET",
        lambda i: Call("GET", "/api/practice/settings", {"firmEntityId": i.firm}),
        200,
        False,
        {"firmEntityId": (query("firmEntityId"), "firm", "ent")},
    ),
    Row(
        "api/practice/settings",
        "PATCH",
        lambda i: Call(
            "PATCH",
            "/api/practice/settings",
            body={"firmEntityId": i.firm, "paymentTermsDays": 20},
        ),
        200,
        True,
        {"firmEntityId": (body("firmEntityId"), "firm", "ent")},
    ),
]
