"""Sending an invoice from its admin page, through invoice_send_request (the API's path), and the
firm's invoice settings (address, footer) that every invoice document prints.

Alice (ADMIN of Firm A) bills Acme 8 h at $125.00; Bob is a VIEWER of Firm A; Charlie is ADMIN of
Firm B. Mail goes to Django's test outbox (the SMTP path itself is tested with the API's send).
"""

import io

import pypdf
import pytest
from django.core import mail
from django.urls import reverse

from axiomatic.entities.models import Role
from billing.models import FirmBillingProfile, Invoice, InvoiceDelivery
from billing.services.invoices import invoice_void
from tests.admin.receivables_helpers import D, change_url, invoiced
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_invoice(alice, acme) -> Invoice:
    MembershipFactory(
        user=UserFactory(email="owner@acme.test"), entity=acme.client, role=Role.ADMIN
    )
    return invoiced(alice, acme, "8.00", issue=D(2026, 6, 1), due=D(2026, 7, 1))


@pytest.fixture
def globex_invoice(charlie, globex) -> Invoice:
    return invoiced(charlie, globex, "2.00", issue=D(2026, 6, 1))


def send_url(invoice: Invoice) -> str:
    return reverse("admin:billing_invoice_send", args=[invoice.pk])


def test_the_invoice_page_offers_send_and_the_pdf(acme_invoice, alice_admin):
    page = alice_admin.get(change_url(acme_invoice)).content.decode()
    assert f'href="{send_url(acme_invoice)}"' in page
    assert reverse("admin:billing_invoice_pdf", args=[acme_invoice.pk]) in page


def test_the_send_page_names_the_default_recipients(acme_invoice, alice_admin):
    page = alice_admin.get(send_url(acme_invoice)).content.decode()
    assert "owner@acme.test" in page and "$1,000.00" in page


def test_sending_to_the_client_admins_mails_the_pdf_and_lists_the_email(
    acme_invoice, alice_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_admin.post(send_url(acme_invoice), {"to": "", "message": "Thank you!"})
    assert response.status_code == 302 and response["Location"] == change_url(acme_invoice)
    [message] = mail.outbox
    assert message.to == ["owner@acme.test"] and "Thank you!" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{acme_invoice.display_number}.pdf", "application/pdf")
    text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert acme_invoice.display_number in text and "$1,000.00" in text
    acme_invoice.refresh_from_db()
    assert acme_invoice.sent_at is not None
    page = alice_admin.get(change_url(acme_invoice)).content.decode()
    assert "on its way to owner@acme.test" in page  # the message
    assert "owner@acme.test" in page.split("Emails", 1)[1]  # the emails table


def test_typed_addresses_are_checked_and_used(
    acme_invoice, alice_admin, django_capture_on_commit_callbacks
):
    bad = alice_admin.post(send_url(acme_invoice), {"to": "ap@acme.test, not-an-address"})
    assert (
        bad.status_code == 200 and "Not an email address: not-an-address." in bad.content.decode()
    )
    assert not InvoiceDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        alice_admin.post(send_url(acme_invoice), {"to": "AP@acme.test; cfo@acme.test ap@acme.test"})
    assert mail.outbox[0].to == ["ap@acme.test", "cfo@acme.test"]


def test_a_void_invoice_is_refused_with_a_message(alice, acme_invoice, alice_admin):
    invoice_void(firm=alice.firm, public_id=acme_invoice.public_id)
    assert (
        f'href="{send_url(acme_invoice)}"'
        not in alice_admin.get(change_url(acme_invoice)).content.decode()
    )
    response = alice_admin.post(send_url(acme_invoice), {"to": "ap@acme.test"}, follow=True)
    assert "A void invoice cannot be sent." in response.content.decode()
    assert not InvoiceDelivery.objects.exists() and mail.outbox == []


def test_nobody_to_send_to_is_a_message(alice, acme, alice_admin):
    invoice = invoiced(alice, acme, "1.00", issue=D(2026, 6, 1))  # Acme has no ADMIN user here
    response = alice_admin.post(send_url(invoice), {"to": ""}, follow=True)
    assert "has no ADMIN user to send the invoice to" in response.content.decode()
    assert not InvoiceDelivery.objects.exists()


def test_a_viewer_may_not_send(acme_invoice, bob_admin):
    before = db_fingerprint()
    assert bob_admin.post(send_url(acme_invoice), {"to": "ap@acme.test"}).status_code == 403
    assert db_fingerprint() == before


def test_another_firms_invoice_is_a_404(globex_invoice, alice_admin):
    before = db_fingerprint()
    assert alice_admin.get(send_url(globex_invoice)).status_code == 404
    assert alice_admin.post(send_url(globex_invoice), {"to": "x@y.test"}).status_code == 404
    assert db_fingerprint() == before


def test_the_firms_address_and_footer_are_printed_on_its_invoices(alice, acme_invoice, alice_admin):
    profile = FirmBillingProfile.objects.get(firm=alice.firm)  # made by the first invoice
    url = reverse("admin:billing_firmbillingprofile_change", args=[profile.pk])
    assert 'name="address"' in alice_admin.get(url).content.decode()
    response = alice_admin.post(
        url,
        {
            "address": "12 Ledger Lane\r\nSpringfield, IL 62701",
            "invoice_footer": "Pay by ACH to account 000123456.",
        },
    )
    assert response.status_code == 302, response.content
    pdf = alice_admin.get(reverse("admin:billing_invoice_pdf", args=[acme_invoice.pk]))
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "12 Ledger Lane" in text and "Pay by ACH to account 000123456." in text
