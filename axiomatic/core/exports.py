"""A firm's data as a ZIP of CSV files and a JSON manifest, written as it streams.

Each app says what of a firm's data it holds by registering tables (`table_register`, in its
AppConfig.ready): a file name, its columns (a header and the `values()` lookup that fills it) and
the rows of a `Scope` (the firm, and the entities it reaches). The platform never learns what practice or billing store; it only writes what the
apps describe. Columns are chosen, never "every field": a table shows public ids, never internal
keys, and no secret (key hashes, token hashes, encrypted secrets, password hashes) is ever named.

The archive is written while it is read: rows come through `iterator(chunk_size=...)` (a
server-side cursor on PostgreSQL) into a ZIP member opened for writing, and every chunk of
compressed bytes is handed on as soon as it exists, so neither a table nor the archive is ever held
in memory. On PostgreSQL the reads share one REPEATABLE READ, READ ONLY transaction: every file
shows the same moment, an invoice's lines match its invoice. `manifest.json` (file names, columns,
row counts, when, which firm) is the last member.
"""

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from axiomatic.core.dates import utc_iso

CHUNK_ROWS = 2000
MANIFEST = "manifest.json"
FORMAT_VERSION = 1

Progress = Callable[[str, int, int], None]  # (file name, rows written so far, rows expected)


@dataclass(frozen=True)
class Scope:
    """Whose data: the firm, and the entities it reaches (itself and its active clients: what the
    API lets it read), as a subquery of primary keys."""

    firm: Any
    entity_ids: QuerySet


@dataclass(frozen=True)
class Column:
    header: str
    lookup: str  # for values_list(): "public_id", "client__public_id"
    shown: Callable[[Any], Any] | None = None  # the value as people see it (INV-000042)


@dataclass(frozen=True)
class Table:
    name: str  # the file is <name>.csv
    columns: tuple[Column, ...]
    rows: Callable[[Scope], QuerySet]  # the scope's rows, in a stable order

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"


def columns(*specs: str | tuple) -> tuple[Column, ...]:
    """Columns from short specs: "name" (header and lookup alike), (header, lookup), or (header,
    lookup, shown)."""
    return tuple(Column(spec, spec) if isinstance(spec, str) else Column(*spec) for spec in specs)


_tables: dict[str, Table] = {}


def table_register(*registered: Table) -> None:
    for table in registered:
        _tables[table.name] = table


def tables() -> list[Table]:
    """Every registered table, by name."""
    return [_tables[name] for name in sorted(_tables)]


def cell(value) -> str:
    """One CSV value: ISO dates, UTC timestamps with Z, exact decimals, true/false, JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, dt.date | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


class _Sink(io.RawIOBase):
    """Where the ZIP writes: bytes kept until taken. Not seekable, so zipfile streams (sizes in
    data descriptors after each member) instead of going back to patch headers."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


@contextmanager
def _snapshot():
    """One consistent, read-only view of the database for every file, where that costs no lock:
    PostgreSQL outside a transaction. (SQLite's transactions here take the write lock, and inside
    a caller's transaction the isolation level is no longer ours to set.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


@dataclass
class Archive:
    """The archive of a scope's tables: iterate `chunks()` once; `manifest` is complete after."""

    owner_public_id: str
    tables: list[Table]
    scope: Scope
    progress: Progress | None = None
    chunk_rows: int = CHUNK_ROWS
    manifest: dict = field(default_factory=dict)

    def chunks(self) -> Iterator[bytes]:
        sink = _Sink()
        started = timezone.now()
        files = []
        with _snapshot(), zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            for table in self.tables:
                rows = table.rows(self.scope)
                expected = rows.count() if self.progress else 0
                with archive.open(table.file_name, "w", force_zip64=True) as member:
                    written = yield from self._write_rows(member, sink, table, rows, expected)
                headers = [c.header for c in table.columns]
                files.append({"name": table.file_name, "rows": written, "columns": headers})
            self.manifest = {
                "format": FORMAT_VERSION,
                "firmId": self.owner_public_id,
                "generatedAt": cell(started),
                "files": files,
            }
            archive.writestr(MANIFEST, json.dumps(self.manifest, indent=2))
        yield sink.take()

    def _write_rows(
        self, member, sink: _Sink, table: Table, rows: QuerySet, expected: int
    ) -> Iterator[bytes]:
        """Write the header and the rows, handing on the compressed bytes after each chunk of
        rows; returns how many rows were written."""
        text = io.TextIOWrapper(member, encoding="utf-8", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow([c.header for c in table.columns])
        written = 0
        lookups = [c.lookup for c in table.columns]
        shown = [c.shown for c in table.columns]
        for values in rows.values_list(*lookups).iterator(chunk_size=self.chunk_rows):
            writer.writerow(
                [
                    cell(f(v) if f and v is not None else v)
                    for f, v in zip(shown, values, strict=True)
                ]
            )
            written += 1
            if written % self.chunk_rows == 0:
                self._report(table, written, expected)
                yield sink.take()
        self._report(table, written, expected)
        text.detach()  # the member is closed by its `with`, not by the wrapper
        return written

    def _report(self, table: Table, written: int, expected: int) -> None:
        if self.progress is not None:
            self.progress(table.file_name, written, max(expected, written))
