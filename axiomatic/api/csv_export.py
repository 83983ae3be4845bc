"""`format=csv` on a list: every row of the filtered set, streamed (docs/adr/0031).

A list view that answers CSV calls `export_format(request)` first (the 400s: an unknown format,
and `limit` or `cursor` beside `format=csv`, since the file is the whole filtered set, not a page),
then, for CSV, `csv_export(...)` with the queryset the JSON list pages through:

- **Chunks.** `keyset_chunks` walks the queryset with `keyset_page` (axiomatic.api.pagination), the
  same keyset and cursor as the JSON pages, about 2,000 rows a query. The queryset's
  select_related/prefetch_related apply to each chunk: a constant number of queries per chunk,
  never one per row, and never an OFFSET.
- **Columns.** The JSON list item's keys, in the serializer's order; a nested object's keys with
  dots (`invoice.number`), including a method field whose return annotation is a serializer (its
  keys are known even when the value is null); a list as compact JSON text.
- **Cells.** As the JSON shows them (the serializer's output: the same ISO dates, numbers, ids);
  booleans `true`/`false`; null empty; text neutralised (axiomatic.core.cells), numbers never.
- **Streaming.** A `csv.writer` on a small buffer, drained every 16 KiB into a
  `StreamingHttpResponse`: the first bytes leave after the first chunk's query, and memory holds
  a chunk and the buffer, whatever the number of rows. No byte-order mark: the header's first key
  is `id`, exactly as in the JSON.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.utils.encoders import JSONEncoder

from axiomatic.api.pagination import keyset_page
from axiomatic.core.cells import CSV_CHUNK_CHARS, CSV_CONTENT_TYPE, drain, neutralised
from axiomatic.core.errors import field_errors

CHUNK_ROWS = 2000
FORMATS = ("json", "csv")
LEAVE_OUT = "Leave this out with format=csv: the file holds every row of the filtered set."


# --- The `format` parameter and its 400s -----------------------------------------------------------


class ExportFormatSerializer(serializers.Serializer):
    """Add to a list's `parameters` to document `format`."""

    format = serializers.ChoiceField(
        choices=FORMATS,
        required=False,
        default="json",
        help_text="json (default, paged) or csv: every row of the filtered set as one streamed "
        "file, with a header row of the JSON item's keys (limit and cursor are refused).",
    )


def export_format(request) -> str:
    """`json` or `csv`, from the query string. An unknown format is a 400 on `format`; `limit` or
    `cursor` with csv is a 400 on each, saying to leave it out (an empty value counts as absent,
    as for any optional query parameter)."""
    checked = ExportFormatSerializer(data=request.query_params)
    checked.is_valid(raise_exception=True)
    fmt = checked.validated_data["format"]
    if fmt == "csv":
        given = [n for n in ("limit", "cursor") if request.query_params.get(n, "") != ""]
        if given:
            raise field_errors({name: [LEAVE_OUT] for name in given})
    return fmt


def csv_schema_response(description: str) -> dict:
    """The `responses` entry documenting the CSV answer: `{**csv_schema_response(...)}`."""
    return {(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=description)}


# --- Rows from the database, a chunk a query ------------------------------------------------------


def keyset_chunks(
    queryset: QuerySet, *, ordering: tuple[str, ...], salt: str, size: int = CHUNK_ROWS
) -> Iterator[list]:
    """Lists of up to `size` rows of `queryset` in `ordering` (last field unique), one query each
    (plus the queryset's prefetches), through the JSON list's keyset; nothing before it is read."""
    cursor = None
    while True:
        page = keyset_page(queryset, ordering=ordering, limit=size, cursor=cursor, salt=salt)
        if page.items:
            yield page.items
        if not page.has_more:
            return
        cursor = page.next_cursor


# --- Columns and cells ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvColumn:
    path: tuple[str, ...]  # ("invoice", "number"): the keys down the JSON item
    numeric: bool = False  # a number field: its text (a DRF DecimalField's "-12.50") stays as is

    @property
    def header(self) -> str:
        return ".".join(self.path)


def _nested_serializer(parent: serializers.Serializer, field) -> serializers.Serializer | None:
    """The serializer whose keys `field` shows as an object, or None for a plain value."""
    if isinstance(field, serializers.ListSerializer):
        return None  # a list: one cell of JSON
    if isinstance(field, serializers.Serializer):
        return field
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(parent, field.method_name)
        shape = getattr(method, "__annotations__", {}).get("return")
        if isinstance(shape, type) and issubclass(shape, serializers.Serializer):
            shape = shape()
        if isinstance(shape, serializers.Serializer) and not getattr(shape, "many", False):
            return shape
    return None


def csv_columns(
    serializer: serializers.Serializer, *, exclude: Sequence[str] = (), prefix: tuple = ()
) -> list[CsvColumn]:
    """The columns of `serializer`'s items: its keys in order, nested objects' keys with dots.
    `exclude` drops top-level keys (a list of lines, say, that a row cannot hold well)."""
    found = []
    for name, field in serializer.fields.items():
        if field.write_only or (not prefix and name in exclude):
            continue
        nested = _nested_serializer(serializer, field)
        if nested is not None:
            found += csv_columns(nested, prefix=prefix + (name,))
            continue
        numeric = isinstance(
            field, serializers.IntegerField | serializers.FloatField | serializers.DecimalField
        )
        found.append(CsvColumn(prefix + (name,), numeric=numeric))
    return found


_ENCODER = JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def csv_cell(value, *, numeric: bool = False) -> str:
    """One value of the JSON item as its CSV text."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return value if numeric else neutralised(value)
    if isinstance(value, int | float):
        return repr(value)  # as JSON writes them: 2.5, -1200
    if isinstance(value, Decimal):
        return repr(float(value))  # as the JSON renderer writes one
    if isinstance(value, list | tuple | dict):
        return _ENCODER.encode(value)  # "[...]" or "{...}": never a formula's start
    return neutralised(str(value))


def csv_row(item: Mapping, columns: Sequence[CsvColumn]) -> list[str]:
    """A serialized item as the cells of `columns`: a null object leaves its columns empty."""
    row = []
    for column in columns:
        value = item
        for key in column.path:
            value = value.get(key) if isinstance(value, Mapping) else None
        row.append(csv_cell(value, numeric=column.numeric))
    return row


def serialized_rows(
    chunks: Iterable[Iterable], serializer: serializers.Serializer, columns: Sequence[CsvColumn]
) -> Iterator[list[str]]:
    """Each object of each chunk through `serializer` (the list's own), as a row of `columns`."""
    for chunk in chunks:
        for obj in chunk:
            yield csv_row(serializer.to_representation(obj), columns)


# --- The response --------------------------------------------------------------------------------


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The header row then `rows`, as CSV text in pieces of about 16 KiB (RFC 4180 quoting, CRLF)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CSV_CHUNK_CHARS:
            yield drain(buffer)
    rest = drain(buffer)
    if rest:
        yield rest


def export_filename(kind: str, firm, day: dt.date | None = None) -> str:
    """time-entries-ent_...-2026-12-01.csv: what, whose, and the day (UTC) it was made."""
    day = day or timezone.now().date()
    return f"{kind}-{firm.public_id}-{day.isoformat()}.csv"


def csv_response(
    header: Sequence[str], rows: Iterable[Sequence[str]], *, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (piece.encode("utf-8") for piece in csv_stream(header, rows)),
        content_type=CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def csv_export(
    queryset: QuerySet,
    *,
    ordering: tuple[str, ...],
    salt: str,
    serializer: serializers.Serializer,
    filename: str,
    exclude: Sequence[str] = (),
) -> StreamingHttpResponse:
    """The whole of `queryset` (already filtered and scoped, with the list's select_related) as a
    streamed CSV of `serializer`'s items (pass it the list's serializer and context)."""
    columns = csv_columns(serializer, exclude=exclude)
    chunks = keyset_chunks(queryset, ordering=ordering, salt=salt)
    rows = serialized_rows(chunks, serializer, columns)
    return csv_response([c.header for c in columns], rows, filename=filename)
