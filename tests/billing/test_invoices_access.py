"""Who may invoice: anonymous callers are 401, a viewer lists but cannot invoice or void, a
suspended firm is refused, and another firm is the same 404 as an unknown one."""

import pytest

from axiomatic.core.ids import new_public_id
from billing.models import Invoice
from tests.billing.invoice_helpers import (
    INVOICE,
    INVOICES,
    bill,
    billing_state,
    invoice_body,
    invoices,
    last_number,
    log,
    suspend,
    void_url,
)
from tests.helpers import api, assert_error, db_snapshot, in_firm

pytestmark = pytest.mark.django_db


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_is_401_everywhere_and_changes_nothing(anon, alice, acme):
    entry = log(alice, acme)
    invoice = bill(alice, acme, [entry])["invoice"]
    other = log(alice, acme)
    before = db_snapshot()
    firm = alice.firm.public_id
    nobody = api(anon)
    nobody.post(INVOICE, invoice_body(alice, acme, [other]), status=401, code="not_authenticated")
    nobody.get(INVOICES, in_firm(firm), status=401, code="not_authenticated")
    nobody.post(void_url(invoice["id"]), params=in_firm(firm), status=401, code="not_authenticated")
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"


def test_a_viewer_can_list_but_not_invoice_or_void(alice, acme, bob):
    entry = log(alice, acme)
    invoice = bill(alice, acme, [entry])["invoice"]
    other = log(alice, acme)
    assert [i["id"] for i in invoices(bob)["invoices"]] == [invoice["id"]]
    before = db_snapshot()
    api(bob).post(INVOICE, invoice_body(bob, acme, [other]), status=403, code="permission_denied")
    api(bob).post(
        void_url(invoice["id"]),
        params=in_firm(bob.firm.public_id),
        status=403,
        code="permission_denied",
    )
    assert db_snapshot() == before
    assert last_number(alice.firm) == 1
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"
    assert billing_state([other]) == [("unbilled", None, None)]


def test_a_suspended_firm_gets_403_partner_program_required(alice, acme, bob):
    invoice = bill(alice, acme, [log(alice, acme)])["invoice"]
    other = log(alice, acme)
    suspend(alice)
    before = db_snapshot()
    firm = alice.firm.public_id
    code = "partner_program_required"
    api(alice).post(INVOICE, invoice_body(alice, acme, [other]), status=403, code=code)
    api(alice).post(void_url(invoice["id"]), params=in_firm(firm), status=403, code=code)
    for persona in (alice, bob):
        api(persona).get(INVOICES, in_firm(firm), status=403, code=code)
    assert db_snapshot() == before
    assert last_number(alice.firm) == 1
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"


def test_another_firm_is_the_same_404_as_an_unknown_one(alice, acme, charlie, globex):
    mine = log(alice, acme)
    invoice = bill(alice, acme, [log(alice, acme)])["invoice"]
    before = db_snapshot()
    unknown_firm = new_public_id("ent")
    c = api(charlie)
    foreign = c.request("POST", INVOICE, invoice_body(alice, acme, [mine]))
    unknown = c.request(
        "POST", INVOICE, invoice_body(alice, acme, [mine], firmEntityId=unknown_firm)
    )
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    listed = c.request("GET", INVOICES, params=in_firm(alice.firm.public_id))
    listed_unknown = c.request("GET", INVOICES, params=in_firm(unknown_firm))
    assert_error(listed, 404, "not_found")
    assert listed.content == listed_unknown.content == foreign.content
    voided = c.request("POST", void_url(invoice["id"]), params=in_firm(alice.firm.public_id))
    assert_error(voided, 404, "not_found")
    assert voided.content == foreign.content
    assert db_snapshot() == before
    assert Invoice.objects.get(public_id=invoice["id"]).status == "open"
