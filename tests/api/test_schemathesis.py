"""Schemathesis against our own OpenAPI schema, in process, as a partner firm with data.

The schema is generated the way /api/schema/ serves it, and Schemathesis' engine (the one its CLI
runs, with the CLI's report) calls the WSGI application directly: every phase (examples, coverage,
fuzzing, and stateful sequences over the links Schemathesis infers between operations), every
built-in check, 100 examples per operation in the fuzzing phase. The run fails on any check
failure and on the "missing auth" and "missing test data" warnings, so every operation has to be
reached as an authenticated firm with real ids and answer what the schema says.

Real ids come from Schemathesis dictionaries bound to the parameters that carry them. In query
strings and paths most draws take a seeded id and the rest are generated, so the 404 paths run
too; in bodies an id that names nothing is an invalid field (400) by design, so valid bodies always
carry real ones. The firm is fixed (it is the caller); the authorization matrix tests other firms'
and unknown ids everywhere. A `before_call` hook then makes each valid request consistent across
its fields (a book and its entity, a task and its engagement, a period that runs forward...): the
rules no schema states, whose breaking answers a documented error. Negative cases go as generated.

The requests run in the engine's worker thread. They share the test's database connection, as
Django's LiveServerTestCase does for in-memory SQLite, so everything they write is rolled back with
the test; Django's per-request connection clean-up is disconnected meanwhile, because it would close
that shared connection.
"""

import datetime as dt
import json
import os
import random
import re
from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis.cli.commands.run.context import ExecutionContext
from schemathesis.cli.commands.run.handlers.output import OutputHandler
from schemathesis.cli.events import LoadingFinished, LoadingStarted
from schemathesis.cli.executor import execute_event_loop
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import from_schema
from schemathesis.generation import GenerationMode
from schemathesis.generation.meta import TestPhase
from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

from axiomatic.ledger.models import Account, Book, JournalEntry
from practice.models import Engagement, Task, TimeEntry, Timer

pytestmark = pytest.mark.django_db

# Fuzzing examples per operation: 100 unless SCHEMATHESIS_MAX_EXAMPLES says otherwise. CI runs 50
# against PostgreSQL and 20 on SQLite (.ci/run says why): at 100 the run took 726 s here.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))
# A fixed seed: CI reruns the same cases, so a failure here is a regression, not a new draw.
SEED = 20261126
# How often a dictionary-bound parameter takes a seeded id rather than a generated value.
REAL_ID_PROBABILITY = 0.85
# The largest amount a journal line takes (the schema's maximum).
MAX_CENTS = 10**15
EXAMPLE_ID = re.compile(r"^[a-z]+_0{26}$")
DOCUMENTED_ID = re.compile(r"^(ent|bk|acct|te|eng|task|inv|pay|shr|wh|usr|tmr)_[0-9a-z]{26}$")


@pytest.fixture
def seeded_firm(alice, charlie, make_client, settings):
    """Alice's firm with clients, time, engagements with tasks, invoices, share links and journal
    entries; Charlie's firm exists too, so foreign rows are there to be (not) found."""
    from axiomatic.webhooks.services import endpoint_create
    from billing.services.invoices import invoice_create_from_time
    from practice.models import EngagementType, Recurrence
    from practice.services.engagements import engagement_create
    from practice.services.time_entries import time_entry_create

    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # the run registers endpoints on 127.0.0.1
    make_client(charlie, "Globex Inc")
    # Endpoints first, so every change below records its event and deliveries to list.
    webhooks = [
        endpoint_create(
            firm=alice.firm, url=f"http://127.0.0.1:9/hook-{n}", event_types=["*"]
        ).endpoint.public_id
        for n in range(3)
    ]
    links = [
        make_client(alice, "Acme Corp", tier="PROFESSIONAL"),
        make_client(alice, "Initech LLC", billing_mode="client_direct"),
    ]
    today = dt.date(2026, 11, 2)
    engagements = [
        engagement_create(
            firm=alice.firm,
            client=link.client,
            name=f"Monthly bookkeeping {n}",
            type=EngagementType.BOOKKEEPING,
            recurrence=Recurrence.MONTHLY,
            start_date=today,
        )
        for n, link in enumerate(links)
    ]
    entries = [
        time_entry_create(
            firm=alice.firm,
            link=link,
            work_date=today - dt.timedelta(days=day),
            hours=Decimal("1.50"),
            description="Month-end close",
            rate_cents=15_000,
            default_user=alice.user,
        )
        for link in links
        for day in range(6)
    ]
    invoices = [
        invoice_create_from_time(
            firm=alice.firm,
            link=links[0],
            time_entry_ids=[entries[n].public_id],
            created_by=alice.user,
        )
        for n in range(2)
    ]
    from billing.services.payments import payment_create

    payments = [
        payment_create(
            firm=alice.firm,
            invoice_public_id=invoices[1].public_id,
            amount_cents=1_000,
            date=invoices[1].issue_date,
            method="check",
        ).public_id
        for _ in range(2)
    ]
    gl = alice.gl
    response = alice.client.post(
        "/api/ledger/journal-entries",
        {
            "entityId": alice.firm.public_id,
            "bookId": gl.public_id,
            "date": "2026-10-31",
            "memo": "October rent",
            "lines": [
                {"accountId": alice.account("6000").public_id, "debit": 350_000},
                {"accountId": alice.account("1000").public_id, "credit": 350_000},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    journal_entries = [response.json()["journalEntry"]["id"]]
    response = alice.client.post(
        "/api/ledger/journal-entries",
        {
            "entityId": alice.firm.public_id,
            "bookId": gl.public_id,
            "date": "2026-11-01",
            "memo": "Fees",
            "lines": [
                {"accountId": alice.account("1000").public_id, "debit": 90_000},
                {"accountId": alice.account("4000").public_id, "credit": 90_000},
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    journal_entries.append(response.json()["journalEntry"]["id"])
    shares, tokens = [], []
    for _ in range(5):
        response = alice.client.post(
            "/api/reports/share",
            {
                "entityId": alice.firm.public_id,
                "reportType": "balance_sheet",
                "parameters": {"bookId": gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
            },
            format="json",
        )
        assert response.status_code == 201, response.content
        shares.append(response.json()["id"])
        tokens.append(response.json()["shareUrl"].rstrip("/").rsplit("/", 1)[1])
    tasks = [t for e in engagements for t in e.tasks.all()]
    timers = [_new_timer(alice.firm.public_id) for _ in range(3)]
    entities = [alice.firm, *(link.client for link in links)]
    books = list(Book.objects.filter(entity__in=entities).select_related("entity"))
    accounts = Account.objects.filter(entity__in=entities).select_related("entity")
    return {
        "persona": alice,
        "firm": [alice.firm.public_id],
        "entity": [alice.firm.public_id, *(link.client.public_id for link in links)],
        "client": [link.client.public_id for link in links],
        "book": [b.public_id for b in books],
        "account": [a.public_id for a in accounts if a.code in ("1000", "4000", "6000")],
        "time_entry": [e.public_id for e in entries],
        "unbilled": [e.public_id for e in entries[2:]],
        "engagement": [e.public_id for e in engagements],
        "task": [t.public_id for t in tasks],
        "invoice": [i.public_id for i in invoices],
        "payment": payments,
        # Revoking takes the first three; the links of the other two stay open.
        "share": shares[:3],
        "token": tokens[3:],
        "user": [alice.user.public_id],
        "webhook": webhooks,
        "timer": timers,
        "journal_entry": journal_entries,
        # What the hooks need to keep a valid request consistent across its fields.
        "relations": {
            "cursors": _first_page_cursors(alice),
            "firm": alice.firm.public_id,
            "seeded_entries": {e.public_id for e in entries},
            "by_prefix": {
                "ent": [link.client.public_id for link in links],
                "bk": [alice.gl.public_id],
                "acct": [a.public_id for a in accounts if a.entity_id == alice.firm.pk],
                "te": [e.public_id for e in entries[2:]],
                "eng": [e.public_id for e in engagements],
                "task": [t.public_id for t in tasks],
                "inv": [i.public_id for i in invoices],
                "pay": payments,
                "shr": shares[:3],
                "usr": [alice.user.public_id],
                "wh": webhooks,
                "tmr": timers,
                "je": journal_entries,
            },
        },
    }


def _first_page_cursors(persona) -> dict[str, str]:
    """A real `nextCursor` of every paginated list: cursors are signed, only these are valid."""
    firm = persona.firm.public_id
    lists = {
        "/api/ledger/accounts": f"entityId={firm}",
        "/api/ledger/books": f"entityId={firm}",
        "/api/ledger/journal-entries": f"entityId={firm}",
        "/api/practice/billing/invoices": f"firmEntityId={firm}",
        "/api/practice/billing/payments": f"firmEntityId={firm}",
        "/api/practice/clients": f"firmEntityId={firm}",
        "/api/practice/engagements": f"firmEntityId={firm}",
        "/api/practice/time": f"firmEntityId={firm}",
        "/api/reports/share": f"entityId={firm}",
        "/api/practice/webhooks": f"firmEntityId={firm}",
        "/api/practice/staff": f"firmEntityId={firm}",
    }
    cursors = {}
    first_webhook = persona.client.get(f"/api/practice/webhooks?firmEntityId={firm}").json()
    deliveries = f"/api/practice/webhooks/{first_webhook['webhooks'][0]['id']}/deliveries"
    lists[deliveries] = f"firmEntityId={firm}"
    for path, query in lists.items():
        response = persona.client.get(f"{path}?{query}&limit=1")
        assert response.status_code == 200, (path, response.content)
        cursors[path] = response.json()["nextCursor"]
        assert cursors[path], path
    # A deliveries cursor is a position in any endpoint's deliveries (newest first).
    cursors["/api/practice/webhooks/{webhook_id}/deliveries"] = cursors.pop(deliveries)
    # A history cursor is a position in any row's history (oldest first): take one from an
    # invoice and its billed entry (created, then posted or marked: two records each).
    invoice = persona.client.get(f"/api/practice/billing/invoices?firmEntityId={firm}").json()
    invoice = invoice["invoices"][0]
    histories = {
        "/api/practice/time/{time_entry_id}/history": (
            f"/api/practice/time/{invoice['lines'][0]['timeEntryId']}/history"
        ),
        "/api/practice/billing/invoices/{invoice_id}/history": (
            f"/api/practice/billing/invoices/{invoice['id']}/history"
        ),
    }
    for template, path in histories.items():
        response = persona.client.get(f"{path}?firmEntityId={firm}&limit=1")
        assert response.status_code == 200, (path, response.content)
        cursors[template] = response.json()["nextCursor"]
        assert cursors[template], path
    return cursors


def _schema_document() -> dict:
    generator = SchemaGenerator()
    document = generator.get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _documented_ids(document) -> set[str]:
    """The ids the operations' examples show (strings of the id form inside any `examples`)."""
    found: set[str] = set()

    def walk(node, in_examples: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, in_examples or key == "examples")
        elif isinstance(node, list):
            for value in node:
                walk(value, in_examples)
        elif in_examples and isinstance(node, str) and DOCUMENTED_ID.match(node):
            found.add(node)

    walk(document, False)
    return found


def _config(seeded: dict) -> SchemathesisConfig:
    dictionaries = {
        name: {"values": values} for name, values in seeded.items() if isinstance(values, list)
    }
    dictionaries = {name: d for name, d in dictionaries.items() if d["values"]}

    def real(name: str) -> dict:
        return {"dictionary": name, "probability": REAL_ID_PROBABILITY}

    def always(name: str) -> dict:
        # An id in a body that names nothing is a 400 by design (the field is invalid), so valid
        # bodies always carry real ones; wrong ids in bodies are for the authorization matrix.
        return {"dictionary": name, "probability": 1.0}

    firm = seeded["firm"][0]
    parameters = {
        "query.firmEntityId": firm,
        "body.firmEntityId": always("firm"),
        "query.entityId": real("entity"),
        "body.entityId": always("entity"),
        "query.clientEntityId": real("client"),
        "body.clientEntityId": always("client"),
        "query.bookId": real("book"),
        "body.bookId": always("book"),
        "body.parameters.bookId": always("book"),
        "body.lines[*].accountId": always("account"),
        "query.timeEntryId": real("time_entry"),
        "body.timeEntryIds[*]": always("unbilled"),
        "query.engagementId": real("engagement"),
        "body.engagementId": always("engagement"),
        "body.taskId": always("task"),
        "query.userId": real("user"),
        "query.assigneeUserId": real("user"),
        "body.userId": always("user"),
        "body.assigneeUserId": always("user"),
        "path.entity_id": real("client"),
        "path.time_entry_id": real("time_entry"),
        "path.engagement_id": real("engagement"),
        "path.task_id": real("task"),
        "path.invoice_id": real("invoice"),
        "path.payment_id": real("payment"),
        "body.items[*].engagementId": always("engagement"),
        "path.share_id": real("share"),
        "path.token": real("token"),
        "path.webhook_id": real("webhook"),
        "path.timer_id": real("timer"),
        "path.user_id": real("user"),
        "path.journal_entry_id": real("journal_entry"),
    }
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "workers": 1,
            "base-url": "http://localhost",
            # No example database: a run replays nothing from an earlier one, so it is the same
            # here and in CI.
            "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": True},
            },
            "checks": {"enabled": True},
            "auth": {"openapi": {"firmApiKey": {"bearer": seeded["persona"].key}}},
            "warnings": {"fail-on": ["missing_auth", "missing_test_data"]},
            "cache": {"enabled": False},
            "dictionaries": dictionaries,
            "parameters": parameters,
        }
    )


def _consistent(case, relations: dict, rng: random.Random):
    """Make a valid (positive) case satisfy the rules between its fields that a schema cannot
    state, so that it reaches the business logic (breaking one answers a documented error).
    Negative cases are left as generated."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return case
    path, method = case.operation.path, case.method.upper()
    query = case.query if isinstance(case.query, dict) else {}
    body = case.body if isinstance(case.body, dict) else {}

    # The coverage phase builds valid cases from the schema's example ids (all zeros), and the
    # examples phase sends the operations' documented examples: ids no firm here has. Give them
    # seeded ids of the same kind, as the dictionaries do in the other phases.
    nested = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    for holder in (query, body, nested, case.path_parameters or {}):
        for name, value in list(holder.items()):
            if isinstance(value, str) and (
                EXAMPLE_ID.match(value) or value in relations["documented_ids"]
            ):
                holder[name] = rng.choice(relations["by_prefix"][value.split("_", 1)[0]])
    # The examples phase sends each documented example once, its path ids drawn at random: a
    # seeded id of the same kind lets that one case reach the operation (the other phases draw
    # unknown ids too, so the 404 paths still run).
    if case.meta.phase.name == TestPhase.EXAMPLES:
        for name, value in list((case.path_parameters or {}).items()):
            prefix = value.split("_", 1)[0] if isinstance(value, str) else None
            seeded = relations["by_prefix"].get(prefix, [])
            if seeded and value not in seeded:
                case.path_parameters[name] = rng.choice(seeded)
    # A CSV is the whole filtered set: `limit` and `cursor` are refused with format=csv.
    if query.get("format") == "csv":
        query.pop("limit", None)
        query.pop("cursor", None)
    if "firmEntityId" in body and any(
        p.get("name") == "firmEntityId" and p.get("in") == "query"
        for p in case.operation.definition.raw.get("parameters", [])
    ):
        # The query string names the firm (a fixed parameter, added when the request is sent).
        body["firmEntityId"] = relations["firm"]
    # Cursors are signed by the server: only a nextCursor it gave is valid.
    if "cursor" in query and path in relations["cursors"]:
        query["cursor"] = relations["cursors"][path]
    # firmEntityId may be given in the query string and in the body: the same firm.
    if "firmEntityId" in query and "firmEntityId" in body:
        body["firmEntityId"] = query["firmEntityId"]
    # A period runs forward, over at most five years.
    for holder in (
        query,
        body.get("parameters") if isinstance(body.get("parameters"), dict) else {},
    ):
        _forward_period(holder, "from", "to")
    _forward_period(body, "startDate", "dueDate")
    # A comparison goes with a report that has one (not the general ledger) and a period it can
    # reach back from (not the year 1).
    if path == "/api/reports/pdf":
        _comparable(query, query.get("report"))
    if path == "/api/reports/share" and method == "POST" and isinstance(nested, dict):
        _comparable(nested, body.get("reportType"))
    _forward_period(body, "issueDate", "dueDate")
    # An invoice is due on or after its issue date (today when not given).
    if path == "/api/practice/billing/invoice" and isinstance(body.get("dueDate"), str):
        body.setdefault("issueDate", min(body["dueDate"], timezone.localdate().isoformat()))
    # A lock date is not after today.
    if path == "/api/ledger/settings" and isinstance(body.get("lockDate"), str):
        body["lockDate"] = min(body["lockDate"], timezone.localdate().isoformat())
    # A book, its entity and its accounts belong together (looked up: the run creates some).
    parameters = body.get("parameters") if isinstance(body.get("parameters"), dict) else {}
    book = Book.objects.filter(
        public_id=body.get("bookId", query.get("bookId", parameters.get("bookId")))
    ).first()
    if book is not None:
        entity = book.entity.public_id
        for holder in (query, body):
            if "entityId" in holder:
                holder["entityId"] = entity
        if isinstance(body.get("lines"), list):
            accounts = list(
                Account.objects.filter(entity=book.entity).values_list("public_id", flat=True)
            )
            _balanced(body["lines"], accounts, rng)
    # A journal entry is read under its own entity's id.
    if path == "/api/ledger/journal-entries/{journal_entry_id}" and "entityId" in query:
        entry = JournalEntry.objects.filter(
            public_id=(case.path_parameters or {}).get("journal_entry_id")
        ).first()
        if entry is not None:
            query["entityId"] = entry.entity.public_id
    # An invoice bills unbilled time of its client: a few such entries, as they are now.
    if path == "/api/practice/billing/invoice" and isinstance(body.get("timeEntryIds"), list):
        body["timeEntryIds"] = _unbilled_time(
            body.get("firmEntityId"), body.get("clientEntityId"), len(body["timeEntryIds"])
        ) or list(dict.fromkeys(body["timeEntryIds"]))
    # Approvals name entries the firm has now (the coverage phase's example ids name none, and a
    # run deletes some): any other id becomes one of the firm's.
    approval = path in ("/api/practice/time/approve", "/api/practice/time/unapprove")
    if approval and isinstance(body.get("timeEntryIds"), list):
        body["timeEntryIds"] = _entries_of_firm(relations["firm"], body["timeEntryIds"])
    # An adjustment has its reason and keeps the total at 0 or more; items are the client's.
    if path == "/api/practice/billing/invoice":
        _invoice_extras(body)
    # A payment goes to an invoice with something due: at most that, on or after its issue date.
    if path == "/api/practice/billing/invoices/{invoice_id}/payments" and method == "POST":
        _payable(case, body, relations["firm"])
    # A void takes an invoice that can be voided, today, once the run has paid or locked the
    # seeded ones: a new invoice, with the lock dates cleared.
    if path == "/api/practice/billing/invoices/{invoice_id}/void":
        _voidable(case, relations["firm"])
    # The contract's PATCH /engagements: a taskId alone, or an engagementId with a status.
    if path == "/api/practice/engagements" and method == "PATCH":
        if "taskId" in body or "engagementId" not in body:
            body.setdefault("taskId", rng.choice(relations["by_prefix"]["task"]))
            body.pop("engagementId", None)
            body.pop("status", None)
        else:
            body.setdefault("status", "active")
    # A time entry's task belongs to its engagement, and both to its client.
    if path.startswith("/api/practice/time") and method in ("POST", "PATCH"):
        _time_references(case, body)
    # Archiving a client or deleting an entry takes a new one, not the seeded rows the other
    # operations work on (stateful runs delete what they created themselves).
    path_parameters = case.path_parameters or {}
    if (
        method == "DELETE"
        and path == "/api/practice/clients/{entity_id}"
        and path_parameters.get("entity_id") in relations["by_prefix"]["ent"]
    ):
        path_parameters["entity_id"] = _new_client(relations["firm"])
    if (
        method == "DELETE"
        and path == "/api/practice/time"
        and query.get("timeEntryId") in relations["seeded_entries"]
    ):
        query["timeEntryId"] = _new_time_entry(relations["firm"])
    # A share link opens while it is not revoked, expired or used up: runs revoke some.
    if path == "/api/reports/share/{token}":
        case.path_parameters["token"] = _open_share_token(
            case.path_parameters.get("token"), relations["firm"]
        )
    # A webhook goes to a receiver that may receive it (loopback is allowed in this run), and a
    # deleted endpoint is a new one, not one of the seeded endpoints the other operations use.
    if path.startswith("/api/practice/webhooks") and "url" in body:
        body["url"] = f"http://127.0.0.1:9/hook-{rng.randrange(10**6)}"
    if (
        method == "DELETE"
        and path == "/api/practice/webhooks/{webhook_id}"
        and path_parameters.get("webhook_id") in relations["by_prefix"]["wh"]
    ):
        path_parameters["webhook_id"] = _new_webhook(relations["firm"])
    # Stopping or discarding takes a running timer: a new one once the run ended a seeded one.
    if (
        path.startswith("/api/practice/timers/{timer_id}")
        and path_parameters.get("timer_id") in relations["by_prefix"]["tmr"]
        and not Timer.objects.filter(
            public_id=path_parameters["timer_id"], status="running"
        ).exists()
    ):
        path_parameters["timer_id"] = _new_timer(relations["firm"])
    # An engagement is due on or after its start.
    if path == "/api/practice/engagements/{engagement_id}" and isinstance(body.get("dueDate"), str):
        engagement = Engagement.objects.filter(
            public_id=(case.path_parameters or {}).get("engagement_id")
        ).first()
        if engagement is not None:
            body["dueDate"] = max(body["dueDate"], engagement.start_date.isoformat())
    # A fee belongs to a fixed-fee engagement, and a fixed-fee engagement has one.
    if path.startswith("/api/practice/engagements") and method in ("POST", "PATCH"):
        if body.get("fee") is not None:
            body["billingMethod"] = "fixed_fee"
        elif body.get("billingMethod") == "fixed_fee":
            body["fee"] = 150_000
        elif "fee" in body and "billingMethod" not in body:
            # Clearing the fee leaves the engagement fixed-fee without one, if it was: a 400 by
            # design. Clear it together with a move to hourly billing.
            body["billingMethod"] = "hourly"
    return case


def _invoice_extras(body: dict) -> None:
    """A write-up with a reason (a write-down could pass the subtotal), items on one of the
    client's engagements, amounts well inside a cents column."""
    adjustment = body.get("adjustment")
    if isinstance(adjustment, dict) and isinstance(adjustment.get("amount"), int):
        adjustment["amount"] = min(abs(adjustment["amount"]), 10**12)
        reason = adjustment.get("reason")
        adjustment["reason"] = reason if isinstance(reason, str) and reason.strip() else "Rush"
    items = body.get("items")
    if not isinstance(items, list):
        return
    engagement = (
        Engagement.objects.filter(client__public_id=body.get("clientEntityId"))
        .values_list("public_id", flat=True)
        .first()
    )
    for item in items:
        if not isinstance(item, dict):
            continue
        if isinstance(item.get("amount"), int):
            item["amount"] = min(item["amount"], 10**12)
        if isinstance(item.get("description"), str) and not item["description"].strip():
            item["description"] = "Filing fee"
        if item.get("engagementId") is not None:
            if engagement is None:
                item.pop("engagementId")
            else:
                item["engagementId"] = engagement


def _path_invoice(case, firm_id: str):
    """The firm's invoice the case's path names, or None (a generated id: the 404 path)."""
    from billing.models import Invoice

    return Invoice.objects.filter(
        firm__public_id=firm_id, public_id=(case.path_parameters or {}).get("invoice_id")
    ).first()


def _payable(case, body: dict, firm_id: str) -> None:
    path_parameters = case.path_parameters or {}
    invoice = _path_invoice(case, firm_id)
    if invoice is None:
        return
    if invoice.status == "void" or invoice.balance_due_cents <= 0:
        invoice = _new_invoice(firm_id)
        path_parameters["invoice_id"] = invoice.public_id
    if isinstance(body.get("amount"), int):
        body["amount"] = min(max(body["amount"], 1), invoice.balance_due_cents)
    if isinstance(body.get("date"), str):
        body["date"] = max(body["date"], invoice.issue_date.isoformat())


def _voidable(case, firm_id: str) -> None:
    invoice = _path_invoice(case, firm_id)
    if invoice is None:
        return
    if invoice.amount_paid_cents > 0 or invoice.status == "paid":
        case.path_parameters["invoice_id"] = _new_invoice(firm_id).public_id
    else:
        _unlocked(firm_id)


def _unlocked(firm_id: str) -> None:
    """Undo what the run's settings calls may have set and the hooks' own writes cannot meet:
    required approval and the time and ledger lock dates (today's postings, time in November)."""
    from axiomatic.ledger.models import LedgerSettings
    from practice.models import FirmProfile

    FirmProfile.objects.filter(firm__public_id=firm_id).update(
        require_approval=False, time_lock_date=None
    )
    LedgerSettings.objects.filter(entity__public_id=firm_id).update(lock_date=None)


def _new_invoice(firm_id: str):
    from billing.services.invoices import invoice_create_from_time
    from practice.models import ClientLink

    _unlocked(firm_id)
    link = ClientLink.objects.filter(firm__public_id=firm_id, archived_at__isnull=True).first()
    entries = _unbilled_time(firm_id, link.client.public_id, 1)
    return invoice_create_from_time(firm=link.firm, link=link, time_entry_ids=entries)


def _new_client(firm_id: str) -> str:
    from axiomatic.entities.models import Entity
    from practice.services.clients import client_create

    firm = Entity.objects.get(public_id=firm_id)
    link = client_create(
        firm=firm,
        name="Short-lived Client",
        type="llc",
        tier="STARTER",
        billing_mode="consolidated",
    )
    return link.client.public_id


def _new_webhook(firm_id: str) -> str:
    from axiomatic.entities.models import Entity
    from axiomatic.webhooks.services import endpoint_create

    firm = Entity.objects.get(public_id=firm_id)
    issued = endpoint_create(firm=firm, url="http://127.0.0.1:9/short-lived", event_types=["*"])
    return issued.endpoint.public_id


def _new_time_entry(firm_id: str) -> str:
    from practice.models import ClientLink
    from practice.services.time_entries import time_entry_create

    link = ClientLink.objects.filter(firm__public_id=firm_id, archived_at__isnull=True).first()
    entry = time_entry_create(
        firm=link.firm, link=link, work_date=dt.date(2026, 11, 2), hours=Decimal("0.50")
    )
    return entry.public_id


def _new_timer(firm_id: str) -> str:
    """A running timer of a new member of the firm (one timer runs per user)."""
    from axiomatic.entities.models import Membership
    from practice.models import ClientLink
    from practice.services.timers import timer_start
    from tests.factories import UserFactory

    link = ClientLink.objects.filter(firm__public_id=firm_id, archived_at__isnull=True).first()
    user = UserFactory()
    Membership.objects.create(user=user, entity=link.firm, role="MEMBER")
    return timer_start(firm=link.firm, link=link, default_user=user).timer.public_id


def _open_share_token(token, firm_id: str) -> str:
    """The token if its link still opens, else the token of a new link of the firm's books."""
    from django.db.models import F, Q
    from django.utils import timezone

    from reports.models import ReportShare
    from reports.services import _hash, share_create

    usable = ReportShare.objects.filter(
        Q(max_access_count__isnull=True) | Q(access_count__lt=F("max_access_count")),
        token_hash=_hash(str(token)),
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    if usable.exists():
        return token
    book = Book.objects.get(entity__public_id=firm_id, is_primary=True)
    _, token = share_create(
        entity=book.entity,
        book=book,
        report_type="balance_sheet",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 12, 31),
        expires_in_days=7,
        max_access_count=None,
    )
    return token


def _time_references(case, body: dict) -> None:
    """A time entry's task, engagement and client agree (as they are now in the database)."""
    task = Task.objects.filter(public_id=body.get("taskId")).select_related("engagement").first()
    if task is not None:
        if body.get("engagementId") is not None:
            body["engagementId"] = task.engagement.public_id
        engagement = task.engagement
    else:
        engagement = Engagement.objects.filter(public_id=body.get("engagementId")).first()
    if engagement is None:
        return
    client = engagement.client.public_id
    if case.method.upper() == "POST" or "entityId" in body:
        body["entityId"] = client
    else:
        entry = TimeEntry.objects.filter(
            public_id=(case.path_parameters or {}).get("time_entry_id")
        ).first()
        if entry is not None and entry.client_id != engagement.client_id:
            body["entityId"] = client


def _entries_of_firm(firm_id: str, ids: list) -> list:
    """`ids` with each one the firm has no entry for replaced by one it has."""
    entries = TimeEntry.objects.filter(firm__public_id=firm_id)
    have = set(entries.filter(public_id__in=ids).values_list("public_id", flat=True))
    some = entries.order_by("id").values_list("public_id", flat=True).first()
    return [i if i in have or some is None else some for i in ids]


def _unbilled_time(firm_id, client_id, wanted: int) -> list[str]:
    """Up to three unbilled entries of the client; logged now when the run has billed them all."""
    from practice.models import ClientLink, TimeEntry
    from practice.services.time_entries import time_entry_create

    link = ClientLink.objects.filter(
        firm__public_id=firm_id, client__public_id=client_id, archived_at__isnull=True
    ).first()
    if link is None:
        return []
    _unlocked(firm_id)
    count = min(max(wanted, 1), 3)
    unbilled = TimeEntry.objects.filter(
        firm=link.firm,
        client=link.client,
        billing_status="unbilled",
        billable=True,
        rate_cents__isnull=False,
    )
    ids = list(unbilled.order_by("id").values_list("public_id", flat=True)[:count])
    while len(ids) < count:
        entry = time_entry_create(
            firm=link.firm,
            link=link,
            work_date=dt.date(2026, 11, 2),
            hours=Decimal("1.00"),
            rate_cents=15_000,
        )
        ids.append(entry.public_id)
    return ids


def _balanced(lines: list, accounts: list[str], rng: random.Random) -> None:
    """Journal lines of the entry's accounts, each one side, debits equal to credits."""
    lines[:] = [dict(line) for line in lines if isinstance(line, dict)]
    if len(lines) < 2:
        return
    cap = MAX_CENTS // len(lines)
    for line in lines:
        if line.get("accountId") not in accounts:
            line["accountId"] = rng.choice(accounts)
        side = "debit" if (line.get("debit") or 0) > 0 else "credit"
        amount = min(max(line.get(side) or 0, 1), cap)
        line.pop("debit", None)
        line.pop("credit", None)
        line[side] = amount
    if all("debit" in line for line in lines):
        lines[-1]["credit"] = lines[-1].pop("debit")
    if all("credit" in line for line in lines):
        lines[0]["debit"] = lines[0].pop("credit")
    debits = sum(line.get("debit", 0) for line in lines)
    credits = sum(line.get("credit", 0) for line in lines)
    side = "credit" if debits > credits else "debit"
    next(line for line in lines if side in line)[side] += abs(debits - credits)


def _comparable(holder: dict, report) -> None:
    from reports.statements import comparison_period

    if not isinstance(holder.get("compare"), str):
        return
    if report == "general_ledger":
        holder.pop("compare")
        return
    try:
        first, last = dt.date.fromisoformat(holder["from"]), dt.date.fromisoformat(holder["to"])
        comparison_period(holder["compare"], first, last)
    except (KeyError, TypeError, ValueError):
        holder.pop("compare")


def _forward_period(holder: dict, start: str, end: str) -> None:
    if not isinstance(holder.get(start), str) or not isinstance(holder.get(end), str):
        return
    try:
        first, last = dt.date.fromisoformat(holder[start]), dt.date.fromisoformat(holder[end])
    except ValueError:
        return
    if first > last:
        first, last = last, first
    if (last - first).days > 5 * 365:
        last = first + dt.timedelta(days=365)
    holder[start], holder[end] = first.isoformat(), last.isoformat()


@pytest.fixture
def probes_without_socket_options(monkeypatch):
    """Schemathesis 4.32.5 sends its `ignored_auth` probes to a WSGI app with the socket options of
    a network run (max_redirects, verify, cert), which werkzeug's test client refuses; its regular
    calls drop them. Drop them for the probes too, or that check errors on every operation."""
    from schemathesis.transport.wsgi import WSGITransport

    send = WSGITransport.send

    def without_socket_options(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", without_socket_options)


@pytest.fixture
def in_process_app(settings, probes_without_socket_options):
    """The WSGI application, called from the engine's thread on this test's connection."""
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "testserver"]
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # the run registers endpoints on 127.0.0.1
    shared = {alias: connections[alias] for alias in connections}
    for connection in shared.values():
        connection.inc_thread_sharing()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application(), shared
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
        for connection in shared.values():
            connection.dec_thread_sharing()


def _use_the_test_connection(shared: dict) -> None:
    """In the engine's thread: use the test's connection (and its transaction)."""
    for alias, connection in shared.items():
        connections[alias] = connection


def test_the_api_passes_schemathesis(seeded_firm, in_process_app, request):
    app, shared = in_process_app
    document = _schema_document()
    seeded_firm["relations"]["documented_ids"] = _documented_ids(document)
    schema = schemathesis.openapi.from_dict(document, config=_config(seeded_firm))
    rng = random.Random(SEED)

    def on_the_test_connection(environ, start_response):
        _use_the_test_connection(shared)
        return app(environ, start_response)

    schema.app = on_the_test_connection

    def before_call(context, case, kwargs):
        # Runs right before each request of every phase, the stateful one included, once links
        # and fixed parameters are in: the last moment to make a valid case consistent.
        _use_the_test_connection(shared)
        _consistent(case, seeded_firm["relations"], rng)

    schemathesis.hook(before_call)
    request.addfinalizer(lambda: GLOBAL_HOOK_DISPATCHER.unregister(before_call))

    contexts: list[ExecutionContext] = []

    def context_factory(config):
        ctx = ExecutionContext(config=config)
        contexts.append(ctx)
        return ctx

    def events():
        # What the CLI's loader reports before the engine's own events.
        started = LoadingStarted(location="/api/schema/")
        yield started
        yield LoadingFinished.from_schema(
            schema,
            location="/api/schema/",
            start_time=started.timestamp,
            base_url=schema.get_base_url(),
        )
        yield from from_schema(schema).execute()

    config = schema.config
    with pytest.raises(SystemExit) as exited:
        execute_event_loop(
            events(),
            config=config,
            args=[],
            params={},
            output_handler=OutputHandler(config=config),
            context_factory=context_factory,
        )
    ctx = contexts[0]
    assert not ctx.warnings.missing_auth, ctx.warnings.missing_auth
    assert not ctx.warnings.missing_test_data, ctx.warnings.missing_test_data
    assert exited.value.code == 0, "Schemathesis found failures: see the report above"
