"""A firm's data export (`manage.py export_firm`, the admin's "Export firm data"): every row the
firm owns, as CSV files in a ZIP with a manifest, read back here with zipfile and csv; none of
another firm's rows and no secret (key, token and password hashes, signing secrets) in it."""

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.exports import MANIFEST
from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import ApiKey, EnrollmentStatus, Membership, Role, User
from axiomatic.entities.services import firm_export
from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine
from axiomatic.ledger.services import JournalEntryDraft
from axiomatic.webhooks.models import WebhookEndpoint
from billing.models import Invoice, InvoiceDelivery, InvoiceLine, Payment
from billing.services.payments import payment_create
from practice.models import ClientLink, Engagement, Invitation, Task, TimeEntry
from practice.services.time_entries import time_entry_create
from reports.models import ReportShare
from tests.admin.conftest import build_world, logged_in
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import requires_postgres

pytestmark = pytest.mark.django_db


def read(data: bytes) -> tuple[dict, dict[str, list[dict]]]:
    """The manifest and every CSV file's rows, as the archive's reader sees them."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        manifest = json.loads(archive.read(MANIFEST))
        files = {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in archive.namelist()
            if name != MANIFEST
        }
    return manifest, files


def export(tmp_path, firm, *extra) -> tuple[dict, dict[str, list[dict]], bytes]:
    out = tmp_path / "firm.zip"
    call_command("export_firm", "--firm", firm.public_id, "--out", str(out), "--quiet", *extra)
    data = out.read_bytes()
    return (*read(data), data)


def post_client_entry(link, cents: int = 5_000) -> JournalEntry:
    """A journal entry in the client's own books (the bookkeeping the firm does for it)."""
    accounts = Account.objects.filter(entity=link.client).order_by("code")
    return (
        JournalEntryDraft(
            book=Book.objects.get(entity=link.client, is_primary=True),
            date=timezone.localdate(),
            memo=f"{link.client.name} rent",
        )
        .debit(accounts.filter(type="expense").first(), cents)
        .credit(accounts.filter(type="asset").first(), cents)
        .post()
    )


@pytest.fixture
def worlds(alice, charlie, make_client):
    world_a = build_world(alice, make_client, "Acme", entries=4)
    world_b = build_world(charlie, make_client, "Globex", entries=3)
    for world in (world_a, world_b):
        post_client_entry(world.link)
        owner = UserFactory(email=f"owner@{world.link.client.name.lower()}.test")
        MembershipFactory(user=owner, entity=world.link.client, role=Role.ADMIN)
        payment_create(
            firm=world.link.firm,
            invoice_public_id=world.invoice.public_id,
            amount_cents=100,
            date=world.invoice.issue_date,
            method="check",
        )
        InvoiceDelivery.objects.create(invoice=world.invoice, recipients=[owner.email])
    # Tokens are minted by the email task; give every invitation a hash to look for.
    for n, invitation in enumerate(Invitation.objects.order_by("id")):
        Invitation.objects.filter(pk=invitation.pk).update(token_hash=f"{n:x}" * 64)
    return world_a, world_b


def secrets() -> list[str]:
    values = [k.key_hash for k in ApiKey.objects.all()]
    values += [i.token_hash for i in Invitation.objects.exclude(token_hash=None)]
    values += [s.token_hash for s in ReportShare.objects.all()]
    values += [u.password for u in User.objects.all()]
    for endpoint in WebhookEndpoint.objects.all():
        values += [endpoint.secret_encrypted, endpoint.previous_secret_encrypted]
    return [v[:64] for v in values if v]


def test_the_archive_holds_every_row_the_firm_owns(tmp_path, alice, worlds):
    world_a, _ = worlds
    firm = alice.firm

    manifest, files, _ = export(tmp_path, firm)

    reached = [firm.pk, world_a.link.client.pk]
    expected = {
        "clients.csv": ClientLink.objects.filter(firm=firm).count(),
        "time_entries.csv": TimeEntry.objects.filter(firm=firm).count(),
        "engagements.csv": Engagement.objects.filter(firm=firm).count(),
        "tasks.csv": Task.objects.filter(engagement__firm=firm).count(),
        "invitations.csv": Invitation.objects.filter(firm=firm).count(),
        "invoices.csv": Invoice.objects.filter(firm=firm).count(),
        "invoice_lines.csv": InvoiceLine.objects.filter(invoice__firm=firm).count(),
        "payments.csv": Payment.objects.filter(firm=firm).count(),
        "invoice_deliveries.csv": InvoiceDelivery.objects.filter(invoice__firm=firm).count(),
        "journal_entries.csv": JournalEntry.objects.filter(entity__in=reached).count(),
        "journal_lines.csv": JournalLine.objects.filter(entry__entity__in=reached).count(),
        "share_links.csv": ReportShare.objects.filter(entity__in=reached).count(),
        "memberships.csv": Membership.objects.filter(entity__in=reached).count(),
        "api_keys.csv": ApiKey.objects.filter(firm=firm).count(),
        "webhook_endpoints.csv": WebhookEndpoint.objects.filter(firm=firm).count(),
    }
    assert {name: len(rows) for name, rows in files.items()} == expected
    assert all(expected.values())
    assert manifest["format"] == 1 and manifest["firmId"] == firm.public_id
    assert manifest["generatedAt"].endswith("Z")
    assert {f["name"]: f["rows"] for f in manifest["files"]} == expected
    for entry in manifest["files"]:
        assert entry["columns"] == list(files[entry["name"]][0])

    # The rows are the firm's, as its API shows them (public ids, cents, ISO dates).
    entry = world_a.entries[1]
    row = next(r for r in files["time_entries.csv"] if r["id"] == entry.public_id)
    assert row["client_entity_id"] == world_a.link.client.public_id
    assert row["hours"] == "1.50" and row["rate_cents"] == "15000" and row["billable"] == "true"
    assert row["date"] == entry.date.isoformat()
    invoice = files["invoices.csv"][0]
    assert invoice["number"] == world_a.invoice.display_number
    assert invoice["total_cents"] == str(world_a.invoice.total_cents)
    assert invoice["amount_paid_cents"] == "100"
    [payment] = files["payments.csv"]
    assert (payment["invoice_id"], payment["amount_cents"]) == (world_a.invoice.public_id, "100")
    assert files["invoice_deliveries.csv"][0]["recipients"] == "owner@acme.test"
    assert {r["email"] for r in files["memberships.csv"]} >= {"alice@alpha.test", "owner@acme.test"}


def test_no_other_firms_row_and_no_secret_is_in_the_archive(tmp_path, alice, worlds):
    _, world_b = worlds

    _, _, data = export(tmp_path, alice.firm)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        text = "\n".join(archive.read(name).decode("utf-8") for name in archive.namelist())
    theirs = [
        world_b.link.firm.public_id,
        world_b.link.client.public_id,
        world_b.link.public_id,
        world_b.invoice.public_id,
        world_b.engagement.public_id,
        world_b.webhook.public_id,
        world_b.share.public_id,
        world_b.invitation.public_id,
        "charlie@bravo.test",
        "owner@globex.test",
        *(e.public_id for e in world_b.entries),
        *(t.public_id for t in world_b.engagement.tasks.all()),
        *(k.public_id for k in ApiKey.objects.filter(firm=world_b.link.firm)),
        *JournalEntry.objects.filter(
            entity__in=[world_b.link.firm, world_b.link.client]
        ).values_list("public_id", flat=True),
    ]
    assert [value for value in theirs if value in text] == []
    assert [value for value in [*secrets(), alice.key] if value in text] == []


def test_a_suspended_firm_exports_what_it_still_reaches(tmp_path, alice, worlds):
    alice.firm.enrollment.status = EnrollmentStatus.SUSPENDED
    alice.firm.enrollment.save()

    _, files, _ = export(tmp_path, alice.firm)

    # Its own records, and its own books only: its clients' entities drop out of reach.
    assert len(files["time_entries.csv"]) == TimeEntry.objects.filter(firm=alice.firm).count()
    assert {r["entity_id"] for r in files["journal_entries.csv"]} == {alice.firm.public_id}


def test_the_archive_streams_while_the_rows_are_read(alice, acme):
    # Enough hard-to-compress text that the compressor hands bytes on several times.
    TimeEntry.objects.bulk_create(
        TimeEntry(
            firm=alice.firm,
            client=acme.client,
            date=timezone.localdate(),
            hours=Decimal("1"),
            rate_source="none",
            description=" ".join(new_public_id("te") for _ in range(4)),
        )
        for _ in range(3000)
    )
    archive = firm_export(firm=alice.firm)
    archive.chunk_rows = 500

    with CaptureQueriesContext(connection) as ctx:
        chunks = archive.chunks()
        first = b""
        while not first:
            first = next(chunks)
        read_before_first_bytes = " ".join(q["sql"] for q in ctx.captured_queries)
    rest = list(chunks)

    # A ZIP's first bytes are out while the time is being read, before the last table is.
    assert first.startswith(b"PK")
    assert "practice_timeentry" in read_before_first_bytes
    assert "webhooks_webhookendpoint" not in read_before_first_bytes
    assert len([c for c in rest if c]) > 3  # and more follow, chunk by chunk
    _, files = read(first + b"".join(rest))
    assert len(files["time_entries.csv"]) == 3000


def test_the_command_shows_progress_and_a_summary_unless_quiet(tmp_path, alice, acme):
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "a.zip"

    call_command(
        "export_firm", "--firm", alice.firm.public_id, "--out", str(target), stdout=out, stderr=err
    )

    assert "time_entries.csv" in err.getvalue()
    assert "clients.csv: 1 rows" in out.getvalue()
    assert not (tmp_path / "a.zip.partial").exists()
    quiet_out, quiet_err = io.StringIO(), io.StringIO()
    call_command(
        "export_firm",
        "--firm",
        alice.firm.public_id,
        "--out",
        str(target),
        "--quiet",
        stdout=quiet_out,
        stderr=quiet_err,
    )
    assert quiet_out.getvalue() == "" and quiet_err.getvalue() == ""


@pytest.mark.parametrize("which", ["unknown", "client"])
def test_the_command_refuses_what_is_not_a_partner_firm(tmp_path, acme, which):
    entity_id = acme.client.public_id if which == "client" else "ent_" + "0" * 26
    with pytest.raises(CommandError, match="No partner firm"):
        call_command("export_firm", "--firm", entity_id, "--out", str(tmp_path / "x.zip"))
    assert not list(tmp_path.iterdir())


@requires_postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_every_file_is_read_in_one_snapshot(tmp_path, alice, acme):
    time_entry_create(firm=alice.firm, link=acme, work_date=timezone.localdate(), hours=1)

    with CaptureQueriesContext(connection) as ctx:
        _, files, _ = export(tmp_path, alice.firm)

    assert any("REPEATABLE READ, READ ONLY" in q["sql"] for q in ctx.captured_queries)
    assert len(files["time_entries.csv"]) == 1


# -- the admin action ------------------------------------------------------------------------------


def export_action(client, firm, **kwargs):
    return client.post(
        reverse("admin:entities_entity_changelist"),
        {"action": "export_firm_data", "_selected_action": [firm.pk]},
        **kwargs,
    )


def test_a_firm_admin_downloads_the_archive_from_the_admin(alice, worlds):
    response = export_action(logged_in(alice.user), alice.firm)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{alice.firm.public_id}-' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert response.streaming
    manifest, files = read(b"".join(response.streaming_content))
    assert manifest["firmId"] == alice.firm.public_id
    assert len(files["time_entries.csv"]) == TimeEntry.objects.filter(firm=alice.firm).count()


def test_a_member_may_not_export_the_firm(alice, worlds):
    user = UserFactory(email="member@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)

    response = export_action(logged_in(user), alice.firm, follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert "Only the firm&#x27;s admins may export its data." in response.content.decode()


def test_a_viewer_is_not_offered_the_export(bob, worlds):
    page = logged_in(bob.user).get(reverse("admin:entities_entity_changelist"))
    response = export_action(logged_in(bob.user), bob.firm)

    assert page.status_code == 200 and "export_firm_data" not in page.content.decode()
    assert response["Content-Type"].startswith("text/html")


def test_a_client_entity_is_not_exported_as_a_firm(alice, worlds):
    world_a, _ = worlds
    response = export_action(logged_in(alice.user), world_a.link.client, follow=True)

    assert "Select exactly one partner firm." in response.content.decode()


def test_another_firm_cannot_be_exported_from_the_admin(alice, charlie, worlds):
    response = export_action(logged_in(charlie.user), alice.firm, follow=True)

    assert response["Content-Type"].startswith("text/html")
    assert alice.firm.public_id not in response.content.decode()
