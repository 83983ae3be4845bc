"""GET /api/practice/time?format=csv over HTTP: the JSON list's rows and keys as a streamed file,
the same filters, the firm's rows only, the 400s, formula-safe text, a query a chunk, memory flat
at 15,000 rows and the first bytes out before the last chunk is read."""

import csv
import datetime as dt
import io
import json
import re
import tracemalloc

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.api.csv_export import CHUNK_ROWS
from tests.helpers import api, assert_error, db_fingerprint
from tests.practice.time_helpers import TIME, bulk_entries, create, listing, mark_billed, tasks_of

pytestmark = pytest.mark.django_db

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_response(persona, **params):
    params = {"firmEntityId": persona.firm.public_id, "format": "csv", **params}
    response = api(persona).request("GET", TIME, params=params)
    assert response.status_code == 200, response.content
    return response


def rows_of(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text, newline="")))


def expected_cell(value) -> str:
    """What the file must hold for a JSON value, written out here independently of the code."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return "'" + value if value.startswith(TRIGGERS) else value


def expected_rows(entries: list[dict]) -> list[list[str]]:
    """The header (the JSON entry's keys, the nested invoice's with dots) and each entry's row."""
    header = []
    for key in entries[0]:
        header += ["invoice.id", "invoice.number"] if key == "invoice" else [key]
    rows = []
    for entry in entries:
        row = []
        for key in header:
            if key.startswith("invoice."):
                row.append(expected_cell((entry["invoice"] or {}).get(key.split(".")[1])))
            else:
                row.append(expected_cell(entry[key]))
        rows.append(row)
    return [header] + rows


@pytest.fixture
def logged(alice, acme, make_client, bookkeeping):
    """Entries of every kind: with an engagement and task, non-billable, billed, approved."""
    other = make_client(alice, "Other Co")
    task = tasks_of(bookkeeping)[0]
    entries = [
        create(alice, acme, date="2026-01-05", hours=1.25, description="Plain, with a comma"),
        create(
            alice,
            acme,
            date="2026-01-06",
            hours=2,
            engagementId=bookkeeping.public_id,
            taskId=task.public_id,
            description='Quoted "text"\nand a line break',
        ),
        create(alice, acme, date="2026-01-07", hours=0.5, billable=False, rate=12_345),
        create(alice, other, date="2026-01-08", hours=3, externalReference="ext-1"),
    ]
    mark_billed(entries[3]["id"], "INV-0042")
    api(alice).post(
        f"{TIME}/approve",
        {"firmEntityId": alice.firm.public_id, "timeEntryIds": [entries[0]["id"]]},
        status=200,
    )
    return {"other": other, "entries": entries}


def test_the_file_is_the_json_list_header_and_rows(alice, logged):
    entries = listing(alice)["entries"]
    assert any(e["invoice"] for e in entries) and any(e["approvedBy"] for e in entries)
    assert any(e["engagementId"] for e in entries) and any(e["billable"] is False for e in entries)
    assert rows_of(csv_response(alice)) == expected_rows(entries)


def test_the_response_is_a_streamed_attachment_not_to_be_cached(alice, logged):
    response = csv_response(alice)
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.now().date().isoformat()
    filename = f"time-entries-{alice.firm.public_id}-{today}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert response["Cache-Control"] == "no-store"
    assert not b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")  # no BOM


def test_the_list_filters_apply(alice, logged, bookkeeping):
    acme_id = logged["entries"][0]["entityId"]
    for params in (
        {"clientEntityId": acme_id},
        {"billable": "false"},
        {"unbilledOnly": "true"},
        {"engagementId": bookkeeping.public_id},
        {"from": "2026-01-06", "to": "2026-01-07"},
        {"clientEntityId": acme_id, "billable": "true"},
    ):
        json_ids = [e["id"] for e in listing(alice, **params)["entries"]]
        assert 0 < len(json_ids) < 4, params
        csv_ids = [row[0] for row in rows_of(csv_response(alice, **params))[1:]]
        assert csv_ids == json_ids, params


def test_an_empty_set_is_the_header_row(alice, acme):
    rows = rows_of(csv_response(alice))
    assert len(rows) == 1 and rows[0][:3] == ["id", "entityId", "engagementId"]


def test_another_firms_rows_never_appear(alice, charlie, acme, globex):
    mine = create(alice, acme)
    theirs = [create(charlie, globex, description=f"theirs {i}")["id"] for i in range(3)]
    ids = [row[0] for row in rows_of(csv_response(alice))[1:]]
    assert ids == [mine["id"]]
    text = b"".join(csv_response(alice, clientEntityId=globex.client.public_id).streaming_content)
    assert not any(t.encode() in text for t in theirs)


def test_another_firm_is_the_same_404_as_an_unknown_one(alice, charlie, globex):
    create(charlie, globex)
    before = db_fingerprint()
    for firm_id in (charlie.firm.public_id, "ent_" + "0" * 26):
        params = {"firmEntityId": firm_id, "format": "csv"}
        assert_error(api(alice).request("GET", TIME, params=params), 404, "not_found")
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"limit": "10"}, {"limit"}),
        ({"cursor": "abc"}, {"cursor"}),
        ({"limit": "10", "cursor": "abc"}, {"limit", "cursor"}),
        ({"limit": "junk"}, {"limit"}),
    ],
)
def test_limit_and_cursor_with_csv_are_a_400_saying_to_leave_them_out(alice, acme, params, fields):
    create(alice, acme)
    query = {"firmEntityId": alice.firm.public_id, "format": "csv", **params}
    error = assert_error(api(alice).request("GET", TIME, params=query), 400, "validation_error")
    assert set(error["fields"]) == fields
    assert all("Leave this out" in error["fields"][f][0] for f in fields)


@pytest.mark.parametrize("fmt", ["xlsx", "CSV", "pdf", "csv "])
def test_an_unknown_format_is_a_400(alice, acme, fmt):
    query = {"firmEntityId": alice.firm.public_id, "format": fmt}
    error = assert_error(api(alice).request("GET", TIME, params=query), 400, "validation_error")
    assert set(error["fields"]) == {"format"}


def test_format_json_is_the_paged_list(alice, acme):
    create(alice, acme)
    assert listing(alice, format="json", limit=1) == listing(alice, limit=1)


def test_text_that_looks_like_a_formula_is_neutralised(alice, acme):
    descriptions = ['=HYPERLINK("http://evil.test","click")', "+1", "-2", "@x", "a=b", "1-2"]
    for i, text in enumerate(descriptions):
        create(alice, acme, date=f"2026-01-{10 + i}", description=text, rate=10_000)
    rows = rows_of(csv_response(alice))
    column = rows[0].index("description")
    amount = rows[0].index("amount")
    got = {row[column] for row in rows[1:]}
    assert got == {
        '\'=HYPERLINK("http://evil.test","click")',
        "'+1",
        "'-2",
        "'@x",
        "a=b",
        "1-2",
    }
    assert all(re.fullmatch(r"\d+", row[amount]) for row in rows[1:])  # numbers stay numbers


# --- Queries, memory and streaming ----------------------------------------------------------------


def _chunk_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "practice_timeentry" in q["sql"]]


def _consumed_queries(persona, **params) -> tuple[int, int, int]:
    """(all queries of the request and its stream, those reading time entries, data rows)."""
    api(persona).get(TIME, {"firmEntityId": persona.firm.public_id})  # stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        rows = rows_of(csv_response(persona, **params))
    return len(ctx.captured_queries), len(_chunk_queries(ctx.captured_queries)), len(rows) - 1


def test_one_query_per_chunk_whatever_the_rows(alice, acme, bookkeeping):
    fields = {"engagement": bookkeeping, "task": tasks_of(bookkeeping)[0], "user": alice.user}
    bulk_entries(alice, acme, 10, **fields)
    few = _consumed_queries(alice)
    bulk_entries(alice, acme, 4990, **fields)
    many = _consumed_queries(alice)
    assert few[1:] == (1, 10)
    assert many[1:] == (3, 5000)  # 5,000 rows: chunks of 2,000, 2,000 and 1,000
    assert many[0] - few[0] == 2  # the same queries a chunk: nothing per row


def _stream_traced(persona) -> tuple[int, int, int, int]:
    """Read the file and throw it away while memory is traced: (peak traced memory, lines, chunk
    queries run when the first piece arrived, chunk queries in all)."""
    with CaptureQueriesContext(connection) as ctx:
        response = csv_response(persona)
        tracemalloc.start()
        pieces = iter(response.streaming_content)
        first = next(pieces)
        assert first.startswith(b"id,entityId,")
        at_first = len(_chunk_queries(ctx.captured_queries))
        lines = first.count(b"\n") + sum(piece.count(b"\n") for piece in pieces)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return peak, lines, at_first, len(_chunk_queries(ctx.captured_queries))


def _bulk(persona, link, count):
    bulk_entries(persona, link, count, start=dt.date(2025, 1, 1), description="Month-end close")


def test_15000_rows_stream_in_flat_memory_and_the_first_bytes_leave_early(alice, acme):
    # Three chunks, then three times the rows in eight. Three times is enough to tell flat memory
    # from memory that grows with the rows (all of them held at once would be about three times
    # the first peak; the bound is 1.5 times), and the rows streamed under tracemalloc are what
    # the test costs: ten times (50,000) took over three times as long and proved nothing more.
    _bulk(alice, acme, 5_000)
    small_peak, small_lines, _, small_chunks = _stream_traced(alice)
    _bulk(alice, acme, 10_000)
    big_peak, big_lines, at_first, big_chunks = _stream_traced(alice)
    assert (small_lines, small_chunks) == (5_001, 3)
    assert (big_lines, big_chunks) == (15_001, -(-15_000 // CHUNK_ROWS))  # 8 chunk queries
    # Three times the rows in the memory of one chunk and the buffer, not three times more.
    assert big_peak < 1.5 * small_peak
    # The first piece left after the first chunk's query, long before the last.
    assert at_first == 1
