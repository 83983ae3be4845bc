"""Shared fixtures. Personas, as everywhere in our tests:

- alice: admin of Firm A, calling with Firm A's API key;
- bob: VIEWER in Firm A, logged in with a session (read-only);
- charlie: admin of Firm B, calling with Firm B's API key.
"""

import email
import hashlib
import logging
from dataclasses import dataclass
from email import policy

import environ
import pytest
from aiosmtpd.controller import Controller
from django.test import RequestFactory
from rest_framework.test import APIClient

from axiomatic.entities.models import Entity, Role, User
from axiomatic.entities.services import api_key_create
from axiomatic.ledger.models import Account, Book
from tests.factories import FirmFactory, MembershipFactory, UserFactory
from tests.helpers import free_port


@dataclass
class Persona:
    user: User
    firm: Entity
    client: APIClient
    key: str | None = None

    @property
    def books(self) -> dict[str, Book]:
        return {b.name: b for b in Book.objects.filter(entity=self.firm)}

    @property
    def gl(self) -> Book:
        return Book.objects.get(entity=self.firm, is_primary=True)

    def account(self, code: str) -> Account:
        return Account.objects.get(entity=self.firm, code=code)


def _key_persona(firm: Entity, email: str) -> Persona:
    user = UserFactory(email=email, is_staff=True)
    MembershipFactory(user=user, entity=firm, role=Role.ADMIN)
    issued = api_key_create(firm=firm, name=f"{email} key", created_by=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issued.key}")
    return Persona(user=user, firm=firm, client=client, key=issued.key)


@pytest.fixture(autouse=True)
def same_request_id(request, monkeypatch):
    """Every request a test makes sends one X-Request-Id, as a caller tracing its calls may: two
    answers that differ only by their request id (another firm's 404 and an unknown id's) stay
    byte for byte the same, and `error.requestId` still has to match `Request-Id`. A request
    that sends its own keeps it; tests/api/test_request_ids.py tests the ids themselves."""
    value = "test-" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    base_environ = RequestFactory._base_environ

    def environ_with_request_id(self, **meta):
        if "HTTP_X_REQUEST_ID" not in self.defaults:
            meta.setdefault("HTTP_X_REQUEST_ID", value)
        return base_environ(self, **meta)

    monkeypatch.setattr(RequestFactory, "_base_environ", environ_with_request_id)


@pytest.fixture
def firm_a(db) -> Entity:
    return FirmFactory(name="Alpha & Co CPA")


@pytest.fixture
def firm_b(db) -> Entity:
    return FirmFactory(name="Bravo Bookkeeping")


@pytest.fixture
def alice(firm_a) -> Persona:
    return _key_persona(firm_a, "alice@alpha.test")


@pytest.fixture
def bob(firm_a) -> Persona:
    user = UserFactory(email="bob@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.VIEWER)
    client = APIClient()
    client.force_login(user)
    return Persona(user=user, firm=firm_a, client=client)


@pytest.fixture
def charlie(firm_b) -> Persona:
    return _key_persona(firm_b, "charlie@bravo.test")


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def make_client():
    """Link a new client entity to a persona's firm through the real service; returns the link."""
    from practice.services.clients import client_create

    def make(persona: Persona, name: str = "Acme Corp", **kwargs):
        kwargs.setdefault("type", "llc")
        kwargs.setdefault("tier", "STARTER")
        kwargs.setdefault("billing_mode", "consolidated")
        return client_create(firm=persona.firm, name=name, **kwargs)

    return make


@pytest.fixture
def acme(alice, make_client):
    """Alice's firm's client."""
    return make_client(alice, "Acme Corp")


@pytest.fixture
def globex(charlie, make_client):
    """Charlie's firm's client (another firm's world)."""
    return make_client(charlie, "Globex Inc")


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


# aiosmtpd logs each connection's end at INFO from its own thread, which can run after the test
# that opened it, into a stream pytest has closed (a "--- Logging error ---" traceback in the
# middle of the run's output). Its warnings and errors still show.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free loopback port, with EMAIL_URL pointed at it."""
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in environ.Env.email_url_config(f"smtp://127.0.0.1:{port}").items():
        setattr(settings, key, value)
    yield inbox
    controller.stop()
