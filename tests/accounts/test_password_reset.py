"""Password reset by email, end to end through a real SMTP server: the request page, the email's
link, a new password (validated against the user), and a login with it. Requests are limited per
client address and per email address."""

import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct horse battery staple"  # UserFactory's
NEW = "a brand new and long passphrase"
LINK = re.compile(r"https?://[^\s\"<>]+/accounts/password-reset/[^\s\"<>]+/[^\s\"<>]+/")


@pytest.fixture(autouse=True)
def fresh_counts():
    # The request limits count in the cache, which outlives each test's database.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Ask for a reset link on the page, running the queued email task as a commit would."""

    def post(email: str, client: Client | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return (client or Client()).post("/accounts/password-reset/", {"email": email})

    return post


def link_in(message) -> str:
    return LINK.search(message.get_body(("plain",)).get_content()).group(0)


def sign_in(email: str, password: str) -> int:
    return Client().post("/accounts/login/", {"username": email, "password": password}).status_code


@pytest.mark.parametrize("who", ["staff", "client user"])
def test_reset_by_email_then_sign_in_with_the_new_password(who, alice, smtp_server, ask):
    user = alice.user if who == "staff" else UserFactory(email="pat@acme.test")
    page = Client().get("/accounts/password-reset/")
    assert page.status_code == 200 and b"Reset your password" in page.content

    response = ask(user.email.upper())
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert b"Check your email" in Client().get(response["Location"]).content
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == user.email
    assert message["Subject"] == "Reset your Axiomatic password"
    url = link_in(message)
    # Built from SITE_URL, never from the Host header of the request (here "testserver").
    assert url.startswith("http://127.0.0.1:8000/accounts/password-reset/")
    assert url in message.get_body(("html",)).get_content()

    browser = Client()
    opened = browser.get(urlsplit(url).path)
    assert opened.status_code == 302  # the token leaves the address bar for the session
    form = browser.get(opened["Location"])
    assert form.status_code == 200 and b"Choose a new password" in form.content
    done = browser.post(opened["Location"], {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password-reset/done/"
    assert b"has been changed" in browser.get(done["Location"]).content

    assert sign_in(user.email, NEW) == 302
    assert sign_in(user.email, OLD) == 200  # the old one no longer works
    # The link worked once.
    again = Client().get(urlsplit(url).path)
    assert b"cannot be used" in again.content


def test_an_unknown_address_gets_the_same_page_and_no_email(smtp_server, ask, db):
    response = ask("nobody@nowhere.test")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert smtp_server.messages == []


def test_an_account_without_a_password_gets_no_email(smtp_server, ask):
    UserFactory(email="invited@acme.test", password=None)
    ask("invited@acme.test")
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("pat.doe@acme.test", b"too similar to the email"),
        ("40918237465012", b"entirely numeric"),
        ("short-pw", b"at least 12 characters"),
    ],
)
def test_a_weak_new_password_is_refused(password, says, smtp_server, ask):
    user = UserFactory(email="pat.doe@acme.test")
    ask(user.email)
    browser = Client()
    form_url = browser.get(urlsplit(link_in(smtp_server.messages[0])).path)["Location"]
    refused = browser.post(form_url, {"new_password1": password, "new_password2": password})
    assert refused.status_code == 200 and says in refused.content
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_reset_requests_are_limited_per_client_address(smtp_server, ask, db):
    for n in range(5):
        UserFactory(email=f"staff{n}@alpha.test")
        assert ask(f"staff{n}@alpha.test").status_code == 302
    UserFactory(email="staff5@alpha.test")
    sixth = ask("staff5@alpha.test")
    assert sixth.status_code == 429
    assert re.search(rb"Password reset paused for \d+ minutes?", sixth.content)
    assert b"too many password reset requests" in sixth.content
    assert int(sixth["Retry-After"]) > 0
    assert len(smtp_server.messages) == 5
    # Another address is not held back by this one.
    assert ask("staff5@alpha.test", Client(REMOTE_ADDR="203.0.113.9")).status_code == 302
    assert len(smtp_server.messages) == 6


def test_reset_requests_are_limited_per_email_address(alice, smtp_server, ask):
    for n in range(5):
        ask(alice.user.email, Client(REMOTE_ADDR=f"198.51.100.{n + 1}"))
    sixth = ask(alice.user.email, Client(REMOTE_ADDR="203.0.113.9"))
    assert sixth.status_code == 429
    assert len(smtp_server.messages) == 5


def test_a_reset_ends_the_accounts_login_lockout(alice, smtp_server, ask):
    for _ in range(5):
        Client().post("/accounts/login/", {"username": alice.user.email, "password": "wrong one"})
    assert sign_in(alice.user.email, OLD) == 429
    ask(alice.user.email)
    browser = Client()
    form_url = browser.get(urlsplit(link_in(smtp_server.messages[0])).path)["Location"]
    browser.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert not AccessAttempt.objects.filter(username=alice.user.email).exists()
    assert sign_in(alice.user.email, NEW) == 302


def test_both_login_pages_link_to_the_reset(db):
    for path in ("/admin/login/", "/accounts/login/"):
        page = Client().get(path)
        assert b'href="/accounts/password-reset/"' in page.content, path
