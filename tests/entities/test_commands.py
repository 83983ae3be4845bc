"""Management commands: create_partner_firm (the bootstrap interface) and seed_demo."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.test import APIClient

from axiomatic.entities.models import ApiKey, Entity, Membership, PartnerEnrollment, User
from axiomatic.ledger.models import Account, Book, JournalEntry
from practice.models import ClientLink, Engagement, TimeEntry
from tests.helpers import assert_error, db_snapshot

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_create_partner_firm_json_prints_one_object_and_the_key_works():
    out = run(
        "create_partner_firm", "--name", "Ledger & Co", "--email", "Owner@Ledger.test", "--json"
    )
    result = json.loads(out)
    assert set(result) == {"firmEntityId", "apiKey", "userEmail"}
    assert result["userEmail"] == "owner@ledger.test"
    assert result["apiKey"].startswith("axk_")

    firm = Entity.objects.get(public_id=result["firmEntityId"])
    assert firm.name == "Ledger & Co"
    assert PartnerEnrollment.objects.get(firm=firm).status == "active"
    owner = User.objects.get(email="owner@ledger.test")
    assert owner.is_staff
    assert Membership.objects.get(user=owner, entity=firm).role == "ADMIN"
    assert Book.objects.filter(entity=firm).count() == 2
    assert Account.objects.filter(entity=firm).count() >= 30

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {result['apiKey']}")
    response = client.get("/api/ledger/books", {"entityId": firm.public_id})
    assert response.status_code == 200
    assert len(response.json()["books"]) == 2


def test_create_partner_firm_with_password_gives_an_admin_login():
    run(
        "create_partner_firm",
        "--name",
        "Pw Firm",
        "--email",
        "pw@firm.test",
        "--password",
        "s3cret-Passw0rd",
    )
    # Through the admin's login page, as the owner signs in (a login needs a request: the
    # lockout backend counts failures per client address).
    response = Client().post(
        "/admin/login/",
        {"username": "pw@firm.test", "password": "s3cret-Passw0rd", "next": "/admin/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_create_partner_firm_without_password_says_how_to_set_one():
    out = run("create_partner_firm", "--name", "No Pw", "--email", "nopw@firm.test")
    assert "changepassword" in out
    assert not User.objects.get(email="nopw@firm.test").has_usable_password()


def test_create_partner_firm_suspended_enrollment():
    result = json.loads(
        run(
            "create_partner_firm",
            "--name",
            "S",
            "--email",
            "s@firm.test",
            "--enrollment",
            "suspended",
            "--json",
        )
    )
    assert (
        PartnerEnrollment.objects.get(firm__public_id=result["firmEntityId"]).status == "suspended"
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "  ", "--email", "a@b.test"],
        ["--name", "X", "--email", "not-an-email"],
    ],
)
def test_create_partner_firm_refuses_bad_arguments_and_writes_nothing(args):
    before = db_snapshot()
    with pytest.raises(CommandError):
        run("create_partner_firm", *args)
    assert db_snapshot() == before


def test_seed_demo_is_idempotent_and_its_key_works(tmp_path, settings):
    settings.DEBUG = True
    creds = tmp_path / "demo.json"
    first_out = run("seed_demo", "--credentials-file", str(creds))
    after_first = db_snapshot()
    saved = json.loads(creds.read_text())
    assert saved["apiKey"] in first_out
    assert "curl" in first_out

    second_out = run("seed_demo", "--credentials-file", str(creds))
    assert db_snapshot() == after_first
    assert json.loads(creds.read_text()) == saved
    assert "ready" in second_out

    assert JournalEntry.objects.filter(entity__public_id=saved["firmEntityId"]).count() > 100
    links = ClientLink.objects.filter(
        firm__public_id=saved["firmEntityId"], archived_at__isnull=True
    )
    assert {link.client_tier for link in links} == {"STARTER", "PROFESSIONAL", "BUSINESS"}
    assert {link.billing_mode for link in links} == {"consolidated", "client_direct"}
    engagements = Engagement.objects.filter(firm__public_id=saved["firmEntityId"])
    assert set(engagements.values_list("status", flat=True)) == {"active", "completed", "cancelled"}
    assert set(engagements.values_list("recurrence", flat=True)) == {
        None,
        "monthly",
        "quarterly",
        "annual",
    }
    dates = TimeEntry.objects.filter(firm__public_id=saved["firmEntityId"]).values_list(
        "date", flat=True
    )
    assert (max(dates) - min(dates)).days >= 80
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {saved['apiKey']}")
    response = client.get(
        "/api/ledger/journal-entries", {"entityId": saved["firmEntityId"], "limit": 5}
    )
    assert response.status_code == 200
    assert len(response.json()["journalEntries"]) == 5


def test_seed_demo_issues_a_fresh_key_when_the_saved_one_is_gone(tmp_path, settings):
    settings.DEBUG = True
    creds = tmp_path / "demo.json"
    run("seed_demo", "--credentials-file", str(creds))
    old = json.loads(creds.read_text())["apiKey"]
    creds.unlink()
    run("seed_demo", "--credentials-file", str(creds))
    new = json.loads(creds.read_text())["apiKey"]
    assert new != old
    assert ApiKey.objects.filter(revoked_at__isnull=True).count() == 1
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {old}")
    firm_id = json.loads(creds.read_text())["firmEntityId"]
    assert_error(client.get("/api/ledger/books", {"entityId": firm_id}), 401)


def test_seed_demo_refuses_to_run_without_debug(tmp_path, settings):
    settings.DEBUG = False
    before = db_snapshot()
    with pytest.raises(CommandError, match="DEBUG"):
        run("seed_demo", "--credentials-file", str(tmp_path / "x.json"))
    assert db_snapshot() == before
