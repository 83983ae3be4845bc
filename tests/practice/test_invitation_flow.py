"""The invitation link, end to end: a real SMTP server, the accept page, the client home page."""

import datetime as dt
import re
from urllib.parse import urlsplit

import environ
import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.utils import timezone

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import Membership, Role, User
from practice.models import Invitation
from practice.services.invitations import (
    InvitationProblem,
    InvitationUnusable,
    invitation_accept,
    invitation_create,
)
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import free_port, requires_postgres, run_concurrently

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+/invitations/accept/[A-Za-z0-9_\-]+")
PASSWORD = "a-long-and-unusual-passphrase"


def invite(persona, link, email_address="pat@acme.test", role="VIEWER", capture=None):
    with capture(execute=True):
        response = persona.client.post(
            f"/api/practice/clients/{link.client.public_id}/invite",
            {"email": email_address, "role": role},
            format="json",
        )
    assert response.status_code == 201, response.content
    return response.json()["invitation"]


def last_link() -> str:
    return LINK.search(mail.outbox[-1].body).group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_invitation_through_a_real_smtp_server_and_the_accept_page(
    alice, acme, smtp_server, django_capture_on_commit_callbacks
):
    invitation = invite(alice, acme, "Pat@Acme.test", "MEMBER", django_capture_on_commit_callbacks)
    assert invitation["email"] == "pat@acme.test"
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "pat@acme.test"
    assert alice.firm.name in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert alice.firm.name in text and "Acme Corp" in text
    assert "Alpha &amp; Co CPA" in html  # the firm's name, escaped in HTML
    url = LINK.search(text).group(0)
    assert url.startswith("http://127.0.0.1:8000/invitations/accept/")
    assert url in html

    browser = Client()
    page = browser.get(path_of(url))
    assert page.status_code == 200
    assert b"Create your account" in page.content
    assert page["Cache-Control"].startswith("max-age=0")
    response = browser.post(
        path_of(url), {"full_name": "Pat Doe", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/client/"
    home = browser.get("/client/")
    assert home.status_code == 200
    assert b"Acme Corp" in home.content and b"General Ledger" in home.content
    # Its statements are one click away, and open for the client user's session.
    links = re.findall(r'href="(/api/reports/pdf\?[^"]+)"', home.content.decode())
    assert len(links) == 20  # five statements, each as a page and a PDF, for each of the two books
    statement = browser.get(links[0].replace("&amp;", "&"))
    assert statement.status_code == 200, statement.content
    assert b"Balance sheet" in statement.content and b"Acme Corp" in statement.content

    user = User.objects.get(email="pat@acme.test")
    assert user.full_name == "Pat Doe" and user.check_password(PASSWORD)
    assert Membership.objects.get(user=user, entity=acme.client).role == Role.MEMBER
    stored = Invitation.objects.get(public_id=invitation["id"])
    assert stored.status == "accepted" and stored.accepted_by == user
    # Single use.
    again = Client().get(path_of(url))
    assert again.status_code == 410
    assert b"already been accepted" in again.content


def test_the_token_is_stored_only_as_a_hash(alice, acme, django_capture_on_commit_callbacks):
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    token = last_link().rsplit("/", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM practice_invitation")
        dump = repr(cursor.fetchall())
    assert token not in dump
    assert len(token) >= 43


def test_an_existing_account_signs_in_to_accept(alice, acme, django_capture_on_commit_callbacks):
    existing = UserFactory(email="pat@acme.test")
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    path = path_of(last_link())
    browser = Client()
    assert b"Sign in to accept" in browser.get(path).content
    wrong = browser.post(path, {"password": "not it"})
    assert wrong.status_code == 400
    assert b"not right" in wrong.content
    assert not Membership.objects.filter(user=existing, entity=acme.client).exists()
    assert browser.post(path, {"password": "correct horse battery staple"}).status_code == 302
    assert Membership.objects.get(user=existing, entity=acme.client).role == Role.VIEWER


def test_an_invitation_never_lowers_an_existing_role(
    alice, acme, django_capture_on_commit_callbacks
):
    user = UserFactory(email="pat@acme.test")
    MembershipFactory(user=user, entity=acme.client, role=Role.ADMIN)
    invite(alice, acme, role="VIEWER", capture=django_capture_on_commit_callbacks)
    token = last_link().rsplit("/", 1)[1]
    invitation_accept(token=token, user=user)
    assert Membership.objects.get(user=user, entity=acme.client).role == Role.ADMIN


def test_weak_or_mismatched_passwords_are_refused_on_the_page(
    alice, acme, django_capture_on_commit_callbacks
):
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    path = path_of(last_link())
    short = Client().post(path, {"full_name": "Pat", "password1": "abc", "password2": "abc"})
    assert short.status_code == 400 and b"too short" in short.content
    differ = Client().post(
        path, {"full_name": "Pat", "password1": PASSWORD, "password2": PASSWORD + "x"}
    )
    assert differ.status_code == 400 and b"differ" in differ.content
    assert not User.objects.filter(email="pat@acme.test").exists()


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("48120937561290", b"entirely numeric"),
        ("patricia.doe@acme.test", b"too similar to the email"),
        ("Quentin Marlowe Hartley", b"too similar to the full name"),
        ("password1234", b"too common"),
        ("k7#Qm2x!", b"at least 12 characters"),
    ],
)
def test_weak_passwords_are_refused_on_the_page(
    alice, acme, password, says, django_capture_on_commit_callbacks
):
    invite(alice, acme, "patricia.doe@acme.test", capture=django_capture_on_commit_callbacks)
    path = path_of(last_link())
    form = {"full_name": "Quentin Marlowe Hartley", "password1": password, "password2": password}
    response = Client().post(path, form)
    assert response.status_code == 400 and says in response.content
    assert not User.objects.filter(email="patricia.doe@acme.test").exists()
    assert Invitation.objects.get().status == "pending"


def test_the_accept_service_refuses_a_weak_password(
    alice, acme, django_capture_on_commit_callbacks
):
    invite(alice, acme, "patricia.doe@acme.test", capture=django_capture_on_commit_callbacks)
    token = last_link().rsplit("/", 1)[1]
    with pytest.raises(ApplicationError) as refused:
        invitation_accept(token=token, full_name="Pat", password="patricia.doe@acme.test")
    assert refused.value.code == "validation_error"
    assert "too similar to the email" in refused.value.fields["password"][0]
    assert not User.objects.filter(email="patricia.doe@acme.test").exists()
    assert Invitation.objects.get().status == "pending"


def test_expired_tampered_and_replaced_links_get_clear_pages(
    alice, acme, django_capture_on_commit_callbacks
):
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    first = path_of(last_link())
    tampered = first[:-3] + ("abc" if not first.endswith("abc") else "xyz")
    response = Client().get(tampered)
    assert response.status_code == 404 and b"not valid" in response.content
    assert Client().get("/invitations/accept/" + "x" * 5000).status_code == 404

    invite(alice, acme, capture=django_capture_on_commit_callbacks)  # a resend replaces the token
    assert Client().get(first).status_code == 404
    latest = path_of(last_link())
    assert Client().get(latest).status_code == 200

    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = Client().get(latest)
    assert expired.status_code == 410 and b"expired" in expired.content
    posted = Client().post(latest, {"full_name": "P", "password1": PASSWORD, "password2": PASSWORD})
    assert posted.status_code == 410
    assert not User.objects.filter(email="pat@acme.test").exists()


def test_a_revoked_invitation_is_410(alice, acme, django_capture_on_commit_callbacks):
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    Invitation.objects.update(status="revoked")
    response = Client().get(path_of(last_link()))
    assert response.status_code == 410 and b"withdrawn" in response.content


def test_a_failed_send_is_recorded_and_the_api_still_answers(
    alice, acme, settings, django_capture_on_commit_callbacks
):
    for key, value in environ.Env.email_url_config(f"smtp://127.0.0.1:{free_port()}").items():
        setattr(settings, key, value)
    settings.EMAIL_TIMEOUT = 2
    invitation = invite(alice, acme, capture=django_capture_on_commit_callbacks)
    stored = Invitation.objects.get(public_id=invitation["id"])
    assert stored.last_error  # connection refused, recorded where staff can see it
    assert stored.sent_count == 0 and stored.status == "pending"


def test_the_client_home_page_needs_a_login():
    response = Client().get("/client/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_make_one_membership(alice, acme):
    invitation, _ = invitation_create(
        firm=alice.firm, entity=acme.client, email="pat@acme.test", role=Role.MEMBER
    )
    token = LINK.search(mail.outbox[-1].body).group(0).rsplit("/", 1)[1]

    def accept():
        try:
            return invitation_accept(token=token, full_name="Pat", password=PASSWORD)
        except InvitationUnusable as error:
            return error.problem

    race = run_concurrently(accept, 6)
    outcomes = race.results + race.errors  # an unexpected error is reported by the assertion below
    memberships = [o for o in outcomes if isinstance(o, Membership)]
    assert len(memberships) == 1, outcomes
    assert sorted(o for o in outcomes if isinstance(o, str)) == [InvitationProblem.USED] * 5
    assert Membership.objects.filter(entity=acme.client).count() == 1
    assert User.objects.filter(email="pat@acme.test").count() == 1
