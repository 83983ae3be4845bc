"""Every event of the catalogue, caused by the real action through the API (or the service a
background task runs), arrives at the receiver with data.object as the API shows that object."""

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from rest_framework.test import APIClient

from axiomatic.webhooks.events import EVENT_TYPES
from billing.services.stripe_sync import stripe_sync_failed
from practice.services.invitations import invitation_accept

pytestmark = pytest.mark.django_db

INVITE_LINK = re.compile(r"/invitations/accept/([A-Za-z0-9_\-]+)")


def test_every_event_type_is_sent_with_the_apis_representation(
    alice, receiver, settings, django_capture_on_commit_callbacks
):
    firm = alice.firm.public_id
    api = alice.client

    def call(method, path, body=None, status=200):
        with django_capture_on_commit_callbacks(execute=True):
            response = getattr(api, method)(path, body, format="json")
        assert response.status_code == status, (path, response.content)
        return response.json() if response.content else None

    call(
        "post",
        "/api/practice/webhooks",
        {"firmEntityId": firm, "url": receiver.url, "events": ["*"]},
        201,
    )
    client = call(
        "post",
        "/api/practice/clients",
        {"firmEntityId": firm, "name": "Catalogue Co", "tier": "STARTER", "defaultRate": 15000},
        201,
    )
    client_id = client["entity"]["id"]
    updated = call(
        "patch", f"/api/practice/clients/{client_id}", {"firmEntityId": firm, "tier": "BUSINESS"}
    )
    call(
        "post",
        f"/api/practice/clients/{client_id}/invite",
        {"email": "owner@catalogue.test", "role": "ADMIN"},
        201,
    )
    token = INVITE_LINK.search(mail.outbox[-1].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_accept(token=token, password="a-long-and-unusual-passphrase")

    entry = call(
        "post",
        "/api/practice/time",
        {"firmEntityId": firm, "entityId": client_id, "date": "2026-11-02", "hours": 2},
        201,
    )["entry"]
    other = call(
        "post",
        "/api/practice/time",
        {"firmEntityId": firm, "entityId": client_id, "date": "2026-11-03", "hours": 1},
        201,
    )["entry"]
    call("patch", f"/api/practice/time/{other['id']}", {"firmEntityId": firm, "hours": 3})
    approval = {"firmEntityId": firm, "timeEntryIds": [entry["id"]]}
    call("post", "/api/practice/time/approve", approval)
    call("post", "/api/practice/time/unapprove", approval)
    call("delete", f"/api/practice/time?firmEntityId={firm}&timeEntryId={other['id']}", None, 204)
    timer = call(
        "post", "/api/practice/timers", {"firmEntityId": firm, "entityId": client_id}, 201
    )["timer"]
    timed = call("post", f"/api/practice/timers/{timer['id']}/stop", {"firmEntityId": firm})

    engagement = call(
        "post",
        "/api/practice/engagements",
        {
            "firmEntityId": firm,
            "entityId": client_id,
            "name": "FY2026 close",
            "type": "advisory",
            "startDate": "2026-11-01",
        },
        201,
    )["engagement"]
    task_id = engagement["tasks"][0]["id"]
    completed = call(
        "post",
        f"/api/practice/engagements/{engagement['id']}/tasks/{task_id}/complete",
        {"firmEntityId": firm},
    )["engagement"]
    call(
        "patch",
        "/api/practice/engagements",
        {"firmEntityId": firm, "engagementId": engagement["id"], "status": "cancelled"},
    )

    invoice = call(
        "post",
        "/api/practice/billing/invoice",
        {"firmEntityId": firm, "clientEntityId": client_id, "timeEntryIds": [entry["id"]]},
        201,
    )["invoice"]
    call(
        "post",
        f"/api/practice/billing/invoices/{invoice['id']}/send",
        {"firmEntityId": firm, "to": ["ap@client.test"]},
        202,
    )
    payment = call(
        "post",
        f"/api/practice/billing/invoices/{invoice['id']}/payments",
        {
            "firmEntityId": firm,
            "amount": invoice["total"],
            "date": invoice["issueDate"],
            "method": "ach",
        },
        201,
    )["payment"]
    unpaid = call(
        "post", f"/api/practice/billing/payments/{payment['id']}/void", {"firmEntityId": firm}
    )["payment"]
    voided = call(
        "post", f"/api/practice/billing/invoices/{invoice['id']}/void", {"firmEntityId": firm}
    )["invoice"]

    share = call(
        "post",
        "/api/reports/share",
        {
            "entityId": firm,
            "reportType": "trial_balance",
            "parameters": {
                "bookId": alice.gl.public_id,
                "from": "2026-01-01",
                "to": str(dt.date(2026, 11, 30)),
            },
        },
        201,
    )
    with django_capture_on_commit_callbacks(execute=True):
        opened = APIClient().get(urlsplit(share["shareUrl"]).path)
    assert opened.status_code == 302
    call("post", f"/api/reports/share/{share['id']}/revoke", {})
    call("delete", f"/api/practice/clients/{client_id}?firmEntityId={firm}", None, 204)
    settings.STRIPE_SECRET_KEY = "sk_test_configured"  # the overview shows failures of a real sync
    with django_capture_on_commit_callbacks(execute=True):
        stripe_sync_failed(firm_id=alice.firm.pk, error=RuntimeError("Your card was declined."))

    assert set(receiver.types) == set(EVENT_TYPES)
    by_type: dict[str, list[dict]] = {}
    for event in receiver.events:
        by_type.setdefault(event["type"], []).append(event["data"])

    assert by_type["client.created"][0]["object"] == client
    assert by_type["client.updated"][0]["object"] == updated
    assert by_type["client.archived"][0]["object"]["entity"]["id"] == client_id
    assert by_type["invitation.sent"][0]["object"]["email"] == "owner@catalogue.test"
    assert by_type["invitation.accepted"][0]["object"]["status"] == "accepted"
    assert by_type["time_entry.created"][0]["object"] == entry
    assert by_type["time_entry.updated"][0]["object"]["hours"] == 3
    assert by_type["time_entry.deleted"][0]["object"]["id"] == other["id"]
    assert by_type["timer.started"][0]["object"]["id"] == timer["id"]
    assert by_type["timer.stopped"][0]["object"] == timed["timer"]
    assert by_type["time_entry.approved"][0]["object"]["id"] == entry["id"]
    assert by_type["time_entry.unapproved"][0]["object"]["id"] == entry["id"]
    assert by_type["engagement.created"][0]["object"]["id"] == engagement["id"]
    task_event = by_type["engagement.task_completed"][0]
    assert task_event["taskId"] == task_id
    assert task_event["object"]["tasks"][0]["completed"] is True
    assert completed["id"] == engagement["id"]
    status_event = by_type["engagement.status_changed"][-1]
    assert status_event["previousStatus"] == "active"
    assert status_event["object"]["status"] == "cancelled"
    assert by_type["invoice.created"][0]["object"]["id"] == invoice["id"]
    assert by_type["invoice.voided"][0]["object"] == voided
    assert by_type["invoice.sent"][0]["object"]["sentAt"] is not None
    assert by_type["payment.created"][0]["object"] == payment
    assert by_type["invoice.paid"][0]["object"]["status"] == "paid"
    assert by_type["invoice.paid"][0]["object"]["balanceDue"] == 0
    assert by_type["payment.voided"][0]["object"] == unpaid
    assert by_type["report_share.created"][0]["object"]["id"] == share["id"]
    assert by_type["report_share.accessed"][0]["object"]["accessCount"] == 1
    assert by_type["report_share.revoked"][0]["object"]["revoked"]
    sync = by_type["billing.sync_failed"][0]["object"]
    assert sync["status"] == "failed" and "declined" in sync["lastError"]
