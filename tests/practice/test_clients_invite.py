"""Inviting a client's people: a pending invitation and an emailed link sent after commit,
resends, the firm named in body or query, bad invitations, and a failing mail server."""

import datetime as dt
import hashlib
import html
import smtplib
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.test import Client as PageClient
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import is_public_id
from axiomatic.entities.models import Role
from practice.models import Invitation
from practice.services.clients import client_create
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, db_snapshot, in_firm
from tests.practice.client_helpers import (
    ACCEPT_LINK,
    CLIENTS,
    INVITATION_KEYS,
    client_body,
    client_url,
    invitation_body,
    invite,
    invite_url,
    parse_time,
)

pytestmark = pytest.mark.django_db


# --- Invite ---------------------------------------------------------------------------------------


def _token(message) -> str:
    match = ACCEPT_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def test_invite_creates_a_pending_invitation_and_emails_a_link(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = invite(alice, acme.client.public_id, email="dana@initech.test", role="MEMBER")
    assert set(body) == {"invitation"}
    invitation = body["invitation"]
    assert set(invitation) == INVITATION_KEYS
    assert is_public_id(invitation["id"], "invt")
    assert invitation["entityId"] == acme.client.public_id
    assert invitation["email"] == "dana@initech.test"
    assert invitation["role"] == "MEMBER"
    assert invitation["status"] == "pending"
    expires = parse_time(invitation["expiresAt"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=5)
    assert invitation["createdAt"].endswith("Z")

    stored = Invitation.objects.get(public_id=invitation["id"])
    assert stored.firm == alice.firm and stored.entity == acme.client
    assert stored.invited_by == alice.user
    assert stored.sent_count == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["dana@initech.test"]
    assert alice.firm.name in message.subject
    assert alice.firm.name in message.body
    token = _token(message)
    link = f"{settings.SITE_URL}/invitations/accept/{token}"
    assert link in message.body
    (html_body, mimetype), *_ = message.alternatives
    assert mimetype == "text/html"
    assert alice.firm.name in html.unescape(html_body)
    assert link in html.unescape(html_body)

    # Only the hash is kept.
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    row = Invitation.objects.filter(pk=stored.pk).values().get()
    assert all(token not in str(value) for value in row.values())

    # The link works.
    page = PageClient().get(urlsplit(link).path)
    assert page.status_code == 200


def test_invite_defaults_to_viewer(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        body = invite(alice, acme.client.public_id)
    assert body["invitation"]["role"] == "VIEWER"
    assert Invitation.objects.get().role == "VIEWER"


def test_the_email_goes_only_after_commit(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite(alice, acme.client.public_id)  # asserts the 201
    assert mail.outbox == []
    assert Invitation.objects.get().token_hash is None
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_inviting_the_same_address_again_resends(alice, acme, django_capture_on_commit_callbacks):
    entity_id = acme.client.public_id
    with django_capture_on_commit_callbacks(execute=True):
        first = invite(alice, entity_id, email="dana@initech.test")
    with django_capture_on_commit_callbacks(execute=True):
        second = invite(alice, entity_id, email="Dana@Initech.test", role="ADMIN")
    assert second["invitation"]["id"] == first["invitation"]["id"]
    assert Invitation.objects.count() == 1
    stored = Invitation.objects.get()
    assert stored.sent_count == 2
    assert stored.role == "ADMIN"
    assert second["invitation"]["role"] == "ADMIN"

    assert len(mail.outbox) == 2
    old, new = _token(mail.outbox[0]), _token(mail.outbox[1])
    assert old != new
    assert mail.outbox[1].to == ["dana@initech.test"]
    assert stored.token_hash == hashlib.sha256(new.encode()).hexdigest()
    pages = PageClient()
    assert pages.get(f"/invitations/accept/{old}").status_code == 404
    assert pages.get(f"/invitations/accept/{new}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sent_count_in_the_response_counts_the_emails_sent(alice, acme):
    """With real commits (no test transaction around the request) the email task has run by the
    time the response is built."""
    entity_id = acme.client.public_id
    first = invite(alice, entity_id)
    assert first["invitation"]["sentCount"] == 1
    second = invite(alice, entity_id)
    assert second["invitation"]["id"] == first["invitation"]["id"]
    assert second["invitation"]["sentCount"] == 2
    assert len(mail.outbox) == 2
    assert Invitation.objects.count() == 1


def test_a_different_address_is_a_new_invitation(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a = invite(alice, acme.client.public_id, email="a@initech.test")
        b = invite(alice, acme.client.public_id, email="b@initech.test")
    assert a["invitation"]["id"] != b["invitation"]["id"]
    assert Invitation.objects.count() == 2
    assert [m.to for m in mail.outbox] == [["a@initech.test"], ["b@initech.test"]]


def test_invite_with_the_firm_named_in_the_body_or_query(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice, acme.client.public_id, firmEntityId=alice.firm.public_id)  # asserts the 201
        api(alice).post(  # asserts the 201
            invite_url(acme.client.public_id),
            {"email": "q@initech.test"},
            params=in_firm(alice.firm.public_id),
        )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": None}, "email"),
        ({"email": 42}, "email"),
        ({"email": ["a@b.test"]}, "email"),
        ({"email": "a" * 250 + "@b.test"}, "email"),
        ({"email": "dana@initech.test", "role": "OWNER"}, "role"),
        ({"email": "dana@initech.test", "role": "viewer"}, "role"),
        ({"email": "dana@initech.test", "role": None}, "role"),
        ({"email": "dana@initech.test", "firmEntityId": "junk"}, "firmEntityId"),
    ],
)
def test_bad_invitations_are_400_and_send_nothing(
    alice, acme, django_capture_on_commit_callbacks, body, field
):
    before = db_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        error = api(alice).post(
            invite_url(acme.client.public_id), body, status=400, code="validation_error"
        )
    assert field in error["fields"], error
    assert db_snapshot() == before
    assert mail.outbox == []


def test_inviting_to_an_archived_client_is_404(alice, acme, django_capture_on_commit_callbacks):
    api(alice).delete(client_url(acme.client.public_id), in_firm(alice.firm.public_id), status=204)
    with django_capture_on_commit_callbacks(execute=True):
        api(alice).post(
            invite_url(acme.client.public_id), invitation_body(), status=404, code="not_found"
        )
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_a_session_admin_can_invite_without_naming_the_firm(
    acme, firm_a, firm_b, make_client, django_capture_on_commit_callbacks
):
    """A session user's firm is the one of theirs that has this client."""
    erin = UserFactory(email="erin@both.test")
    MembershipFactory(user=erin, entity=firm_b, role=Role.VIEWER)
    MembershipFactory(user=erin, entity=firm_a, role=Role.ADMIN)
    client = APIClient()
    client.force_login(erin)
    with django_capture_on_commit_callbacks(execute=True):
        api(client).post(
            invite_url(acme.client.public_id), {"email": "z@i.test"}
        )  # asserts the 201
    stored = Invitation.objects.get()
    assert stored.firm == firm_a and stored.invited_by == erin
    assert firm_a.name in mail.outbox[0].body


def test_a_failing_mail_server_does_not_fail_the_invite(
    alice, acme, monkeypatch, django_capture_on_commit_callbacks
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("gone")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice, acme.client.public_id)  # asserts the 201
    stored = Invitation.objects.get()
    assert stored.status == "pending"
    assert stored.sent_count == 0 and stored.token_hash is None
    assert "gone" in stored.last_error


def test_resending_an_expired_pending_invitation_renews_it(
    alice, acme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(alice, acme.client.public_id)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        body = invite(alice, acme.client.public_id)
    expires = parse_time(body["invitation"]["expiresAt"])
    assert expires > timezone.now() + dt.timedelta(days=6)
    assert Invitation.objects.count() == 1
    assert Invitation.objects.get().sent_count == 2
    assert len(mail.outbox) == 2
    assert PageClient().get(f"/invitations/accept/{_token(mail.outbox[1])}").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_client_name_with_a_line_break_does_not_break_its_invitations(alice):
    """Either the name is refused up front (400), or inviting to that client works: never a 500
    (the name goes into the email's Subject header, where a line break is not allowed)."""
    error = api(alice).post(CLIENTS, client_body(alice, name="Acme\nCorp"), status=400)
    assert "name" in error["fields"]
    # A name written another way (the admin, an import) still cannot break the email's headers.

    link = client_create(
        firm=alice.firm, name="Acme\nCorp", type="llc", tier="STARTER", billing_mode="consolidated"
    )
    entity_id = link.client.public_id
    body = invite(alice, entity_id)
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject
    assert body["invitation"]["sentCount"] == 1
