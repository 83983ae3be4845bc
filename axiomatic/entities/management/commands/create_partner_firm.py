"""Create an enrolled partner firm, its owner and an API key.

    python manage.py create_partner_firm --name "Ledger & Co" --email owner@ledger.example --json

With --json, standard output carries exactly one JSON object:
{"firmEntityId": "ent_...", "apiKey": "axk_...", "userEmail": "..."}. Integrations and our own tests
bootstrap with it: keep that interface stable.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from axiomatic.entities.models import EnrollmentStatus
from axiomatic.entities.services import partner_firm_create


class Command(BaseCommand):
    help = "Create a partner firm (books seeded), its owner (ADMIN, admin login), enrollment and API key."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="The firm's name.")
        parser.add_argument("--email", required=True, help="The owner's email (their admin login).")
        parser.add_argument(
            "--password",
            help="The owner's admin password. Without it the owner gets no usable password "
            "(set one later with `manage.py changepassword EMAIL`).",
        )
        parser.add_argument(
            "--enrollment",
            choices=[s.value for s in EnrollmentStatus],
            default=EnrollmentStatus.ACTIVE.value,
            help="Partner program status (default: active).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON object and nothing else on stdout."
        )

    def handle(self, *args, **options):
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.")
        try:
            validate_email(options["email"])
        except ValidationError:
            raise CommandError(f"--email {options['email']!r} is not a valid email address.")

        created = partner_firm_create(
            name=name,
            owner_email=options["email"],
            owner_password=options["password"],
            enrollment_status=options["enrollment"],
        )
        result = {
            "firmEntityId": created.firm.public_id,
            "apiKey": created.issued_key.key,
            "userEmail": created.owner.email,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            self.style.SUCCESS(f"Created partner firm {name} ({result['firmEntityId']}).")
        )
        self.stdout.write(f"  Owner (admin login): {result['userEmail']}")
        if not options["password"]:
            self.stdout.write(
                f"  No password set: run `manage.py changepassword {result['userEmail']}`."
            )
        self.stdout.write(f"  API key (shown once, store it now): {result['apiKey']}")
