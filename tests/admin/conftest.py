"""Two firms, each with a working day's worth of objects, for the admin tests.

alice: ADMIN of Firm A (staff flag); bob: VIEWER of Firm A (staff flag); charlie: ADMIN of Firm B.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from axiomatic.ledger.models import Book
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint
from axiomatic.webhooks.services import endpoint_create
from billing.models import Invoice
from billing.services.invoices import invoice_create_from_time
from practice.models import ClientLink, Engagement, Invitation, TimeEntry
from practice.services.engagements import engagement_create
from practice.services.invitations import invitation_create
from practice.services.time_entries import time_entry_create
from reports.models import ReportShare
from reports.services import share_create


@dataclass
class FirmWorld:
    link: ClientLink
    entries: list[TimeEntry]
    engagement: Engagement
    invitation: Invitation
    share: ReportShare
    invoice: Invoice
    webhook: WebhookEndpoint
    delivery: WebhookDelivery


def build_world(persona, make_client, name: str, entries: int = 4) -> FirmWorld:
    with override_settings(WEBHOOKS_ALLOW_LOOPBACK=True):
        webhook = endpoint_create(
            firm=persona.firm, url=f"http://127.0.0.1:9/{name.lower()}", event_types=["*"]
        ).endpoint
    link = make_client(persona, name, default_rate_cents=15_000)
    today = timezone.localdate()
    made = [
        time_entry_create(
            firm=persona.firm,
            link=link,
            work_date=today - dt.timedelta(days=n),
            hours=Decimal("1.50"),
            description=f"{name} work {n}",
            default_user=persona.user,
        )
        for n in range(entries)
    ]
    invoice = invoice_create_from_time(
        firm=persona.firm, link=link, time_entry_ids=[made[0].public_id], created_by=persona.user
    )
    engagement = engagement_create(
        firm=persona.firm,
        client=link.client,
        name=f"{name} bookkeeping",
        start_date=today,
        due_date=today + dt.timedelta(days=3),
        type="bookkeeping",
    )
    invitation, _ = invitation_create(
        firm=persona.firm, entity=link.client, email=f"owner@{name.lower()}.test", role="VIEWER"
    )
    share, _ = share_create(
        entity=link.client,
        book=Book.objects.get(entity=link.client, is_primary=True),
        report_type="trial_balance",
        date_from=today.replace(day=1),
        date_to=today,
        expires_in_days=7,
        max_access_count=None,
    )
    delivery = WebhookDelivery.objects.filter(endpoint=webhook).order_by("id").first()
    return FirmWorld(link, made, engagement, invitation, share, invoice, webhook, delivery)


@pytest.fixture
def world_a(alice, make_client) -> FirmWorld:
    return build_world(alice, make_client, "Acme")


@pytest.fixture
def world_b(charlie, make_client) -> FirmWorld:
    return build_world(charlie, make_client, "Globex")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice_admin(alice) -> Client:
    return logged_in(alice.user)


@pytest.fixture
def bob_admin(bob) -> Client:
    return logged_in(bob.user)


@pytest.fixture
def charlie_admin(charlie) -> Client:
    return logged_in(charlie.user)
