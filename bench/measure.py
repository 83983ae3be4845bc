"""The measurement phase: gunicorn on loopback, each case timed after a warm-up, next to raw SQL.

Every HTTP figure is a full request on a kept-alive loopback connection (gunicorn, Django, DRF,
authentication, throttling, the queries, serialization). Each raw SQL figure is the smallest query
that gives the same answer, written by hand, timed on a direct connection in the same loop (one
HTTP run, then one SQL run), so both see the same machine load. Figures are the median of the runs;
p95 is by nearest rank, so with 15 runs it is the slowest but one.

The trial balance and the balance sheet are measured against a floor: a bare Django view
(bench/floor.py, served by the same gunicorn under bench.settings, never by the product) that runs
the statements' monthly-balance query and returns its rows as JSON; statement and floor requests
alternate. When the seed made a second, larger book (SCALE > 1), its requests alternate with the
1M-line book's in the same loop, so "within 1.3 x the 1M-line book" compares runs under one load.
"""

import datetime as dt
import json
import math
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

from bench.admin_pages import admin_pages

TIME_PAGE = 100  # the page size asked for in the time listing cases
ROOT = Path(__file__).resolve().parent.parent


# --- Small helpers ----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {
        "runs": len(ms),
        "medianMs": round(statistics.median(ms), 1),
        "p95Ms": round(percentile(ms, 95), 1),
        "minMs": round(min(ms), 1),
        "maxMs": round(max(ms), 1),
    }


class Api:
    def __init__(self, port: int, key: str):
        self.port = port
        self.key = key
        self.conn = HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, body: dict | None = None, headers: dict | None = None
    ) -> tuple[int, bytes, float]:
        """One request; with `headers` (the admin's session cookie) no API key is sent."""
        if headers is None:
            headers = {"Authorization": f"Bearer {self.key}"}
        headers = {**headers, "Host": "127.0.0.1"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (ConnectionError, OSError):
            self.conn.close()
            self.conn = HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        return response.status, data, time.perf_counter() - started

    def ok(self, method: str, path: str, body: dict | None = None, expect: int = 200):
        status, data, seconds = self.request(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
        return data, seconds


class Sql:
    def __init__(self, url: str):
        # Why prepare_threshold=None: psycopg prepares a query it has run five times, and PostgreSQL
        # may then switch to a generic plan. Django never prepares, so the baseline must not either.
        self.conn = psycopg.connect(url, autocommit=True, prepare_threshold=None)

    def time(self, sql: str, params) -> float:
        started = time.perf_counter()
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            cur.fetchall()
        return time.perf_counter() - started

    def rows(self, sql: str, params=()):
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()


def timed(fn, *, warmup: int, runs: int) -> list[float]:
    for _ in range(warmup):
        fn()
    return [fn() for _ in range(runs)]


def alternated(fns, *, warmup: int, runs: int) -> list[list[float]]:
    """Run each function once in turn, `runs` times over, so all see the same load."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for fn, out in zip(fns, times, strict=True):
            out.append(fn())
    return times


def paired(http_fn, sql_fn, *, warmup: int, runs: int) -> tuple[list[float], list[float]]:
    """Alternate one HTTP run and one SQL run, so both see the same load."""
    for _ in range(warmup):
        http_fn()
        sql_fn()
    http, sql = [], []
    for _ in range(runs):
        http.append(http_fn())
        sql.append(sql_fn())
    return http, sql


# --- The server ------------------------------------------------------------------------------


def start_server(args, log_path: Path, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        {
            # The product's settings and URLs plus the floor view (bench/urls.py).
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "false",
            "SITE_URL": f"http://127.0.0.1:{args.port}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The rate limits would otherwise answer 429 to a benchmark: lifted for this server only.
            "API_RATE_LIMIT_PER_MINUTE": "10000000",
            "REPORT_RATE_LIMIT_PER_MINUTE": "10000000",
        }
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = log_path.open("w")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "axiomatic.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(workers),
            "--timeout",
            "120",
            "--keep-alive",
            "30",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited; see {log_path}")
        try:
            conn = HTTPConnection("127.0.0.1", args.port, timeout=2)
            conn.request("GET", "/health", headers={"Host": "127.0.0.1"})
            conn.getresponse().read()
            return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- The cases -------------------------------------------------------------------------------

# The line aggregate a statement needed before the monthly balances ("before" in the README): each
# line carries its entry's book and date, so no join.
STATEMENT_SQL_AS_OF = """
SELECT account_id, SUM(debit_cents), SUM(credit_cents)
FROM ledger_journalline
WHERE book_id = %s AND date <= %s
GROUP BY account_id
"""
STATEMENT_SQL_RANGE = """
SELECT account_id, SUM(debit_cents), SUM(credit_cents)
FROM ledger_journalline
WHERE book_id = %s AND date >= %s AND date <= %s
GROUP BY account_id
"""
# The same answer from the monthly balances, written by hand: the whole months before `whole_to`,
# plus the lines from `month` to `to` when `to` is not a month's last day (`month` = `whole_to`
# then, so at a month end the second part reads no line).
MONTHS_SQL_AS_OF = """
SELECT account_id, SUM(debit), SUM(credit) FROM (
    SELECT account_id, debit_cents AS debit, credit_cents AS credit
    FROM ledger_accountmonthbalance
    WHERE book_id = %s AND month < %s
    UNION ALL
    SELECT account_id, debit_cents, credit_cents
    FROM ledger_journalline
    WHERE book_id = %s AND date >= %s AND date <= %s
) parts
GROUP BY account_id
"""

STATEMENT_TARGET_MS = 20
FLOOR_RATIO = 1.5
LARGE_RATIO = 1.3


def _months_params(book_pk: int, day: dt.date) -> list:
    month = day.replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    whole_to = next_month if day == next_month - dt.timedelta(days=1) else month
    return [book_pk, whole_to, book_pk, whole_to, day]


def _books(ctx) -> list[dict]:
    sql, state = ctx["sql"], ctx["state"]
    books = state.get("books") or [
        {
            "label": "big",
            "entityId": state["big_client_entity_id"],
            "bookId": state["big_book_id"],
            "lines": state["journal_lines"],
        }
    ]
    out = []
    for book in books:
        (pk,) = sql.rows("SELECT id FROM ledger_book WHERE public_id = %s", [book["bookId"]])[0]
        out.append({**book, "pk": pk, "name": f"{book['lines'] / 1e6:g}M-line book"})
    return out


def _rows(raw) -> list[tuple[int, int, int]]:
    return sorted((int(a), int(d), int(c)) for a, d, c in raw if d or c)


def statements(ctx) -> list[dict]:
    api, sql, state = ctx["api"], ctx["sql"], ctx["state"]
    books = _books(ctx)
    date_to = dt.date.fromisoformat(state["date_to"])  # the last day of a month
    date_from = date_to.replace(year=date_to.year - 1) + dt.timedelta(days=1)
    as_of = [("month end", date_to), ("mid-month", date_to.replace(day=15))]

    def getter(path):
        return lambda: api.ok("GET", path)[1]

    def sql_timer(query, params):
        return lambda: sql.time(query, params)

    def floor_path(book, day):
        return f"/bench/floor?book={book['pk']}&to={day}"

    def statement_path(book, report, day, fmt):
        return (
            f"/api/reports/pdf?entityId={book['entityId']}&bookId={book['bookId']}"
            f"&report={report}&from={date_from}&to={day}&format={fmt}"
        )

    # Before any timing: the floor, the hand-written month query and the line aggregate give the
    # same rows, and the trial balance's totals are the floor's.
    for book in books:
        for _, day in as_of:
            lines = _rows(sql.rows(STATEMENT_SQL_AS_OF, [book["pk"], day]))
            months = _rows(sql.rows(MONTHS_SQL_AS_OF, _months_params(book["pk"], day)))
            floor = _rows(json.loads(api.ok("GET", floor_path(book, day))[0])["rows"])
            if not lines == months == floor:
                raise RuntimeError(f"{book['name']} as of {day}: lines, months and floor differ")
            body = api.ok("GET", statement_path(book, "trial_balance", day, "json"))[0]
            totals = json.loads(body)["totals"]
            expected = {
                "debit": sum(max(d - c, 0) for _, d, c in floor),
                "credit": sum(max(c - d, 0) for _, d, c in floor),
            }
            if {k: totals[k] for k in expected} != expected:
                raise RuntimeError(f"{book['name']} as of {day}: trial balance {totals} != floor")

    results = []
    base = books[0]
    for report in ("trial_balance", "balance_sheet"):
        for when, day in as_of:
            for fmt in ("json", "html"):
                fns = []
                for book in books:
                    fns.append(getter(statement_path(book, report, day, fmt)))
                    fns.append(getter(floor_path(book, day)))
                times = alternated(fns, warmup=ctx["warmup"], runs=ctx["runs"])
                name = f"{report.replace('_', ' ')} ({fmt}), as of the {when} ({day})"
                h, f = summary(times[0]), summary(times[1])
                ratio = round(h["medianMs"] / f["medianMs"], 2)
                results.append(
                    {
                        "group": "statements",
                        "case": f"{name}, {base['name']}",
                        "book": base["label"],
                        "lines": base["lines"],
                        "http": h,
                        "floor": f,
                        "ratio": ratio,
                        "targets": {
                            f"median<{STATEMENT_TARGET_MS}ms": h["medianMs"] < STATEMENT_TARGET_MS,
                            f"<={FLOOR_RATIO}xfloor": ratio <= FLOOR_RATIO,
                        },
                    }
                )
                ctx["progress"](results[-1])
                for i, book in enumerate(books[1:], start=1):
                    h2, f2 = summary(times[2 * i]), summary(times[2 * i + 1])
                    vs = round(h2["medianMs"] / h["medianMs"], 2)
                    results.append(
                        {
                            "group": "statements",
                            "case": f"{name}, {book['name']}",
                            "book": book["label"],
                            "lines": book["lines"],
                            "http": h2,
                            "floor": f2,
                            "ratio": round(h2["medianMs"] / f2["medianMs"], 2),
                            "base": {
                                "case": f"{name}, {base['name']}",
                                "name": base["name"],
                                "medianMs": h["medianMs"],
                            },
                            "vsBase": vs,
                            "targets": {f"<={LARGE_RATIO}x{base['name']}": vs <= LARGE_RATIO},
                        }
                    )
                    ctx["progress"](results[-1])

    # What any authenticated API request pays before its query (as in the time group), alternated
    # with the floor: the lowest ratio to the floor a statement could reach on this stack is
    # (authenticated fixed cost - bare Django + floor) / floor.
    health, options, floor_end = alternated(
        [
            getter("/health"),
            lambda: api.ok("OPTIONS", "/api/practice/time")[1],
            getter(floor_path(base, date_to)),
        ],
        warmup=ctx["warmup"],
        runs=ctx["runs"],
    )
    health, options, floor_end = summary(health), summary(options), summary(floor_end)
    for name, h in (
        ("fixed cost: GET /health (no key, no query)", health),
        (
            "fixed cost: OPTIONS /api/practice/time (key look-up, rate limit, DRF; no query)",
            options,
        ),
        (f"floor alone: GET /bench/floor, {base['name']}, as of the month end", floor_end),
    ):
        results.append({"group": "statements", "case": name, "http": h})
        ctx["progress"](results[-1])
    extra = options["medianMs"] - health["medianMs"]
    for result in results:
        if "floor" in result and "vsBase" not in result:
            floor_ms = result["floor"]["medianMs"]
            result["ratioFloor"] = round((extra + floor_ms) / floor_ms, 2)

    # The raw SQL behind these, each on its own: "before" is the line aggregate the statements ran
    # until the monthly balances, "after" the month query. Every month query first: a line
    # aggregate reads the whole book through shared_buffers and would evict the partial month's
    # pages the month queries read.
    pairs = [(book, when, day) for book in books for when, day in as_of]
    months = [
        summary(
            timed(
                sql_timer(MONTHS_SQL_AS_OF, _months_params(book["pk"], day)),
                warmup=ctx["warmup"],
                runs=ctx["runs"],
            )
        )
        for book, _, day in pairs
    ]
    for (book, when, day), after in zip(pairs, months, strict=True):
        before = summary(
            timed(
                sql_timer(STATEMENT_SQL_AS_OF, [book["pk"], day]),
                warmup=ctx["warmup"],
                runs=ctx["runs"],
            )
        )
        results.append(
            {
                "group": "statements",
                "case": f"raw SQL, {book['name']}, as of the {when} ({day}): line aggregate "
                "(before) / monthly balances (after)",
                "book": book["label"],
                "lines": book["lines"],
                "sqlLines": before,
                "sqlMonths": after,
                "identicalRows": True,  # checked above, before any timing
            }
        )
        ctx["progress"](results[-1])

    # The income statement (a year's range), as before: HTTP alternated with the line aggregate.
    for fmt in ("html", "json"):
        path = statement_path(base, "income_statement", date_to, fmt)
        params = [base["pk"], date_from, date_to]
        http, raw_times = paired(
            lambda path=path: api.ok("GET", path)[1],
            lambda params=params: sql.time(STATEMENT_SQL_RANGE, params),
            warmup=ctx["warmup"],
            runs=ctx["runs"],
        )
        h, s = summary(http), summary(raw_times)
        ratio = round(h["medianMs"] / s["medianMs"], 2)
        results.append(
            {
                "group": "statements",
                "case": f"income statement ({fmt}), 12 months, {base['name']}",
                "http": h,
                "sql": s,
                "ratio": ratio,
                "targets": {"ratio<=1.5": ratio <= 1.5, "p95<=500ms": h["p95Ms"] <= 500},
            }
        )
        ctx["progress"](results[-1])
    return results


TIME_SELECT = """
SELECT te.id, te.public_id, te.date, te.hours, te.description, te.billable, te.rate_cents,
       te.rate_source, te.amount_cents, te.billing_status, te.invoice_public_id,
       te.external_reference, te.created_at, te.updated_at,
       c.public_id, c.name, e.public_id, t.public_id, u.public_id
FROM practice_timeentry te
JOIN entities_entity c ON c.id = te.client_id
LEFT JOIN practice_engagement e ON e.id = te.engagement_id
LEFT JOIN practice_task t ON t.id = te.task_id
LEFT JOIN entities_user u ON u.id = te.user_id
WHERE {where}
ORDER BY te.date DESC, te.id DESC
LIMIT {limit}
"""
TIME_TOTALS = """
SELECT COALESCE(SUM(hours), 0), COALESCE(SUM(hours) FILTER (WHERE billable), 0)
FROM practice_timeentry te WHERE {where}
"""


# Issue 21: an authenticated OPTIONS at most this many times the bare DRF view's.
OPTIONS_FLOOR_RATIO = 1.8


def fixed_cost(ctx) -> list[dict]:
    """What every request costs before it asks for data, to read the time ratios against.

    `GET /health` is Django and gunicorn alone. An authenticated `OPTIONS /api/practice/time` adds
    what every API request pays: the API key look-up (one query), the rate-limit counter, DRF's
    dispatch and rendering, but no data query.
    """
    api = ctx["api"]
    cases = [
        ("fixed cost: GET /health (no key, no query)", "GET", "/health"),
        ("floor: bare Django view, 10 constant rows", "GET", "/bench/bare-django"),
        ("floor: bare DRF APIView, OPTIONS (no authentication)", "OPTIONS", "/bench/bare-drf"),
        (
            "fixed cost: OPTIONS /api/practice/time (key look-up, rate limit, DRF; no data query)",
            "OPTIONS",
            "/api/practice/time",
        ),
    ]
    # Alternated, so the floors and the real request see the same load.
    times = alternated(
        [lambda method=m, path=p: api.ok(method, path)[1] for _, m, p in cases],
        warmup=ctx["warmup"],
        runs=ctx["runs"],
    )
    results = [
        {"group": "time", "case": name, "http": summary(t)}
        for (name, _, _), t in zip(cases, times, strict=True)
    ]
    drf, options = results[2]["http"]["medianMs"], results[3]["http"]["medianMs"]
    ratio = round(options / drf, 2)
    results[3].update(
        floor=results[2]["http"],
        ratio=ratio,
        targets={f"<={OPTIONS_FLOOR_RATIO}xbare DRF": ratio <= OPTIONS_FLOOR_RATIO},
    )
    for result in results:
        ctx["progress"](result)
    return results


def time_listing(ctx) -> list[dict]:
    api, sql, state = ctx["api"], ctx["sql"], ctx["state"]
    from django.core import signing

    firm_pk, client_pk, client_public = sql.rows(
        """
        SELECT l.firm_id, l.client_id, c.public_id
        FROM practice_clientlink l JOIN entities_entity c ON c.id = l.client_id
        JOIN entities_entity f ON f.id = l.firm_id
        WHERE f.public_id = %s AND c.public_id <> %s ORDER BY l.id LIMIT 1
        """,
        [state["firm_entity_id"], state["big_client_entity_id"]],
    )[0]
    date_to = dt.date.fromisoformat(state["date_to"])
    month_from = date_to.replace(day=1)
    total, middle = sql.rows(
        "SELECT count(*), count(*) / 2 FROM practice_timeentry WHERE firm_id = %s", [firm_pk]
    )[0]
    deep_date, deep_id = sql.rows(
        """SELECT date, id FROM practice_timeentry WHERE firm_id = %s
           ORDER BY date DESC, id DESC OFFSET %s LIMIT 1""",
        [firm_pk, middle],
    )[0]
    cursor = signing.dumps([deep_date.isoformat(), deep_id], salt="cursor:entries", compress=True)
    firm = state["firm_entity_id"]
    base = f"/api/practice/time?firmEntityId={firm}&limit={TIME_PAGE}"
    cases = [
        (
            "one client, one month",
            f"{base}&clientEntityId={client_public}&from={month_from}&to={date_to}",
            "te.firm_id = %s AND te.client_id = %s AND te.date >= %s AND te.date <= %s",
            [firm_pk, client_pk, month_from, date_to],
        ),
        ("whole firm, first page", base, "te.firm_id = %s", [firm_pk]),
        (
            f"whole firm, page at row {middle:,} of {total:,}",
            f"{base}&cursor={cursor}",
            "te.firm_id = %s",
            [firm_pk],
        ),
    ]
    results = fixed_cost(ctx)
    floor = results[-1]["http"]["medianMs"]
    for name, path, where, params in cases:
        page_where, page_params = where, params
        if "cursor" in path:
            page_where = f"{where} AND (te.date, te.id) < (%s, %s)"
            page_params = [*params, deep_date, deep_id]
        page_sql = TIME_SELECT.format(where=page_where, limit=TIME_PAGE + 1)
        totals_sql = TIME_TOTALS.format(where=where)

        def raw(page_sql=page_sql, page_params=page_params, totals_sql=totals_sql, params=params):
            return sql.time(page_sql, page_params) + sql.time(totals_sql, params)

        http, raw_times = paired(
            lambda path=path: api.ok("GET", path)[1],
            raw,
            warmup=ctx["warmup"],
            runs=ctx["runs"],
        )
        h, s = summary(http), summary(raw_times)
        ratio = round(h["medianMs"] / s["medianMs"], 2)
        results.append(
            {
                "group": "time",
                "case": f"GET time: {name}",
                "http": h,
                "sql": s,
                "ratio": ratio,
                # The lowest ratio any implementation could reach on this stack: the request's fixed
                # cost (measured above) plus the SQL itself, over the SQL.
                "ratioFloor": round((floor + s["medianMs"]) / s["medianMs"], 2),
                "targets": {"p95<=100ms": h["p95Ms"] <= 100, "ratio<=2": ratio <= 2},
            }
        )
        ctx["progress"](results[-1])
    first_page, deep_page = results[-2], results[-1]
    first, deep = first_page["http"]["medianMs"], deep_page["http"]["medianMs"]
    deep_page["deepVsFirst"] = round(deep / first, 2)
    deep_page["targets"]["deep<=1.2xfirst"] = deep <= 1.2 * first
    return results


def lists_and_writes(ctx) -> list[dict]:
    api, sql, state = ctx["api"], ctx["sql"], ctx["state"]
    firm = state["firm_entity_id"]
    results = []

    def add(case, times, targets=None, **extra):
        results.append(
            {"group": "api", "case": case, "http": summary(times), "targets": targets or {}}
        )
        results[-1].update(extra)
        if targets is not None:
            p = results[-1]["http"]
            results[-1]["targets"] = {k: v(p) for k, v in targets.items()}
        ctx["progress"](results[-1])

    data, _ = api.ok("GET", f"/api/practice/clients?firmEntityId={firm}&limit=1000")
    count = len(json.loads(data)["clients"])
    add(
        f"list clients ({count})",
        timed(
            lambda: api.ok("GET", f"/api/practice/clients?firmEntityId={firm}&limit=1000")[1],
            warmup=ctx["warmup"],
            runs=ctx["runs"],
        ),
    )
    data, _ = api.ok("GET", f"/api/practice/engagements?firmEntityId={firm}&limit=2000")
    engagements = json.loads(data)["engagements"]
    tasks = sum(len(e.get("tasks", [])) for e in engagements)
    add(
        f"list engagements ({len(engagements)}, {tasks} tasks)",
        timed(
            lambda: api.ok("GET", f"/api/practice/engagements?firmEntityId={firm}&limit=2000")[1],
            warmup=ctx["warmup"],
            runs=ctx["runs"],
        ),
    )

    def create_client():
        body = {"firmEntityId": firm, "name": f"Bench client {secrets.token_hex(4)}"}
        return api.ok("POST", "/api/practice/clients", body, expect=201)[1]

    add(
        "create client (chart and books seeded)",
        timed(create_client, warmup=ctx["warmup"], runs=ctx["write_runs"]),
        {
            "median<=100ms": lambda p: p["medianMs"] <= 100,
            "p95<=100ms": lambda p: p["p95Ms"] <= 100,
        },
    )

    # Invoice 1,000 entries, then void the invoice (untimed) so the same entries serve every run.
    ids = [
        r[0]
        for r in sql.rows(
            """SELECT te.public_id FROM practice_timeentry te
               JOIN entities_entity c ON c.id = te.client_id
               WHERE c.public_id = %s AND te.billing_status = 'unbilled' AND te.billable
                 AND te.rate_cents IS NOT NULL
               ORDER BY te.id LIMIT 1000""",
            [state["big_client_entity_id"]],
        )
    ]
    body = {"firmEntityId": firm, "clientEntityId": state["big_client_entity_id"]}

    def invoice():
        data, seconds = api.ok(
            "POST", "/api/practice/billing/invoice", {**body, "timeEntryIds": ids}, expect=201
        )
        invoice_id = json.loads(data)["invoice"]["id"]
        api.ok("POST", f"/api/practice/billing/invoices/{invoice_id}/void", {"firmEntityId": firm})
        return seconds

    queries = invoice_query_counts(state, ids)
    add(
        f"invoice {len(ids):,} entries",
        timed(invoice, warmup=1, runs=ctx["write_runs"]),
        {
            "median<=1s": lambda p: p["medianMs"] <= 1000,
            "p95<=1s": lambda p: p["p95Ms"] <= 1000,
            "fixed query count": lambda p: queries["fixed"],
        },
        queries=queries,
    )

    date_to = dt.date.fromisoformat(state["date_to"])
    date_from = date_to.replace(year=date_to.year - 1) + dt.timedelta(days=1)
    pdf = (
        f"/api/reports/pdf?entityId={state['big_client_entity_id']}&bookId={state['big_book_id']}"
        f"&report=income_statement&from={date_from}&to={date_to}&format=pdf"
    )
    data, _ = api.ok("GET", pdf)
    pages = estimated_pages(state, date_from, date_to)
    add(
        "one-page PDF (income statement, 12 months of the big book)",
        timed(lambda: api.ok("GET", pdf)[1], warmup=1, runs=ctx["write_runs"]),
        {"median<=1s": lambda p: p["medianMs"] <= 1000, "p95<=1s": lambda p: p["p95Ms"] <= 1000},
        pdfBytes=len(data),
        estimatedPages=pages,
    )
    return results


def estimated_pages(state: dict, date_from: dt.date, date_to: dt.date) -> int:
    """The page count the report code estimates for the PDF (it renders inline up to 10)."""
    from axiomatic.ledger.models import Book
    from reports.documents import estimated_pages as estimate
    from reports.statements import build_statement

    book = Book.objects.select_related("entity").get(public_id=state["big_book_id"])
    statement = build_statement(
        report="income_statement", book=book, date_from=date_from, date_to=date_to
    )
    return estimate(statement)


def invoice_query_counts(state: dict, ids: list[str]) -> dict:
    """Queries one invoice takes for 10 and for 1,000 entries, in this process, rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from axiomatic.entities.models import Entity
    from billing.services.invoices import invoice_create_from_time
    from practice.models import ClientLink

    firm = Entity.objects.get(public_id=state["firm_entity_id"])
    link = ClientLink.objects.get(
        firm=firm, client__public_id=state["big_client_entity_id"], archived_at__isnull=True
    )
    counts = {}
    # The first run is a warm-up: it may pay one-off look-ups the process then caches.
    for size in (10, 10, len(ids)):
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                invoice_create_from_time(firm=firm, link=link, time_entry_ids=ids[:size])
            transaction.set_rollback(True)
        counts[str(size)] = len(captured.captured_queries)
    counts["fixed"] = len(set(counts.values())) == 1
    return counts


# --- Load ------------------------------------------------------------------------------------

LUA = """
local firm = "{firm}"
local key = "{key}"
local clients = {{{clients}}}
local months = {{{months}}}
local mode = "{mode}"
local counter = 0
math.randomseed(os.time())

request = function()
  counter = counter + 1
  local client = clients[math.random(#clients)]
  local month = months[math.random(#months)]
  local headers = {{["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}}
  if mode == "post" then
    local body = '{{"firmEntityId":"' .. firm .. '","entityId":"' .. client ..
      '","date":"' .. month .. '-15","hours":1.5,"description":"Load test"}}'
    return wrk.format("POST", "/api/practice/time", headers, body)
  end
  return wrk.format("GET", "/api/practice/time?firmEntityId=" .. firm .. "&clientEntityId=" ..
    client .. "&from=" .. month .. "-01&to=" .. month .. "-28&limit=100", headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write("WRK_JSON ")
  io.write(string.format('{{"requests":%d,"durationUs":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,' ..
    '"max":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""


def run_wrk(wrk: str, script: str, args, *, seconds: int) -> str:
    return subprocess.run(
        [
            wrk,
            "-t2",
            f"-c{args.load_connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            script,
            f"http://127.0.0.1:{args.port}",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=True,
    ).stdout


def load(ctx) -> list[dict]:
    sql, state, args = ctx["sql"], ctx["state"], ctx["args"]
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not installed (apt-get install -y wrk): load phase skipped")
        return []
    clients = [
        r[0]
        for r in sql.rows(
            """SELECT c.public_id FROM practice_clientlink l
               JOIN entities_entity c ON c.id = l.client_id
               JOIN entities_entity f ON f.id = l.firm_id
               WHERE f.public_id = %s AND l.archived_at IS NULL ORDER BY l.id LIMIT 100""",
            [state["firm_entity_id"]],
        )
    ]
    date_to = dt.date.fromisoformat(state["date_to"])
    months = sorted({(date_to - dt.timedelta(days=30 * i)).strftime("%Y-%m") for i in range(36)})
    results = []
    for mode in ("get", "post"):
        script = LUA.format(
            firm=state["firm_entity_id"],
            key=state["api_key"],
            clients=",".join(f'"{c}"' for c in clients),
            months=",".join(f'"{m}"' for m in months),
            mode=mode,
        )
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
            f.write(script)
        try:
            run_wrk(wrk, f.name, args, seconds=3)  # warm-up: every worker imports and connects
            out = run_wrk(wrk, f.name, args, seconds=args.load_seconds)
        finally:
            os.unlink(f.name)
        line = next(x for x in out.splitlines() if x.startswith("WRK_JSON "))
        raw = json.loads(line.removeprefix("WRK_JSON "))
        errors = raw["connect"] + raw["read"] + raw["write"] + raw["status"] + raw["timeout"]
        result = {
            "group": "load",
            "case": (
                f"load: {'POST' if mode == 'post' else 'GET'} time, "
                f"{args.load_connections} connections, {args.load_seconds} s"
            ),
            "requests": raw["requests"],
            "rps": round(raw["requests"] / (raw["durationUs"] / 1e6), 1),
            "p50Ms": round(raw["p50"] / 1000, 1),
            "p95Ms": round(raw["p95"] / 1000, 1),
            "p99Ms": round(raw["p99"] / 1000, 1),
            "maxMs": round(raw["max"] / 1000, 1),
            "errors": errors,
            "errorDetail": {k: raw[k] for k in ("connect", "read", "write", "status", "timeout")},
            "targets": {"0 errors": errors == 0},
        }
        results.append(result)
        ctx["progress"](result)
    return results


# --- Report ----------------------------------------------------------------------------------


def machine() -> dict:
    info = {"cpus": os.cpu_count(), "python": platform.python_version()}
    try:
        info["memTotalGiB"] = round(
            os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1
        )
        info["loadAverage"] = [round(x, 2) for x in os.getloadavg()]
    except (ValueError, OSError):
        pass
    return info


def _fmt(result: dict) -> tuple[str, ...]:
    targets = result.get("targets", {})
    verdict = ", ".join(f"{k} {'met' if v else 'MISSED'}" for k, v in targets.items()) or "-"
    if result["group"] == "load":
        return (
            result["case"],
            f"{result['rps']} req/s",
            f"p50 {result['p50Ms']} / p95 {result['p95Ms']} / p99 {result['p99Ms']}",
            f"{result['errors']} errors",
            "",
            verdict,
        )
    if "sqlLines" in result:
        lines, months = result["sqlLines"]["medianMs"], result["sqlMonths"]["medianMs"]
        return (
            result["case"],
            "",
            "",
            f"lines {lines} / months {months} (p95 {result['sqlMonths']['p95Ms']})",
            f"{round(lines / months, 1)} x faster",
            verdict,
        )
    if result["group"] == "admin":
        if "http" not in result:
            return (result["case"], "", "", f"{result['queries']} queries", "", result["skipped"])
        h = result["http"]
        counts = f"{result['queries']} queries"
        if result["unboundedCounts"]:
            counts += f", {result['unboundedCounts']} unbounded COUNT"
        slow = "SLOW (>= 300 ms)" if not all(result["targets"].values()) else ""
        return (result["case"], f"{h['medianMs']}", f"{h['p95Ms']}", counts, slow, verdict)
    h = result["http"]
    if "floor" in result:
        reference = f"floor {result['floor']['medianMs']}"
        ratio = f"{result['ratio']} x floor"
        if "vsBase" in result:
            reference += f"; {result['base']['medianMs']} on the {result['base']['name']}"
            ratio += f"; {result['vsBase']} x the {result['base']['name']}"
        elif "ratioFloor" in result:
            ratio += f" (lowest possible {result['ratioFloor']})"
        return (result["case"], f"{h['medianMs']}", f"{h['p95Ms']}", reference, ratio, verdict)
    s = result.get("sql")
    return (
        result["case"],
        f"{h['medianMs']}",
        f"{h['p95Ms']}",
        f"SQL {s['medianMs']}" if s else "",
        (
            f"{result['ratio']}"
            + (f" (floor {result['ratioFloor']})" if "ratioFloor" in result else "")
        )
        if s
        else "",
        verdict,
    )


def measure(*, state: dict, args, artifacts: Path) -> None:
    console = Console(width=200)
    artifacts.mkdir(parents=True, exist_ok=True)
    log_path = artifacts / "gunicorn.log"
    groups = [g for g in args.only.split(",") if g] or [
        "statements",
        "time",
        "api",
        "admin",
        "load",
    ]
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    console.print(f"Load average at the start (1, 5, 15 min): {load_at_start}")
    # One worker for the timed cases: one client asks one request at a time, and every request
    # then meets a warm worker (gunicorn's sync workers close each connection, so with several
    # workers a request lands on whichever accepts it, cold or not). The load phase gets its own.
    server = start_server(args, log_path, workers=1)
    started = time.monotonic()
    try:
        ctx = {
            "api": Api(args.port, state["api_key"]),
            "sql": Sql(os.environ["DATABASE_URL"]),
            "state": state,
            "args": args,
            "runs": args.runs,
            "warmup": args.warmup,
            "write_runs": args.write_runs,
            "progress": lambda r: console.print(f"  {' | '.join(_fmt(r))}"),
        }
        (pg_version,) = ctx["sql"].rows("SHOW server_version")[0]
        results = []
        steps = {
            "statements": statements,
            "time": time_listing,
            "api": lists_and_writes,
            "admin": lambda ctx: admin_pages(ctx, timed=timed, summary=summary),
        }
        for group in groups:
            if group == "load":
                continue
            console.rule(group)
            results.extend(steps[group](ctx))
        stop_server(server)
        if "load" in groups and not args.skip_load:
            console.rule(f"load ({args.workers} gunicorn workers)")
            server = start_server(args, artifacts / "gunicorn-load.log", workers=args.workers)
            results.extend(load(ctx))
    finally:
        stop_server(server)

    table = Table(title=f"Benchmark (scale {state['scale']}; times in ms)")
    for column in ("case", "HTTP median", "HTTP p95", "reference median", "ratio", "targets"):
        table.add_column(column)
    for result in results:
        table.add_row(*_fmt(result))
    console.print(table)
    report = {
        "measuredAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(time.monotonic() - started, 1),
        # Load averages (1, 5, 15 min) as the measurement started and as it ended.
        "machine": {
            **machine(),
            "loadAverageAtStart": load_at_start,
            "loadAverageAtEnd": [round(x, 2) for x in os.getloadavg()],
            "postgres": pg_version,
        },
        "settings": {
            "runs": args.runs,
            "warmup": args.warmup,
            "writeRuns": args.write_runs,
            "gunicornWorkers": args.workers,
            "timePageSize": TIME_PAGE,
            "loadSeconds": args.load_seconds,
            "loadConnections": args.load_connections,
        },
        "seed": {k: v for k, v in state.items() if k not in ("api_key", "databaseUrl")},
        "results": results,
    }
    name = f"results-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}.json"
    for path in (artifacts / name, artifacts / "latest.json"):
        path.write_text(json.dumps(report, indent=2, default=str))
    missed = [r["case"] for r in results if not all(r.get("targets", {}).values())]
    console.print(
        f"Load average at the end (1, 5, 15 min): {report['machine']['loadAverageAtEnd']}"
    )
    console.print(f"Wrote {artifacts / name}")
    if missed:
        console.print(f"Targets missed in: {'; '.join(missed)}")
