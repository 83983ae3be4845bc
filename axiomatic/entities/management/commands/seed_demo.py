"""Demo data for a local server: a partner firm, its people, two years of bookkeeping, and whatever
the feature apps add through the `demo_firm_seeded` signal (clients, time, engagements...).

Running it again changes nothing that is already there: the firm, users and entries are found and
kept, and the demo API key is reused while the credentials file still holds a working one.
"""

import datetime as dt
import json
import random
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from axiomatic.entities.models import Entity, Membership, Role
from axiomatic.entities.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    membership_set,
    partner_firm_create,
    user_get_or_create,
)
from axiomatic.entities.signals import demo_firm_seeded
from axiomatic.ledger.models import Account, Book, JournalEntry
from axiomatic.ledger.services import JournalEntryDraft

DEMO_FIRM_NAME = "Bright Ledger CPA (demo)"
DEMO_OWNER_EMAIL = "demo@axiomatic.local"
DEMO_VIEWER_EMAIL = "viewer@axiomatic.local"
DEMO_PASSWORD = "demo-password"
DEMO_KEY_NAME = "Demo key"
DEMO_MONTHS = 24


class Command(BaseCommand):
    help = "Create (or find) the demo partner firm with users, an API key and two years of entries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--credentials-file",
            default=str(Path(settings.BASE_DIR) / ".demo-credentials.json"),
            help="Where to keep the demo API key between runs (default: .demo-credentials.json).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off (the demo users have a published password).",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates users with a published password; it runs only with DEBUG=true. "
                "Pass --force to run it anyway (never on a production database)."
            )
        creds_path = Path(options["credentials_file"])
        firm, created = self._firm()
        viewer = user_get_or_create(email=DEMO_VIEWER_EMAIL, password=DEMO_PASSWORD, is_staff=True)
        if not Membership.objects.filter(user=viewer, entity=firm).exists():
            membership_set(user=viewer, entity=firm, role=Role.VIEWER)
        key = self._api_key(firm, creds_path)
        self._journal_entries(firm)
        owner = Membership.objects.get(entity=firm, user__email=DEMO_OWNER_EMAIL).user
        # The feature apps add their part (clients, time, engagements...); each is idempotent.
        demo_firm_seeded.send(sender=self.__class__, firm=firm, owner=owner, progress=self._note)

        site = settings.SITE_URL
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo firm {'created' if created else 'ready'}: {firm.name} ({firm.public_id})"
            )
        )
        self.stdout.write(f"  Admin:   {site}/admin/  {DEMO_OWNER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"  Viewer:  {DEMO_VIEWER_EMAIL} / {DEMO_PASSWORD} (read-only)")
        self.stdout.write(f"  API key: {key}  (also in {creds_path})")
        self.stdout.write(f"  API docs: {site}/api/docs/")
        self.stdout.write("  Try:")
        self.stdout.write(
            f'    curl -s -H "Authorization: Bearer {key}" "{site}/api/ledger/books?entityId={firm.public_id}"'
        )

    def _note(self, message: str) -> None:
        self.stdout.write(f"  {message}")

    def _firm(self) -> tuple[Entity, bool]:
        membership = (
            Membership.objects.select_related("entity")
            .filter(user__email=DEMO_OWNER_EMAIL, role=Role.ADMIN, entity__name=DEMO_FIRM_NAME)
            .first()
        )
        if membership is not None:
            return membership.entity, False
        created = partner_firm_create(
            name=DEMO_FIRM_NAME,
            owner_email=DEMO_OWNER_EMAIL,
            owner_password=DEMO_PASSWORD,
            api_key_name=DEMO_KEY_NAME,
        )
        # The key partner_firm_create issued is replaced by the one _api_key writes to the file.
        api_key_revoke(api_key=created.issued_key.api_key)
        return created.firm, True

    def _api_key(self, firm: Entity, creds_path: Path) -> str:
        if creds_path.exists():
            try:
                saved = json.loads(creds_path.read_text())
                key = saved.get("apiKey", "")
                api_key = api_key_authenticate(key)
                if api_key is not None and api_key.firm_id == firm.pk:
                    return key
            except (OSError, ValueError, AttributeError):
                pass
        with transaction.atomic():
            for old in firm.api_keys.filter(name=DEMO_KEY_NAME, revoked_at__isnull=True):
                api_key_revoke(api_key=old)
            owner = Membership.objects.get(entity=firm, user__email=DEMO_OWNER_EMAIL).user
            issued = api_key_create(firm=firm, name=DEMO_KEY_NAME, created_by=owner)
        creds_path.write_text(
            json.dumps(
                {
                    "firmEntityId": firm.public_id,
                    "apiKey": issued.key,
                    "userEmail": DEMO_OWNER_EMAIL,
                },
                indent=2,
            )
            + "\n"
        )
        creds_path.chmod(0o600)
        return issued.key

    def _journal_entries(self, firm: Entity) -> None:
        if JournalEntry.objects.filter(entity=firm).exists():
            return
        book = Book.objects.get(entity=firm, is_primary=True)
        acct = {a.code: a for a in Account.objects.filter(entity=firm)}
        rng = random.Random(20261125)  # noqa: S311 (demo numbers, not secrets): the same demo books on every machine
        today = dt.date.today()
        start = dt.date(today.year - 2, today.month, 1)
        months = [_add_months(start, i) for i in range(DEMO_MONTHS)]
        with transaction.atomic():
            JournalEntryDraft(book=book, date=start, memo="Owner's opening contribution").debit(
                acct["1000"], 5_000_000
            ).credit(acct["3000"], 5_000_000).post()
            # Office equipment, part paid from the bank and part on a loan: with its depreciation,
            # the loan's repayments and the owner's draws, the cash-flow statement has an investing
            # and a financing section and a non-cash adjustment to show.
            JournalEntryDraft(
                book=book, date=start.replace(day=10), memo="Office equipment (part on a loan)"
            ).debit(acct["1500"], 2_400_000).credit(acct["1000"], 600_000).credit(
                acct["2700"], 1_800_000
            ).post()
            for month in tqdm(months, desc="Demo journal entries", unit="month", disable=None):
                fees = rng.randrange(1_800_000, 3_200_000, 100)
                collected = fees - rng.randrange(0, 400_000, 100)
                payroll = rng.randrange(900_000, 1_200_000, 100)
                day = month.replace(day=28)
                steps = [
                    ("Client fees billed", "1100", "4000", fees, day),
                    ("Client payments received", "1000", "1100", collected, day),
                    ("Office rent", "6000", "1000", 350_000, month),
                    ("Payroll", "6100", "1000", payroll, month.replace(day=15)),
                    (
                        "Practice software",
                        "6200",
                        "2100",
                        rng.randrange(40_000, 90_000, 100),
                        month.replace(day=5),
                    ),
                    ("Bank fees", "6400", "1000", rng.randrange(1_500, 6_000, 5), day),
                    ("Depreciation of office equipment", "6900", "1550", 40_000, day),
                    ("Loan repayment", "2700", "1000", 75_000, month.replace(day=20)),
                ]
                if month.month % 3 == 0:
                    steps.append(("Owner's draw", "3100", "1000", 600_000, day))
                for memo, debit, credit, cents, date in steps:
                    JournalEntryDraft(book=book, date=date, memo=memo).debit(
                        acct[debit], cents
                    ).credit(acct[credit], cents).post()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)
