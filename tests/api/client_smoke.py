"""What an integration does first, written only with a client generated from our OpenAPI schema.

`tests/api/test_generated_client.py` generates the `axiomatic_client` package from the live schema
into a temporary folder, puts that folder on `sys.path` and then imports this module. Everything
below goes through the generated typed functions (`axiomatic_client.api.<tag>.<operation id>`) and
models: a schema whose client cannot do this (a missing operation, a wrong type, a response that
does not parse into its model) fails here.
"""

import datetime as dt
from dataclasses import dataclass

import attrs
from axiomatic_client import AuthenticatedClient
from axiomatic_client.api.ledger import ledger_books_list, ledger_journal_entries_get
from axiomatic_client.api.practice import (
    practice_billing_invoice_create,
    practice_billing_invoice_get,
    practice_clients_create,
    practice_clients_get,
    practice_time_create,
    practice_time_get,
    practice_time_list,
)
from axiomatic_client.api.reports import reports_statement
from axiomatic_client.models import (
    ClientCreateRequest,
    ClientEnvelope,
    ClientItemEnvelope,
    Error,
    InvoiceCreated,
    InvoiceCreateRequest,
    InvoiceEnvelope,
    JournalEntryEnvelope,
    PaginatedBookList,
    PracticeBillingInvoiceGetFormat,
    PracticeTimeListUnbilledOnly,
    ReportsStatementFormat,
    ReportsStatementReport,
    StatementJson,
    TimeCreateRequest,
    TimeEntryEnvelope,
    TimeList,
)

UNKNOWN_INVOICE = "inv_" + "0" * 26


class SmokeFailure(AssertionError):
    pass


@dataclass
class Outcome:
    client_entity_id: str
    time_entry_ids: list[str]
    listed_ids: list[str]
    listed_hours: float
    invoice_id: str
    invoice_total: int
    fetched_invoice_id: str
    fetched_client: tuple[str, str]
    fetched_entry: tuple[str, float, str | None]
    journal_entry: tuple[str, str, dt.date]
    not_found: tuple[int, str]
    request_ids: tuple[str, str | None]
    statement: StatementJson


def expect(result, model: type):
    """The parsed body when it is `model` and carries no key its schema leaves out; an `Error` (or
    nothing) says what the server answered."""
    if isinstance(result, model):
        if extra := undocumented(result, model.__name__):
            raise SmokeFailure(f"the response has keys its schema does not list: {extra}")
        return result
    if isinstance(result, Error):
        raise SmokeFailure(f"expected {model.__name__}, the server answered {result.to_dict()}")
    raise SmokeFailure(f"expected {model.__name__}, got {result!r}")


def undocumented(value, where: str) -> list[str]:
    """Keys a generated model received beyond the properties its schema declares, anywhere inside.

    Every generated model keeps unknown keys in `additional_properties` instead of refusing them;
    only a model without declared properties (a free-form map, like an error's `fields`) may.
    """
    if isinstance(value, list):
        return [key for n, item in enumerate(value) for key in undocumented(item, f"{where}[{n}]")]
    if not attrs.has(type(value)):
        return []
    declared = [f for f in attrs.fields(type(value)) if f.name != "additional_properties"]
    found = [f"{where}.{key}" for key in value.additional_properties] if declared else []
    for field in declared:
        found += undocumented(getattr(value, field.name), f"{where}.{field.name}")
    return found


def run(base_url: str, api_key: str, firm_id: str, *, day: dt.date) -> Outcome:
    api = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)
    with api:
        created = expect(
            practice_clients_create.sync(
                client=api,
                body=ClientCreateRequest(firm_entity_id=firm_id, name="Initech LLC"),
                idempotency_key="smoke-client-1",
            ),
            ClientEnvelope,
        )
        client_id = created.entity.id

        entries = [
            expect(
                practice_time_create.sync(
                    client=api,
                    body=TimeCreateRequest(
                        firm_entity_id=firm_id,
                        entity_id=client_id,
                        date=day,
                        hours=hours,
                        description=f"Month-end close, part {n}",
                        rate=15_000,
                    ),
                ),
                TimeEntryEnvelope,
            ).entry
            for n, hours in enumerate((1.5, 2.25), start=1)
        ]
        entry_ids = [entry.id for entry in entries]

        listed = expect(
            practice_time_list.sync(
                client=api,
                firm_entity_id=firm_id,
                client_entity_id=client_id,
                from_=day,
                to=day,
                unbilled_only=PracticeTimeListUnbilledOnly.TRUE,
                limit=10,
            ),
            TimeList,
        )

        invoice = expect(
            practice_billing_invoice_create.sync(
                client=api,
                body=InvoiceCreateRequest(
                    firm_entity_id=firm_id,
                    client_entity_id=client_id,
                    time_entry_ids=[entry.id for entry in listed.entries],
                    issue_date=day,
                ),
                idempotency_key="smoke-invoice-1",
            ),
            InvoiceCreated,
        ).invoice

        fetched = expect(
            practice_billing_invoice_get.sync(
                invoice.id,
                client=api,
                firm_entity_id=firm_id,
                format_=PracticeBillingInvoiceGetFormat.JSON,
            ),
            InvoiceEnvelope,
        ).invoice

        fetched_client = expect(
            practice_clients_get.sync(client_id, client=api, firm_entity_id=firm_id),
            ClientItemEnvelope,
        ).client
        fetched_entry = expect(
            practice_time_get.sync(entry_ids[0], client=api, firm_entity_id=firm_id),
            TimeEntryEnvelope,
        ).entry

        posted = expect(
            ledger_journal_entries_get.sync(
                invoice.journal_entry_id, client=api, entity_id=firm_id
            ),
            JournalEntryEnvelope,
        ).journal_entry

        # An id that matches no invoice: the documented 404, parsed into the error model.
        missing = practice_billing_invoice_get.sync_detailed(
            UNKNOWN_INVOICE, client=api, firm_entity_id=firm_id
        )
        error = expect(missing.parsed, Error).error
        not_found = (missing.status_code, error.code)
        request_ids = (error.request_id, missing.headers.get("Request-Id"))

        books = expect(ledger_books_list.sync(client=api, entity_id=firm_id), PaginatedBookList)
        statement = _statement(
            api, firm_id, _primary_book_id(books), ReportsStatementReport.INCOME_STATEMENT, day
        )

    return Outcome(
        client_entity_id=client_id,
        time_entry_ids=entry_ids,
        listed_ids=[entry.id for entry in listed.entries],
        listed_hours=listed.total_hours,
        invoice_id=invoice.id,
        invoice_total=invoice.total,
        fetched_invoice_id=fetched.id,
        fetched_client=(fetched_client.id, fetched_client.name),
        fetched_entry=(fetched_entry.id, fetched_entry.hours, fetched_entry.invoice_id),
        journal_entry=(posted.id, posted.book_id, posted.date),
        not_found=not_found,
        request_ids=request_ids,
        statement=statement,
    )


def _primary_book_id(books: PaginatedBookList) -> str:
    primary = [book.id for book in books.books if book.is_primary]
    if len(primary) != 1:
        raise SmokeFailure(f"expected one primary book, got {books.books!r}")
    return primary[0]


def _statement(api, entity_id: str, book_id: str, report, day: dt.date) -> StatementJson:
    result = reports_statement.sync(
        client=api,
        entity_id=entity_id,
        book_id=book_id,
        report=report,
        from_=day,
        to=day,
        format_=ReportsStatementFormat.JSON,
    )
    return expect(result, StatementJson)
