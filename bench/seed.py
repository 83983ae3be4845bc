"""Seed a large partner firm on PostgreSQL for the benchmark.

Small objects (the firm, its API key, clients with their charts and books) go through the real
services, so they are exactly what the API would make. The bulk (time entries, engagements and tasks,
one client book's journal) is written with COPY, rows built here with the same rules the services
apply (rates snapshotted, amounts = hours x rate rounded half-up, every journal entry balanced).

The journal COPY runs with `session_replication_role = replica`, which skips the deferred
balance trigger (one trigger call per line would take longer than the whole seed); the seed then
checks the same rules itself in one grouped query (two or more lines, balanced, each line carrying
its entry's book and date) and fails if any entry breaks one. The COPY also bypasses the posting
service, which keeps the monthly balances (AccountMonthBalance): the seed fills them for the
copied books in one INSERT ... SELECT ... GROUP BY (book, account, month) and then compares every
book's month rows with its lines, failing on any difference.

Scale (`--scale`, `make bench SCALE=...`): up to 1 every part shrinks with it. Above 1 the firm
(clients, engagements, time entries) and the 1M-line book stay at their full size, and a second
client's book gets SCALE x 1M lines: SCALE=10 seeds the 1M-line book and a 10M-line one, so one
measurement compares the two under the same load.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from axiomatic.core.ids import new_public_id
from axiomatic.core.money import amount_cents
from axiomatic.entities.models import Entity, Membership, Role, User
from axiomatic.entities.services import partner_firm_create
from axiomatic.ledger.models import Account, AccountType, Book, JournalSequence
from practice.models import (
    ClientLink,
    Engagement,
    EngagementStatus,
    EngagementType,
    FirmProfile,
    Task,
)
from practice.services.clients import client_create

FULL = {
    "clients": 500,
    "time_entries": 200_000,
    "engagements": 2_000,
    "journal_lines": 1_000_000,
}
TASKS_PER_ENGAGEMENT = 5
STAFF_USERS = 20
FIRM_RATE_CENTS = 15_000
YEARS = 3
# The client that owns the big book also gets a larger share of time (the invoicing pool).
BIG_CLIENT_SHARE = 0.05
INVOICE_POOL = 1_500  # at least this many entries for the big client, whatever the scale


@dataclass
class Seeded:
    firm_entity_id: str
    api_key: str
    big_client_entity_id: str
    big_book_id: str
    clients: int
    time_entries: int
    engagements: int
    tasks: int
    journal_entries: int
    journal_lines: int
    # Every book the seed copied a journal into: {"label", "entityId", "bookId", "entries",
    # "lines", "monthRows"}; the first is the big book above, a second one only at SCALE > 1.
    books: list
    date_from: str
    date_to: str
    seconds: dict


def sizes(scale: float) -> dict[str, int]:
    """What SCALE seeds. Up to 1, everything in proportion; above 1 only the second (large) book
    grows, the firm and the 1M-line book stay at their full size."""
    firm = min(scale, 1.0)
    return {
        "clients": max(5, round(FULL["clients"] * firm)),
        "time_entries": max(2_000, round(FULL["time_entries"] * firm)),
        "engagements": max(20, round(FULL["engagements"] * firm)),
        "journal_lines": max(2_000, round(FULL["journal_lines"] * firm)),
        "large_book_lines": round(FULL["journal_lines"] * scale) if scale > 1 else 0,
    }


def _copy(table: str, columns: list[str], rows, total: int, desc: str) -> None:
    raw = connection.connection
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for row in tqdm(rows, total=total, desc=desc, unit="row", unit_scale=True, smoothing=0.05):
            copy.write_row(row)


def _reserve_ids(table: str, count: int) -> int:
    """Take `count` consecutive primary keys from the table's sequence; return the first."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (seq,) = cur.fetchone()
        cur.execute("SELECT nextval(%s)", [seq])
        (first,) = cur.fetchone()
        cur.execute("SELECT setval(%s, %s)", [seq, first + count])
    return first


def _days(date_from: dt.date, date_to: dt.date) -> list[dt.date]:
    return [date_from + dt.timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def seed(*, scale: float, rng_seed: int = 9) -> Seeded:
    rng = random.Random(rng_seed)
    n = sizes(scale)
    seconds: dict[str, float] = {}
    clock = timezone.now
    today = timezone.localdate()
    date_to = today.replace(day=1) - dt.timedelta(days=1)  # end of last month
    date_from = date_to.replace(year=date_to.year - YEARS) + dt.timedelta(days=1)
    days = _days(date_from, date_to)
    now = timezone.now()

    # --- The firm, its staff and its clients, through the services ----------------------------
    started = clock()
    created = partner_firm_create(name="Bench Partners LLP", owner_email="owner@bench.example")
    firm = created.firm
    FirmProfile.objects.update_or_create(
        firm=firm, defaults={"default_rate_cents": FIRM_RATE_CENTS}
    )
    staff = [created.owner]
    for i in range(STAFF_USERS - 1):
        user = User.objects.create_user(email=f"staff{i:02d}@bench.example", password=None)
        Membership.objects.create(user=user, entity=firm, role=Role.MEMBER)
        staff.append(user)
    tiers = ["STARTER", "PROFESSIONAL", "BUSINESS"]
    links: list[ClientLink] = []
    for i in tqdm(range(n["clients"]), desc="clients (service)", unit="client"):
        links.append(
            client_create(
                firm=firm,
                name=f"Client {i:04d} Holdings",
                type="llc",
                tier=tiers[i % 3],
                billing_mode="consolidated",
                default_rate_cents=None if i % 4 else 12_000 + 500 * (i % 7),
            )
        )
    seconds["firm_and_clients"] = (clock() - started).total_seconds()

    # --- Engagements and tasks (bulk_create fills public ids) ---------------------------------
    started = clock()
    engagements = []
    for i in range(n["engagements"]):
        link = links[i % len(links)]
        start = rng.choice(days)
        engagements.append(
            Engagement(
                firm=firm,
                client_id=link.client_id,
                name=f"{start:%Y-%m} engagement {i}",
                type=rng.choice(list(EngagementType.values)),
                status=EngagementStatus.COMPLETED if start < date_to.replace(day=1) else "active",
                series_start_date=start,
                start_date=start,
                due_date=start + dt.timedelta(days=30),
                assignee=rng.choice(staff),
            )
        )
    with transaction.atomic():
        Engagement.objects.bulk_create(engagements, batch_size=1000)
        tasks = [
            Task(
                engagement=engagement,
                title=f"Step {position}",
                position=position,
                due_date=engagement.start_date + dt.timedelta(days=6 * position),
                assignee=engagement.assignee,
            )
            for engagement in engagements
            for position in range(1, TASKS_PER_ENGAGEMENT + 1)
        ]
        Task.objects.bulk_create(tasks, batch_size=2000)
    seconds["engagements"] = (clock() - started).total_seconds()

    # --- Time entries (COPY) -------------------------------------------------------------------
    started = clock()
    big = links[0]
    by_client: dict[int, list[Engagement]] = {}
    for engagement in engagements:
        by_client.setdefault(engagement.client_id, []).append(engagement)
    tasks_by_engagement: dict[int, list[Task]] = {}
    for task in tasks:
        tasks_by_engagement.setdefault(task.engagement_id, []).append(task)
    big_count = max(INVOICE_POOL, round(n["time_entries"] * BIG_CLIENT_SHARE))
    hour_choices = [Decimal(h) / 4 for h in range(1, 33)]  # 0.25 .. 8.00

    def time_rows():
        for i in range(n["time_entries"]):
            link = big if i < big_count else links[1 + (i % (len(links) - 1))]
            hours = rng.choice(hour_choices)
            billable = rng.random() < 0.9
            if link.default_rate_cents is not None:
                rate, source = link.default_rate_cents, "client"
            else:
                rate, source = FIRM_RATE_CENTS, "firm"
            engagement = task = None
            candidates = by_client.get(link.client_id)
            if candidates and rng.random() < 0.5:
                engagement = rng.choice(candidates)
                if rng.random() < 0.5:
                    task = rng.choice(tasks_by_engagement[engagement.pk])
            yield (
                new_public_id("te"),
                firm.pk,
                link.client_id,
                engagement.pk if engagement else None,
                task.pk if task else None,
                rng.choice(staff).pk,
                rng.choice(days),
                hours,
                "Bookkeeping and reconciliations",
                billable,
                rate,
                source,
                amount_cents(hours=hours, rate_cents=rate),
                "unbilled",
                "open",
                now,
                now,
            )

    with transaction.atomic():
        _copy(
            "practice_timeentry",
            [
                "public_id",
                "firm_id",
                "client_id",
                "engagement_id",
                "task_id",
                "user_id",
                "date",
                "hours",
                "description",
                "billable",
                "rate_cents",
                "rate_source",
                "amount_cents",
                "billing_status",
                "approval_status",
                "created_at",
                "updated_at",
            ],
            time_rows(),
            n["time_entries"],
            "time entries (COPY)",
        )
    seconds["time_entries"] = (clock() - started).total_seconds()

    # --- The big book's journal (COPY), and at SCALE > 1 a larger one ---------------------------
    started = clock()
    books = [_seed_journal(big, n["journal_lines"], rng=rng, days=days, now=now, label="big")]
    if n["large_book_lines"]:
        books.append(
            _seed_journal(
                links[1], n["large_book_lines"], rng=rng, days=days, now=now, label="large"
            )
        )
    seconds["journal"] = (clock() - started).total_seconds()

    started = clock()
    _check_month_balances()
    seconds["month_balance_check"] = (clock() - started).total_seconds()

    started = clock()
    with connection.cursor() as cur:
        for table in (
            "practice_timeentry",
            "ledger_journalentry",
            "ledger_journalline",
            "ledger_accountmonthbalance",
        ):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("ANALYZE")
    seconds["vacuum_analyze"] = (clock() - started).total_seconds()

    return Seeded(
        firm_entity_id=firm.public_id,
        api_key=created.issued_key.key,
        big_client_entity_id=books[0]["entityId"],
        big_book_id=books[0]["bookId"],
        clients=len(links),
        time_entries=n["time_entries"],
        engagements=len(engagements),
        tasks=len(tasks),
        journal_entries=books[0]["entries"],
        journal_lines=books[0]["lines"],
        books=books,
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        seconds=seconds,
    )


# (debit side, credit side) by account type: expenses paid, sales, collections, bills paid...
PATTERNS = [
    (AccountType.EXPENSE, AccountType.ASSET),
    (AccountType.EXPENSE, AccountType.LIABILITY),
    (AccountType.ASSET, AccountType.REVENUE),
    (AccountType.ASSET, AccountType.ASSET),
    (AccountType.LIABILITY, AccountType.ASSET),
    (AccountType.ASSET, AccountType.EQUITY),
]
CHUNK_ENTRIES = 250_000  # one COPY of entries and one of their lines per chunk


def _seed_journal(link, lines: int, *, rng, days, now, label: str) -> dict:
    """Copy `lines` journal lines (two per entry, dates spread evenly over `days`) into the
    client's primary book, fill its monthly balances and check both; one transaction."""
    client = Entity.objects.get(pk=link.client_id)
    book = Book.objects.get(entity=client, is_primary=True)
    accounts = list(Account.objects.filter(entity=client))
    of_type = {t: [a.pk for a in accounts if a.type == t] for t in AccountType.values}
    sides = [(of_type[d], of_type[c]) for d, c in PATTERNS]
    entry_count = lines // 2
    # Entries per day, drawn at random, so the entries come out in date order without holding a
    # list of millions of dates.
    per_day = [0] * len(days)
    for _ in range(entry_count):
        per_day[int(rng.random() * len(days))] += 1

    def dates():
        for day, count in zip(days, per_day, strict=True):
            for _ in range(count):
                yield day

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
        first_entry = _reserve_ids("ledger_journalentry", entry_count)
        sequence = JournalSequence.objects.select_for_update().get(entity=client)
        first_number = sequence.last_number + 1
        day_of = dates()
        bar = tqdm(
            total=entry_count * 3,
            desc=f"{label} book: {lines:,} lines (COPY)",
            unit="row",
            unit_scale=True,
            smoothing=0.05,
        )
        raw = connection.connection
        for start in range(0, entry_count, CHUNK_ENTRIES):
            count = min(CHUNK_ENTRIES, entry_count - start)
            chunk = [(first_entry + start + i, next(day_of)) for i in range(count)]
            with raw.cursor() as cur:
                with cur.copy(
                    "COPY ledger_journalentry (id, public_id, entity_id, book_id, number, date,"
                    " memo, source, created_at) FROM STDIN"
                ) as copy:
                    for entry, day in chunk:
                        number = first_number + entry - first_entry
                        copy.write_row(
                            (
                                entry,
                                new_public_id("je"),
                                client.pk,
                                book.pk,
                                number,
                                day,
                                f"Imported transaction {number}",
                                "import",
                                now,
                            )
                        )
                bar.update(count)
                with cur.copy(
                    "COPY ledger_journalline (entry_id, book_id, date, account_id, debit_cents,"
                    " credit_cents, description) FROM STDIN"
                ) as copy:
                    for entry, day in chunk:
                        debits, credits = rng.choice(sides)
                        amount = rng.randint(100, 500_000)
                        copy.write_row((entry, book.pk, day, rng.choice(debits), amount, 0, ""))
                        copy.write_row((entry, book.pk, day, rng.choice(credits), 0, amount, ""))
                bar.update(2 * count)
        bar.close()
        JournalSequence.objects.filter(pk=sequence.pk).update(
            last_number=first_number + entry_count - 1
        )
        _check_balanced(book)
        month_rows = _fill_month_balances(book)
    return {
        "label": label,
        "entityId": client.public_id,
        "bookId": book.public_id,
        "entries": entry_count,
        "lines": entry_count * 2,
        "monthRows": month_rows,
    }


def _fill_month_balances(book: Book) -> int:
    """What the posting service would have kept, in one grouped INSERT (the COPY bypassed it).
    The book's lines all came from the COPY, so the sums over them are the whole months."""
    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO ledger_accountmonthbalance
                (book_id, account_id, month, debit_cents, credit_cents)
            SELECT book_id, account_id, date_trunc('month', date)::date,
                   SUM(debit_cents), SUM(credit_cents)
            FROM ledger_journalline
            WHERE book_id = %s
            GROUP BY book_id, account_id, date_trunc('month', date)::date
            ON CONFLICT (book_id, month, account_id) DO UPDATE
                SET debit_cents = EXCLUDED.debit_cents, credit_cents = EXCLUDED.credit_cents
            """,
            [book.pk],
        )
        return cur.rowcount


def _check_month_balances() -> None:
    """Every book's month rows against its lines (what `ledger_verify` does), in one query."""
    with connection.cursor() as cur:
        cur.execute(
            """
            WITH lines AS (
                SELECT book_id, account_id, date_trunc('month', date)::date AS month,
                       SUM(debit_cents) AS debit, SUM(credit_cents) AS credit
                FROM ledger_journalline
                GROUP BY 1, 2, 3
            ), months AS (
                SELECT book_id, account_id, month, debit_cents AS debit, credit_cents AS credit
                FROM ledger_accountmonthbalance
            )
            SELECT count(*), (SELECT count(*) FROM months)
            FROM lines FULL JOIN months USING (book_id, account_id, month)
            WHERE COALESCE(lines.debit, 0) <> COALESCE(months.debit, 0)
               OR COALESCE(lines.credit, 0) <> COALESCE(months.credit, 0)
            """
        )
        bad, rows = cur.fetchone()
    if bad:
        raise RuntimeError(f"{bad} monthly balances (of {rows}) differ from the journal lines")


def _check_balanced(book: Book) -> None:
    """The rule the deferred trigger enforces, checked once over the whole book."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT count(*) FROM (
                SELECT e.id
                FROM ledger_journalentry e
                LEFT JOIN ledger_journalline l ON l.entry_id = e.id
                WHERE e.book_id = %s
                GROUP BY e.id
                HAVING count(l.id) < 2
                    OR sum(l.debit_cents) <> sum(l.credit_cents)
                    OR bool_or(l.book_id <> e.book_id OR l.date <> e.date)
            ) bad
            """,
            [book.pk],
        )
        (bad,) = cur.fetchone()
    if bad:
        raise RuntimeError(f"{bad} seeded journal entries are unbalanced")
