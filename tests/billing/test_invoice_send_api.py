"""POST /api/practice/billing/invoices/{id}/send: the invoice emailed through a real SMTP server.

The mail carries the PDF (its text shows the number and the total) and a link to the client's
invoice page; once it has gone, the invoice's sentAt is set, an InvoiceEvent `sent` is kept and the
webhook event `invoice.sent` is recorded. A void invoice, nobody to send to, bad addresses, another
firm's id and too many sends are refused with nothing sent and nothing changed.
"""

import io
import re

import pypdf
import pytest
from django.core import mail
from django.test import Client

from axiomatic.entities.models import Role
from axiomatic.webhooks.models import WebhookEvent
from axiomatic.webhooks.services import endpoint_create
from billing.models import Invoice, InvoiceDelivery, InvoiceEvent
from tests.billing.invoice_helpers import INVOICES, bill, log
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import api, db_fingerprint, free_port

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://127\.0\.0\.1:8000/client/invoices/inv_[0-9A-Za-z]+")
PASSWORD = "a long and unusual passphrase 42"


def send_url(invoice_id: str) -> str:
    return f"{INVOICES}/{invoice_id}/send"


@pytest.fixture(autouse=True)
def listener(alice, settings):
    """An endpoint of Alice's firm listening for invoice.sent (deliveries are not run here)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    return endpoint_create(
        firm=alice.firm, url="http://127.0.0.1:9/hook", event_types=["invoice.sent"]
    ).endpoint


@pytest.fixture
def invoice(alice, acme) -> dict:
    return bill(alice, acme, [log(alice, acme, "4.00", description="Quarterly review")])["invoice"]


@pytest.fixture
def client_admin(acme):
    user = UserFactory(email="owner@acme.test")
    user.set_password(PASSWORD)
    user.save()
    MembershipFactory(user=user, entity=acme.client, role=Role.ADMIN)
    MembershipFactory(
        user=UserFactory(email="viewer@acme.test"), entity=acme.client, role=Role.VIEWER
    )
    return user


def got(persona, invoice_id: str) -> dict:
    return api(persona).get(f"{INVOICES}/{invoice_id}", {"firmEntityId": persona.firm.public_id})[
        "invoice"
    ]


def send(persona, invoice_id, body=None, *, status=202, code=None, capture):
    with capture(execute=True):
        return api(persona).post(
            send_url(invoice_id),
            {"firmEntityId": persona.firm.public_id, **(body or {})},
            status=status,
            code=code,
        )


def test_send_emails_the_pdf_and_a_link_to_the_client_admins(
    alice, acme, invoice, client_admin, smtp_server, django_capture_on_commit_callbacks
):
    body = send(
        alice,
        invoice["id"],
        {"message": "Thanks for a great quarter."},
        capture=django_capture_on_commit_callbacks,
    )
    assert set(body) == {"invoice"}
    assert body["invoice"]["id"] == invoice["id"]
    # The mail goes after commit (here: as the test leaves the capture block); then sentAt is set.
    assert got(alice, invoice["id"])["sentAt"] is not None

    [message] = smtp_server.messages
    assert message["To"] == "owner@acme.test"  # the ADMIN, not the viewer
    assert invoice["number"] in message["Subject"] and alice.firm.name in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    assert "Thanks for a great quarter." in text
    assert "$500.00" in text  # 4 h x 125.00, as currency
    url = LINK.search(text).group(0)
    assert url.endswith(f"/client/invoices/{invoice['id']}")
    assert url in message.get_body(("html",)).get_content()

    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice['number']}.pdf"
    pdf = pypdf.PdfReader(io.BytesIO(attachment.get_content()))
    pdf_text = "\n".join(page.extract_text() for page in pdf.pages)
    assert invoice["number"] in pdf_text and "$500.00" in pdf_text

    stored = Invoice.objects.get(public_id=invoice["id"])
    assert stored.sent_at is not None
    assert InvoiceEvent.objects.filter(invoice=stored, kind="sent").count() == 1
    delivery = InvoiceDelivery.objects.get(invoice=stored)
    assert (delivery.status, delivery.recipients) == ("sent", ["owner@acme.test"])
    event = WebhookEvent.objects.get(type="invoice.sent")
    assert event.subject_public_id == invoice["id"]


def test_the_emailed_link_lands_on_the_invoice_after_sign_in(
    alice, acme, invoice, client_admin, smtp_server, django_capture_on_commit_callbacks
):
    send(alice, invoice["id"], capture=django_capture_on_commit_callbacks)
    url = LINK.search(smtp_server.messages[0].get_body(("plain",)).get_content()).group(0)
    path = url.removeprefix("http://127.0.0.1:8000")
    browser = Client()
    first = browser.get(path)
    assert first.status_code == 302 and "next=" in first["Location"]
    browser.force_login(client_admin)
    page = browser.get(path)
    assert page.status_code == 200
    assert invoice["number"].encode() in page.content


def test_to_overrides_the_default_recipients(
    alice, invoice, smtp_server, django_capture_on_commit_callbacks
):
    send(
        alice,
        invoice["id"],
        {"to": ["AP@Acme.test", "ap@acme.test", "cfo@acme.test"]},
        capture=django_capture_on_commit_callbacks,
    )
    [message] = smtp_server.messages
    assert message["To"] == "ap@acme.test, cfo@acme.test"  # trimmed, lower-cased, once each


def test_a_second_send_mails_again_and_moves_sent_at(
    alice, invoice, client_admin, smtp_server, django_capture_on_commit_callbacks
):
    send(alice, invoice["id"], capture=django_capture_on_commit_callbacks)
    first = got(alice, invoice["id"])["sentAt"]
    send(alice, invoice["id"], capture=django_capture_on_commit_callbacks)
    assert len(smtp_server.messages) == 2
    assert got(alice, invoice["id"])["sentAt"] > first
    assert InvoiceEvent.objects.filter(kind="sent").count() == 2


def test_nobody_to_send_to_is_409_no_recipient(alice, invoice, django_capture_on_commit_callbacks):
    before = db_fingerprint()
    error = send(
        alice,
        invoice["id"],
        status=409,
        code="no_recipient",
        capture=django_capture_on_commit_callbacks,
    )
    assert "to" in error["message"]
    assert db_fingerprint() == before
    assert mail.outbox == []


def test_a_void_invoice_is_409_invoice_void(
    alice, invoice, client_admin, django_capture_on_commit_callbacks
):
    api(alice).post(
        f"{INVOICES}/{invoice['id']}/void", {"firmEntityId": alice.firm.public_id}, status=200
    )
    before = db_fingerprint()
    send(
        alice,
        invoice["id"],
        status=409,
        code="invoice_void",
        capture=django_capture_on_commit_callbacks,
    )
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "body",
    [
        {"to": "ap@acme.test"},
        {"to": []},
        {"to": ["not an email"]},
        {"to": [12345]},
        {"to": [f"a{n}@acme.test" for n in range(21)]},
        {"message": ["a list"]},
        {"message": "x" * 5001},
    ],
)
def test_bad_bodies_are_400(alice, invoice, body, django_capture_on_commit_callbacks):
    before = db_fingerprint()
    error = send(alice, invoice["id"], body, status=400, capture=django_capture_on_commit_callbacks)
    assert [f for f in error["fields"] if f.startswith(("to", "message"))]
    assert db_fingerprint() == before


def test_another_firms_invoice_is_404_with_nothing_sent(
    alice, charlie, globex, django_capture_on_commit_callbacks
):
    theirs = bill(charlie, globex, [log(charlie, globex, "1.00")])["invoice"]["id"]
    before = db_fingerprint()
    send(
        alice,
        theirs,
        {"to": ["x@acme.test"]},
        status=404,
        code="not_found",
        capture=django_capture_on_commit_callbacks,
    )
    assert db_fingerprint() == before
    assert mail.outbox == []


def test_a_viewer_cannot_send(bob, invoice, django_capture_on_commit_callbacks):
    send(
        bob,
        invoice["id"],
        {"to": ["x@acme.test"]},
        status=403,
        capture=django_capture_on_commit_callbacks,
    )
    assert not InvoiceDelivery.objects.exists()


def test_too_many_sends_in_an_hour_is_429(
    alice, invoice, settings, django_capture_on_commit_callbacks
):
    settings.INVOICE_SENDS_PER_HOUR = 2
    for _ in range(2):
        send(
            alice,
            invoice["id"],
            {"to": ["ap@acme.test"]},
            capture=django_capture_on_commit_callbacks,
        )
    send(
        alice,
        invoice["id"],
        {"to": ["ap@acme.test"]},
        status=429,
        code="rate_limited",
        capture=django_capture_on_commit_callbacks,
    )
    assert InvoiceDelivery.objects.count() == 2


def test_a_mail_server_that_refuses_leaves_the_delivery_failed_and_the_invoice_unsent(
    alice, invoice, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 5
    body = send(
        alice, invoice["id"], {"to": ["ap@acme.test"]}, capture=django_capture_on_commit_callbacks
    )
    assert body["invoice"]["sentAt"] is None
    delivery = InvoiceDelivery.objects.get()
    assert delivery.status == "failed" and delivery.last_error
    assert not InvoiceEvent.objects.filter(kind="sent").exists()
    assert not WebhookEvent.objects.filter(type="invoice.sent").exists()
