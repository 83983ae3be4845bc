"""GET /api/practice/billing/invoices?format=csv: every invoice of the filtered set as one streamed
file, with the JSON list's keys as its header and the JSON's values in its cells; formula-safe
text; a constant number of queries per chunk of about 2,000 invoices, so the first bytes leave
after the first chunk's query and memory stays flat however many invoices there are."""

import csv
import datetime as dt
import io
import json
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.core.ids import new_public_id
from billing.models import Invoice, InvoiceLine, Payment
from tests.billing.invoice_helpers import INVOICES, bill, invoices, log, void_url
from tests.helpers import api, assert_error, in_firm
from tests.lookalike import assert_same_404

pytestmark = pytest.mark.django_db

CHUNK = 2000


def export(persona, **params):
    """The CSV response, its content not read yet."""
    query = {"firmEntityId": persona.firm.public_id, "format": "csv", **params}
    return api(persona).request("GET", INVOICES, params=query)


def rows_of(response) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def cell_means(cell: str, value) -> bool:
    """Whether a CSV cell says what the JSON says: null empty, booleans true/false, numbers as
    JSON writes them, lists as JSON text, text as it is (a formula's start behind an apostrophe)."""
    if value is None:
        return cell == ""
    if isinstance(value, bool):
        return cell == ("true" if value else "false")
    if isinstance(value, int | float):
        return cell == json.dumps(value)
    if isinstance(value, list):
        return json.loads(cell) == value
    return cell == value


def assert_matches_json(persona, response, **params):
    header, rows = rows_of(response)
    listed = invoices(persona, **params)["invoices"]
    assert listed, "compare with a list that has invoices"
    assert header == list(listed[0])
    assert [row["id"] for row in rows] == [item["id"] for item in listed]
    for row, item in zip(rows, listed, strict=True):
        wrong = {k: (row[k], v) for k, v in item.items() if not cell_means(row[k], v)}
        assert wrong == {}, item["id"]
    return rows


# --- What the file holds ------------------------------------------------------------------------


@pytest.fixture
def three_invoices(alice, acme, make_client):
    """Two of Acme's (one paid in part, one void) and one of another client's, written down."""
    other = make_client(alice, "Other Co")
    first = bill(alice, acme, [log(alice, acme, "2.00", description="Close")])["invoice"]
    api(alice).post(
        f"{INVOICES}/{first['id']}/payments",
        {
            "amount": 5_000,
            "date": timezone.localdate().isoformat(),
            "method": "check",
            "reference": "1042",
        },
        params=in_firm(alice.firm.public_id),
    )
    voided = bill(alice, acme, [log(alice, acme, "1.00")])["invoice"]
    api(alice).post(void_url(voided["id"]), params=in_firm(alice.firm.public_id), status=200)
    third = bill(
        alice,
        other,
        [log(alice, other, "3.00")],
        adjustment={"amount": -2_500, "reason": "Courtesy"},
        items=[{"description": "Filing fee", "amount": 4_000}],
    )["invoice"]
    return first["id"], voided["id"], third["id"]


def test_the_file_is_the_json_list_as_rows_with_its_keys_as_header(alice, three_invoices):
    response = export(alice)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    day = timezone.now().date().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="invoices-{alice.firm.public_id}-{day}.csv"'
    )
    rows = assert_matches_json(alice, response)
    first, voided, third = three_invoices
    assert [row["id"] for row in rows] == [third, voided, first]
    by_id = {row["id"]: row for row in rows}
    assert by_id[third]["adjustment"] == "-2500"  # a number of ours keeps its minus sign
    assert by_id[third]["adjustmentReason"] == "Courtesy"
    assert by_id[first]["adjustmentReason"] == ""  # null
    assert by_id[voided]["status"] == "void" and by_id[voided]["voidedAt"]
    assert json.loads(by_id[first]["payments"])[0]["reference"] == "1042"


def test_the_file_has_every_row_with_no_pagination(alice, acme):
    for _ in range(5):
        bill(alice, acme, [log(alice, acme, "1.00")])
    header, rows = rows_of(export(alice))
    assert len(rows) == 5
    assert len({row["id"] for row in rows}) == 5


@pytest.mark.parametrize("filters", ["status", "client", "both"])
def test_the_lists_filters_apply(alice, acme, three_invoices, filters):
    first, voided, third = three_invoices
    params = {
        "status": {"status": "open"},
        "client": {"clientEntityId": acme.client.public_id},
        "both": {"status": "void", "clientEntityId": acme.client.public_id},
    }[filters]
    rows = assert_matches_json(alice, export(alice, **params), **params)
    expected = {"status": [third], "client": [voided, first], "both": [voided]}[filters]
    assert [row["id"] for row in rows] == expected


def test_a_filter_that_matches_nothing_is_the_header_alone(alice, three_invoices, charlie, globex):
    bill(charlie, globex, [log(charlie, globex, "1.00")])
    response = export(alice, clientEntityId=globex.client.public_id)
    header, rows = rows_of(response)
    assert header[0] == "id" and "balanceDue" in header
    assert rows == []


def test_another_firms_invoices_never_appear(alice, three_invoices, charlie, globex):
    theirs = {bill(charlie, globex, [log(charlie, globex, "1.00")])["invoice"]["id"]}
    _, rows = rows_of(export(alice))
    assert {row["id"] for row in rows}.isdisjoint(theirs) and len(rows) == 3
    _, rows = rows_of(export(charlie))
    assert {row["id"] for row in rows} == theirs
    # Alice naming Charlie's firm: the 404 of a firm that is not hers, before any CSV.
    assert_same_404(
        export(alice, firmEntityId=charlie.firm.public_id),
        export(alice, firmEntityId=new_public_id("ent")),
        api(alice).request("GET", INVOICES, params=in_firm(charlie.firm.public_id)),
    )


def test_a_viewer_exports_and_anonymous_is_401(alice, bob, anon, three_invoices):
    _, rows = rows_of(export(bob))
    assert len(rows) == 3
    response = anon.get(INVOICES, {"firmEntityId": alice.firm.public_id, "format": "csv"})
    assert_error(response, 401, "not_authenticated")


# --- Refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"limit": "10"}, {"limit"}),
        ({"cursor": "abc"}, {"cursor"}),
        ({"limit": "10", "cursor": "abc"}, {"limit", "cursor"}),
    ],
)
def test_limit_or_cursor_with_csv_is_400_saying_to_leave_them_out(alice, acme, params, fields):
    bill(alice, acme, [log(alice, acme)])
    error = assert_error(export(alice, **params), 400, "validation_error")
    assert set(error["fields"]) == fields
    for name in fields:
        assert "Leave this out" in error["fields"][name][0]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf", "CSV", "csv "])
def test_an_unknown_format_is_400(alice, acme, fmt):
    bill(alice, acme, [log(alice, acme)])
    response = api(alice).request(
        "GET", INVOICES, params={"firmEntityId": alice.firm.public_id, "format": fmt}
    )
    assert "format" in assert_error(response, 400, "validation_error")["fields"]


def test_json_stays_the_default_and_format_json_pages_as_before(alice, acme):
    bill(alice, acme, [log(alice, acme)])
    plain = invoices(alice)
    assert invoices(alice, format="json") == plain
    assert invoices(alice, format="json", limit=1)["invoices"] == plain["invoices"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"status": "draft"}, "status"), ({"clientEntityId": "acme"}, "clientEntityId")],
)
def test_bad_filters_are_the_lists_400s(alice, acme, extra, field):
    bill(alice, acme, [log(alice, acme)])
    assert field in assert_error(export(alice, **extra), 400, "validation_error")["fields"]


# --- Formula injection --------------------------------------------------------------------------


# (A tab or CR first is neutralised too: the API trims them off a reason, axiomatic.core.cells'
# own tests cover them.)
@pytest.mark.parametrize(
    "typed", ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]
)
def test_text_a_user_typed_never_starts_a_formula(alice, acme, typed):
    bill(
        alice,
        acme,
        [log(alice, acme, "1.00", description=typed)],
        adjustment={"amount": -100, "reason": typed},
    )
    _, [row] = rows_of(export(alice))
    assert row["adjustmentReason"] == "'" + typed
    assert row["adjustment"] == "-100"
    # The lines are one cell of JSON: it starts with "[", and says what the JSON says.
    assert row["lines"].startswith("[")
    assert json.loads(row["lines"])[0]["description"] == typed


# --- Queries, streaming and memory --------------------------------------------------------------


def bulk_invoices(persona, link, count: int, *, start: int = 1) -> None:
    """`count` open invoices of one item line each, numbered from `start`, straight into the
    tables (no postings: what the export reads is the rows)."""
    today = dt.date(2026, 3, 1)
    made = Invoice.objects.bulk_create(
        Invoice(
            firm=persona.firm,
            client=link.client,
            number=number,
            issue_date=today,
            due_date=today,
            currency="USD",
            subtotal_cents=10_000 + number,
            total_cents=10_000 + number,
        )
        for number in range(start, start + count)
    )
    if made and made[0].pk is None:  # a database that hands back no ids from bulk_create
        made = Invoice.objects.filter(firm=persona.firm, number__gte=start)
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            kind="item",
            position=1,
            date=today,
            description=f"Monthly fee {invoice.number}",
            standard_amount_cents=invoice.total_cents,
            amount_cents=invoice.total_cents,
        )
        for invoice in made
    )


TABLES = {model.__name__: f'"{model._meta.db_table}"' for model in (Invoice, InvoiceLine, Payment)}


def reads_by_table(queries) -> dict[str, int]:
    """How many queries read each billing table (the table after FROM; the others are joins)."""
    return {
        name: sum(q["sql"].split(" FROM ", 1)[-1].startswith(table) for q in queries)
        for name, table in TABLES.items()
    }


def all_queries(persona) -> int:
    export(persona)  # warm up: the first call of a minute also stamps the key's last use
    with CaptureQueriesContext(connection) as ctx:
        rows_of(export(persona))
    return len(ctx.captured_queries)


def test_the_query_count_does_not_grow_with_the_rows_of_a_chunk(alice, acme):
    bulk_invoices(alice, acme, 1)
    one = all_queries(alice)
    bulk_invoices(alice, acme, CHUNK - 1, start=2)
    assert all_queries(alice) == one
    _, rows = rows_of(export(alice))
    assert len(rows) == CHUNK


def _streamed(persona) -> tuple[int, int, dict, int]:
    """Export under tracemalloc and a query capture, reading the body piece by piece (never all of
    it at once): (rows, the invoice queries run when the first piece arrived, the queries per
    table in all, the peak of memory allocated)."""
    tracemalloc.start()
    try:
        with CaptureQueriesContext(connection) as ctx:
            response = export(persona)
            assert response.status_code == 200 and response.streaming
            pieces = iter(response.streaming_content)
            first = next(pieces)
            at_first = reads_by_table(ctx.captured_queries)["Invoice"]
            newlines = first.count(b"\n") + sum(piece.count(b"\n") for piece in pieces)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.startswith(b"id,number,clientEntityId,")
    return newlines - 1, at_first, reads_by_table(ctx.captured_queries), peak


def test_many_rows_stream_in_chunks_first_bytes_early_and_memory_flat(alice, acme):
    # Three chunks first (2,000 + 2,000 + 1): the export holds at most the chunk it serializes
    # and the one it reads next, as it will with any number of chunks.
    bulk_invoices(alice, acme, 2 * CHUNK + 1)
    export(alice)  # warm up
    rows, _, queries, small_peak = _streamed(alice)
    assert rows == 2 * CHUNK + 1
    assert queries == {"Invoice": 3, "InvoiceLine": 3, "Payment": 3}

    # Then three times the rows, seven chunks. Three times is enough to tell flat memory from
    # memory that grows with the rows (all of them held at once would be about three times the
    # first peak; the bound is 1.3 times), and this many rows streamed under tracemalloc is what
    # the test costs: five times (20,001) took over a minute on PostgreSQL and proved nothing more.
    bulk_invoices(alice, acme, 8_000, start=2 * CHUNK + 2)  # 12,001: seven chunks
    rows, at_first, queries, large_peak = _streamed(alice)
    assert rows == 12_001
    # One query per chunk (with its lines and payments): the first bytes left after the first.
    assert at_first == 1
    assert queries == {"Invoice": 7, "InvoiceLine": 7, "Payment": 7}
    # Three times the rows, about the same memory.
    assert large_peak < 1.3 * small_peak, (small_peak, large_peak)
