"""The firm's practice settings on its invoices (docs/adr/0025).

- With `require_approval` on, open time is refused, 409 `time_entry_not_approved` naming it, and
  nothing is written: no invoice, no number used, the time stays unbilled.
- `time_rounding_minutes`/`time_rounding_mode` round the hours each time line bills, up or to the
  nearest step, and the line is the rounded hours x rate; the entry keeps its own hours and amount.
  Worked examples at $125.00 an hour unless said otherwise.
"""

from decimal import Decimal
from functools import partial

import pytest

from axiomatic.core.errors import ApplicationError, ConflictError
from axiomatic.entities.models import Entity
from billing.models import Invoice, InvoiceLine
from billing.services.invoices import Adjustment, invoice_create_from_time
from practice.models import ClientLink, FirmProfile, TimeEntry
from practice.services.approvals import time_entries_approve, time_entries_unapprove
from tests.billing.invoice_helpers import (
    INVOICE,
    assert_next_number_is_2,
    bill,
    billing_state,
    ids_of,
    invoice_body,
    last_number,
    log,
    named,
)
from tests.helpers import api, db_fingerprint, requires_postgres, run_together

pytestmark = pytest.mark.django_db


def settings_of(persona, **fields) -> None:
    FirmProfile.objects.update_or_create(firm=persona.firm, defaults=fields)


def approved(persona, *entries) -> None:
    time_entries_approve(firm=persona.firm, time_entry_ids=ids_of(entries), by=persona.user)


def line_hours(invoice: dict) -> list[float]:
    return [line["hours"] for line in invoice["lines"] if line["kind"] == "time"]


# --- Approval required -------------------------------------------------------------------------


def test_open_time_is_refused_when_the_firm_requires_approval(alice, acme, numbered):
    settings_of(alice, require_approval=True)
    ok = log(alice, acme, "1.00")
    first_open, second_open = log(alice, acme, "2.00"), log(alice, acme, "3.00")
    approved(alice, ok)
    before = db_fingerprint()

    error = api(alice).post(
        INVOICE,
        invoice_body(alice, acme, [ok, first_open, second_open]),
        status=409,
        code="time_entry_not_approved",
    )

    assert first_open.public_id in named(error) and second_open.public_id in named(error)
    assert ok.public_id not in named(error)
    assert "approve" in error["message"]
    assert error["fields"]["timeEntryIds"]
    assert db_fingerprint() == before
    assert billing_state([ok, first_open, second_open]) == [("unbilled", None, None)] * 3
    settings_of(alice, require_approval=False)
    assert_next_number_is_2(alice, acme)  # the refusal used no number


def test_approved_time_is_billed_when_the_firm_requires_approval(alice, acme):
    settings_of(alice, require_approval=True)
    entries = [log(alice, acme, "1.00"), log(alice, acme, "2.00")]
    approved(alice, *entries)

    invoice = bill(alice, acme, entries)["invoice"]

    assert invoice["total"] == 37_500
    assert {s for s, _, _ in billing_state(entries)} == {"billed"}


def test_without_the_setting_open_time_is_billed(alice, acme):
    entry = log(alice, acme, "1.00")
    assert FirmProfile.objects.filter(firm=alice.firm).count() == 0  # the defaults: not required
    assert bill(alice, acme, [entry])["invoice"]["total"] == 12_500
    settings_of(alice, require_approval=False)
    assert bill(alice, acme, [log(alice, acme, "2.00")])["invoice"]["total"] == 25_000


def test_items_alone_need_no_approval(alice, acme):
    settings_of(alice, require_approval=True)
    body = invoice_body(alice, acme, [], items=[{"description": "Annual fee", "amount": 90_000}])
    assert api(alice).post(INVOICE, body)["invoice"]["total"] == 90_000


def test_an_unapproved_entry_approved_later_is_then_billed(alice, acme):
    settings_of(alice, require_approval=True)
    entry = log(alice, acme, "1.00")
    api(alice).post(INVOICE, invoice_body(alice, acme, [entry]), status=409)
    approved(alice, entry)
    time_entries_unapprove(firm=alice.firm, time_entry_ids=[entry.public_id], by=alice.user)
    api(alice).post(INVOICE, invoice_body(alice, acme, [entry]), status=409)
    approved(alice, entry)
    assert bill(alice, acme, [entry])["invoice"]["number"] == "INV-000001"


def test_already_invoiced_time_is_answered_as_invoiced_before_unapproved(alice, acme):
    entry = log(alice, acme, "1.00")
    bill(alice, acme, [entry])  # billed before the firm turned approval on
    settings_of(alice, require_approval=True)
    api(alice).post(
        INVOICE, invoice_body(alice, acme, [entry]), status=409, code="time_entry_invoiced"
    )


# --- Rounding: worked examples ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "mode", "hours", "billed"),
    [
        (6, "up", "0.33", "0.40"),  # 19.8 min -> 24 min
        (6, "nearest", "0.33", "0.30"),  # 19.8 min -> 18 min
        (6, "nearest", "0.35", "0.40"),  # 21 min: half a step goes up
        (6, "up", "1.00", "1.00"),  # on a step already
        (15, "up", "1.10", "1.25"),  # 66 min -> 75 min
        (15, "nearest", "1.10", "1.00"),  # 66 min -> 60 min
        (15, "nearest", "1.13", "1.25"),  # 67.8 min -> 75 min
        (15, "up", "0.01", "0.25"),  # 36 s bills a quarter hour
        (10, "up", "0.05", "0.17"),  # 3 min -> 10 min, to the hundredth of an hour
        (30, "nearest", "2.20", "2.00"),
        (0, "up", "1.13", "1.13"),  # no rounding
    ],
)
def test_a_time_line_bills_the_rounded_hours_at_the_entrys_rate(
    alice, acme, minutes, mode, hours, billed
):
    settings_of(alice, time_rounding_minutes=minutes, time_rounding_mode=mode)
    entry = log(alice, acme, hours, rate=12_500)
    own = (entry.hours, entry.amount_cents)

    invoice = bill(alice, acme, [entry])["invoice"]

    (line,) = invoice["lines"]
    expected = int((Decimal(billed) * 12_500).quantize(Decimal(1)))
    assert line["hours"] == float(billed)
    assert line["rate"] == 12_500
    assert line["standardAmount"] == line["amount"] == expected
    assert invoice["subtotal"] == invoice["total"] == expected
    entry.refresh_from_db()
    assert (entry.hours, entry.amount_cents) == own  # the entry keeps its own
    assert entry.billing_status == "billed"


def test_the_total_is_the_sum_of_the_rounded_lines(alice, acme):
    # 15 minutes up at $150.00: 1.10 h -> 1.25 h $187.50; 0.33 h -> 0.50 h $75.00; 2.00 h stays,
    # $300.00. Total $562.50, where the entries' own amounts sum to $514.50.
    settings_of(alice, time_rounding_minutes=15, time_rounding_mode="up")
    entries = [log(alice, acme, h, rate=15_000) for h in ("1.10", "0.33", "2.00")]

    invoice = bill(alice, acme, entries)["invoice"]

    assert line_hours(invoice) == [1.25, 0.5, 2.0]
    assert [line["amount"] for line in invoice["lines"]] == [18_750, 7_500, 30_000]
    assert invoice["total"] == 56_250 == sum(line["amount"] for line in invoice["lines"])
    assert sum(e.amount_cents for e in entries) == 51_450
    stored = TimeEntry.objects.filter(pk__in=[e.pk for e in entries]).order_by("pk")
    assert [str(e.hours) for e in stored] == ["1.10", "0.33", "2.00"]
    assert [e.amount_cents for e in stored] == [16_500, 4_950, 30_000]
    lines = InvoiceLine.objects.filter(invoice__public_id=invoice["id"]).order_by("position")
    assert [str(line.hours) for line in lines] == ["1.25", "0.50", "2.00"]


def test_nearest_rounding_6_minutes_over_several_lines(alice, acme):
    # 6 minutes to the nearest at $125.00: 0.33 -> 0.30 ($37.50), 0.36 -> 0.40 ($50.00),
    # 1.04 -> 1.00 ($125.00). Total $212.50.
    settings_of(alice, time_rounding_minutes=6, time_rounding_mode="nearest")
    entries = [log(alice, acme, h) for h in ("0.33", "0.36", "1.04")]

    invoice = bill(alice, acme, entries)["invoice"]

    assert line_hours(invoice) == [0.3, 0.4, 1.0]
    assert invoice["total"] == 3_750 + 5_000 + 12_500


def test_an_adjustment_is_spread_over_the_rounded_lines(alice, acme):
    # 15 minutes up: 1.10 h -> 1.25 h ($156.25) and 0.90 h -> 1.00 h ($125.00), subtotal $281.25;
    # a $28.13 write-down leaves $253.12, spread pro rata to the rounded amounts.
    settings_of(alice, time_rounding_minutes=15, time_rounding_mode="up")
    entries = [log(alice, acme, "1.10"), log(alice, acme, "0.90")]

    invoice = bill(alice, acme, entries, adjustment={"amount": -2_813, "reason": "Goodwill"})[
        "invoice"
    ]

    assert invoice["subtotal"] == 28_125
    assert invoice["total"] == 25_312
    assert [line["standardAmount"] for line in invoice["lines"]] == [15_625, 12_500]
    assert sum(line["amount"] for line in invoice["lines"]) == 25_312


def test_a_short_entry_rounded_to_nothing_is_billed_at_nothing(alice, acme):
    # 15 minutes to the nearest: 0.07 h (4.2 min) is 0.00 h: covered by the invoice, at $0.00.
    settings_of(alice, time_rounding_minutes=15, time_rounding_mode="nearest")
    short, long = log(alice, acme, "0.07"), log(alice, acme, "1.00")

    invoice = bill(alice, acme, [short, long])["invoice"]

    assert line_hours(invoice) == [0.0, 1.0]
    assert [line["amount"] for line in invoice["lines"]] == [0, 12_500]
    assert {s for s, _, _ in billing_state([short, long])} == {"billed"}


def test_the_service_itself_applies_both_rules(alice, acme):
    settings_of(alice, time_rounding_minutes=15, time_rounding_mode="up", require_approval=True)
    entry = log(alice, acme, "1.10")
    with pytest.raises(ConflictError) as refused:
        invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=[entry.public_id])
    assert refused.value.code == "time_entry_not_approved"
    assert last_number(alice.firm) == 0
    approved(alice, entry)
    invoice = invoice_create_from_time(
        firm=alice.firm, link=acme, time_entry_ids=[entry.public_id], adjustment=Adjustment()
    )
    assert invoice.total_cents == 15_625
    assert invoice.lines.get().hours == Decimal("1.25")


# --- Concurrency (PostgreSQL): invoicing and unapproving the same time ---------------------------


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_racing_invoice_and_unapproval_never_both_win(alice, acme):
    settings_of(alice, require_approval=True)
    entries = [log(alice, acme, "1.00"), log(alice, acme, "2.00")]
    approved(alice, *entries)
    ids = ids_of(entries)

    def attempt(call):
        firm = Entity.objects.get(pk=alice.firm.pk)
        try:
            return call(firm)
        except ApplicationError as exc:
            return exc

    def invoice_them(firm):
        link = ClientLink.objects.select_related("client").get(pk=acme.pk)
        return invoice_create_from_time(firm=firm, link=link, time_entry_ids=ids)

    def unapprove_them(firm):
        return time_entries_unapprove(firm=firm, time_entry_ids=ids, by=alice.user)

    race = run_together(partial(attempt, invoice_them), partial(attempt, unapprove_them))

    assert race.errors == []
    invoiced, unapproved = race.results
    if isinstance(invoiced, Invoice):  # the invoice locked first: billed time stays approved
        assert isinstance(unapproved, ConflictError) and unapproved.code == "time_entry_invoiced"
        assert set(TimeEntry.objects.values_list("approval_status", "billing_status")) == {
            ("approved", "billed")
        }
    else:  # the unapproval locked first: nothing was billed
        assert isinstance(invoiced, ConflictError) and invoiced.code == "time_entry_not_approved"
        assert unapproved == 2
        assert Invoice.objects.count() == 0 and last_number(alice.firm) == 0
        assert set(TimeEntry.objects.values_list("approval_status", "billing_status")) == {
            ("open", "unbilled")
        }
