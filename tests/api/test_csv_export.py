"""The streamed CSV helper: the formula rule, columns from a serializer, cells as the JSON shows
them, pieces of about 16 KiB produced lazily, keyset chunks one query each, and the format rules."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from axiomatic.api import csv_export
from axiomatic.api.csv_export import (
    CsvColumn,
    csv_cell,
    csv_columns,
    csv_response,
    csv_row,
    csv_stream,
    export_filename,
    export_format,
    keyset_chunks,
)
from axiomatic.core.cells import CSV_CHUNK_CHARS, FORMULA_TRIGGERS, neutralised
from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import Entity
from reports import spreadsheets
from tests.factories import EntityFactory

# --- The one formula rule --------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_starting_like_a_formula_gets_an_apostrophe(start):
    assert neutralised(f"{start}1+1") == f"'{start}1+1"
    assert csv_cell(f"{start}SUM(A1)") == f"'{start}SUM(A1)"


def test_other_text_is_left_alone():
    for text in ("Month-end close", "a=b", "1-2", " =x", "", "'=x already quoted? no: kept"):
        assert neutralised(text) == text


def test_reports_use_the_same_rule():
    assert spreadsheets.neutralised is neutralised
    assert spreadsheets.FORMULA_TRIGGERS is FORMULA_TRIGGERS


# --- Cells -----------------------------------------------------------------------------------------


def test_cells_are_the_json_values():
    assert csv_cell(None) == ""
    assert csv_cell(True) == "true" and csv_cell(False) == "false"
    assert csv_cell(2.5) == "2.5" and csv_cell(0.1) == "0.1"
    assert csv_cell(-1200) == "-1200"  # a number keeps its minus sign
    assert csv_cell(-0.5) == "-0.5"
    assert csv_cell(Decimal("-12.50")) == "-12.5"
    assert csv_cell("2026-01-15") == "2026-01-15"
    assert csv_cell(dt.date(2026, 1, 15)) == "2026-01-15"
    assert csv_cell([{"id": "pay_1", "amount": -5}]) == '[{"id":"pay_1","amount":-5}]'


def test_a_number_fields_text_is_not_neutralised():
    assert csv_cell("-12.50", numeric=True) == "-12.50"
    assert csv_cell("-12.50") == "'-12.50"


# --- Columns from a serializer --------------------------------------------------------------------


class _Ref(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField(allow_null=True)


class _Owner(serializers.Serializer):
    name = serializers.CharField()


class _Item(serializers.Serializer):
    id = serializers.CharField()
    amount = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=8, decimal_places=2)
    note = serializers.CharField()
    paid = serializers.BooleanField()
    owner = _Owner()
    invoice = serializers.SerializerMethodField()
    lines = _Owner(many=True)
    secret = serializers.CharField(write_only=True)

    def get_invoice(self, obj) -> _Ref(allow_null=True):  # type: ignore[valid-type]
        return obj.get("invoice")


def test_columns_are_the_items_keys_with_nested_objects_dotted():
    columns = csv_columns(_Item())
    assert [c.header for c in columns] == [
        "id",
        "amount",
        "price",
        "note",
        "paid",
        "owner.name",
        "invoice.id",
        "invoice.number",
        "lines",
    ]
    assert [c.header for c in columns if c.numeric] == ["amount", "price"]


def test_exclude_drops_top_level_keys():
    headers = [c.header for c in csv_columns(_Item(), exclude=("lines", "owner"))]
    assert "lines" not in headers and "owner.name" not in headers
    assert "invoice.id" in headers


def test_a_row_follows_the_columns_and_a_null_object_leaves_them_empty():
    columns = csv_columns(_Item())
    item = {
        "id": "x_1",
        "amount": -300,
        "price": "-3.00",
        "note": '=HYPERLINK("http://evil")',
        "paid": False,
        "owner": {"name": "@home"},
        "invoice": None,
        "lines": [],
    }
    assert csv_row(item, columns) == [
        "x_1",
        "-300",
        "-3.00",
        '\'=HYPERLINK("http://evil")',
        "false",
        "'@home",
        "",
        "",
        "[]",
    ]
    item["invoice"] = {"id": "inv_1", "number": "INV-0001"}
    assert csv_row(item, columns)[6:8] == ["inv_1", "INV-0001"]


def test_a_missing_path_is_empty():
    assert csv_row({}, [CsvColumn(("a", "b"))]) == [""]


# --- Streaming ------------------------------------------------------------------------------------


def test_the_stream_is_the_header_then_the_rows_in_pieces_of_about_16_kib():
    rows = [[str(i), "x" * 100, "=1"] for i in range(1000)]
    pieces = list(csv_stream(["n", "text", "f"], rows))
    assert len(pieces) > 3
    assert all(CSV_CHUNK_CHARS <= len(p) < CSV_CHUNK_CHARS + 200 for p in pieces[:-1])
    parsed = list(csv.reader(io.StringIO("".join(pieces))))
    assert parsed[0] == ["n", "text", "f"]
    assert parsed[1:] == rows


def test_the_stream_reads_rows_only_as_pieces_are_taken():
    taken = []

    def rows():
        for i in range(10_000):
            taken.append(i)
            yield [str(i), "y" * 50]

    stream = csv_stream(["n", "y"], rows())
    first = next(stream)
    assert first.startswith("n,y\r\n")
    assert len(taken) < 400  # one piece's worth, not the 10,000


def test_an_empty_stream_is_the_header_row():
    assert list(csv_stream(["a", "b.c"], [])) == ["a,b.c\r\n"]


def test_the_response_is_a_streamed_attachment():
    response = csv_response(["a"], [["1"], ["é"]], filename="time-entries-x-2026-12-01.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="time-entries-x-2026-12-01.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    assert b"".join(response.streaming_content).decode("utf-8") == "a\r\n1\r\né\r\n"


def test_the_file_name_says_what_whose_and_when():
    firm = Entity(public_id="ent_01jd3m9x0c4n6w8y2b7q5r1t3v")
    name = export_filename("invoices", firm, dt.date(2026, 12, 1))
    assert name == "invoices-ent_01jd3m9x0c4n6w8y2b7q5r1t3v-2026-12-01.csv"


# --- Keyset chunks --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_chunks_cover_every_row_in_order_one_query_each():
    EntityFactory.create_batch(7)
    queryset = Entity.objects.all()
    want = list(queryset.order_by("-id").values_list("pk", flat=True))
    chunks = keyset_chunks(queryset, ordering=("-id",), salt="t", size=3)
    with CaptureQueriesContext(connection) as queries:
        got = []
        for chunk in chunks:
            got.append([e.pk for e in chunk])
            assert len(queries) == len(got)  # one query per chunk, run when it is taken
    assert [len(c) for c in got] == [3, 3, 1]
    assert [pk for c in got for pk in c] == want


@pytest.mark.django_db
def test_chunks_read_nothing_until_asked_and_nothing_for_an_empty_set():
    with CaptureQueriesContext(connection) as queries:
        chunks = keyset_chunks(Entity.objects.none(), ordering=("id",), salt="t")
        assert len(queries) == 0
        assert list(chunks) == []


def test_the_default_chunk_is_about_2000_rows():
    assert csv_export.CHUNK_ROWS == 2000


# --- The format parameter -------------------------------------------------------------------------


def _request(query: str) -> Request:
    return Request(APIRequestFactory().get(f"/x?{query}"))


def _refusal(query: str) -> dict:
    with pytest.raises(Exception) as caught:
        export_format(_request(query))
    exc = caught.value
    if isinstance(exc, ApplicationError):
        return exc.fields
    return exc.detail  # a serializer's ValidationError


def test_format_defaults_to_json_and_takes_csv():
    assert export_format(_request("")) == "json"
    assert export_format(_request("format=")) == "json"
    assert export_format(_request("format=json&limit=5&cursor=abc")) == "json"
    assert export_format(_request("format=csv&limit=&cursor=")) == "csv"


def test_an_unknown_format_is_refused():
    assert set(_refusal("format=xlsx")) == {"format"}
    assert set(_refusal("format=CSV")) == {"format"}


def test_limit_and_cursor_with_csv_are_refused_saying_to_leave_them_out():
    fields = _refusal("format=csv&limit=10&cursor=abc")
    assert set(fields) == {"limit", "cursor"}
    assert "Leave this out" in fields["limit"][0]
    assert set(_refusal("format=csv&limit=10")) == {"limit"}
