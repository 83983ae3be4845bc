"""Seed a large partner firm on PostgreSQL for the benchmark.

Small objects (the firm, its API key, clients with their charts and books) go through the real
services, so they are exactly what the API would make. The bulk (time entries, engagements and tasks,
one client book's journal) is written with COPY, rows built here with the same rules the services
apply (rates snapshotted, amounts = hours x rate rounded half-up, every journal entry balanced).

The journal COPY runs with `session_replication_role = replica`, which skips the deferred
balance trigger (one trigger call per line would take longer than the whole seed); the seed then
checks the same rules itself in one grouped query (two or more lines, balanced, each line carrying
its entry's book and date) and fails if any entry breaks one.
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
    date_from: str
    date_to: str
    seconds: dict


def sizes(scale: float) -> dict[str, int]:
    return {
        "clients": max(5, round(FULL["clients"] * scale)),
        "time_entries": max(2_000, round(FULL["time_entries"] * scale)),
        "engagements": max(20, round(FULL["engagements"] * scale)),
        "journal_lines": max(2_000, round(FULL["journal_lines"] * scale)),
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
                "created_at",
                "updated_at",
            ],
            time_rows(),
            n["time_entries"],
            "time entries (COPY)",
        )
    seconds["time_entries"] = (clock() - started).total_seconds()

    # --- One client book with the big journal (COPY) -------------------------------------------
    started = clock()
    client = Entity.objects.get(pk=big.client_id)
    book = Book.objects.get(entity=client, is_primary=True)
    accounts = list(Account.objects.filter(entity=client))
    of_type = {t: [a.pk for a in accounts if a.type == t] for t in AccountType.values}
    # (debit side, credit side) by account type: expenses paid, sales, collections, bills paid...
    patterns = [
        (AccountType.EXPENSE, AccountType.ASSET),
        (AccountType.EXPENSE, AccountType.LIABILITY),
        (AccountType.ASSET, AccountType.REVENUE),
        (AccountType.ASSET, AccountType.ASSET),
        (AccountType.LIABILITY, AccountType.ASSET),
        (AccountType.ASSET, AccountType.EQUITY),
    ]
    entry_count = n["journal_lines"] // 2
    first_entry = _reserve_ids("ledger_journalentry", entry_count)
    sequence = JournalSequence.objects.get(entity=client)
    first_number = sequence.last_number + 1
    entry_days = sorted(rng.choice(days) for _ in range(entry_count))

    def entry_rows():
        for i in range(entry_count):
            yield (
                first_entry + i,
                new_public_id("je"),
                client.pk,
                book.pk,
                first_number + i,
                entry_days[i],
                f"Imported transaction {i}",
                "import",
                now,
            )

    def line_rows():
        for i in range(entry_count):
            debit_type, credit_type = rng.choice(patterns)
            amount = rng.randint(100, 500_000)
            entry, day = first_entry + i, entry_days[i]
            yield (entry, book.pk, day, rng.choice(of_type[debit_type]), amount, 0, "")
            yield (entry, book.pk, day, rng.choice(of_type[credit_type]), 0, amount, "")

    with transaction.atomic():
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
        _copy(
            "ledger_journalentry",
            ["id", "public_id", "entity_id", "book_id", "number", "date", "memo", "source"]
            + ["created_at"],
            entry_rows(),
            entry_count,
            "journal entries (COPY)",
        )
        _copy(
            "ledger_journalline",
            ["entry_id", "book_id", "date", "account_id", "debit_cents", "credit_cents"]
            + ["description"],
            line_rows(),
            entry_count * 2,
            "journal lines (COPY)",
        )
        JournalSequence.objects.filter(pk=sequence.pk).update(
            last_number=first_number + entry_count - 1
        )
        _check_balanced(book)
    seconds["journal"] = (clock() - started).total_seconds()

    started = clock()
    with connection.cursor() as cur:
        for table in ("practice_timeentry", "ledger_journalentry", "ledger_journalline"):
            cur.execute(f"VACUUM (ANALYZE) {table}")
        cur.execute("ANALYZE")
    seconds["vacuum_analyze"] = (clock() - started).total_seconds()

    return Seeded(
        firm_entity_id=firm.public_id,
        api_key=created.issued_key.key,
        big_client_entity_id=client.public_id,
        big_book_id=book.public_id,
        clients=len(links),
        time_entries=n["time_entries"],
        engagements=len(engagements),
        tasks=len(tasks),
        journal_entries=entry_count,
        journal_lines=entry_count * 2,
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        seconds=seconds,
    )


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
