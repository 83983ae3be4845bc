"""Approving time from the time entry changelist (docs/adr/0025): "Approve selected" and "Unapprove
selected" go through the approval services (a firm ADMIN's actions, each firm's entries all or
nothing, refusals in the services' words), an approval column and filter; and invoicing from the
changelist honours the firm's approval and rounding settings, through the invoice service.

Alice is ADMIN of Firm A, Bob a VIEWER of Firm A, Charlie ADMIN of Firm B; Acme is Firm A's client
at $125.00 an hour.
"""

import pytest
from django.urls import reverse

from axiomatic.entities.models import Role
from billing.models import Invoice
from practice.models import FirmProfile, TimeEntry
from tests.admin.conftest import logged_in
from tests.billing.invoice_helpers import last_number, log
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:practice_timeentry_changelist"
APPROVE, UNAPPROVE, INVOICE = "approve_selected", "unapprove_selected", "create_invoice"


def act(client, action: str, entries):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [e.pk for e in entries]},
        follow=True,
    )


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def statuses(entries) -> list[str]:
    return [
        TimeEntry.objects.values_list("approval_status", flat=True).get(pk=e.pk) for e in entries
    ]


def offered(client) -> set[str]:
    html = client.get(reverse(CHANGELIST)).content.decode()
    return {a for a in (APPROVE, UNAPPROVE, INVOICE) if f'value="{a}"' in html}


@pytest.fixture
def work(alice, acme):
    return [log(alice, acme, h) for h in ("1.10", "0.33", "2.00")]


@pytest.fixture
def member_admin(alice):
    user = UserFactory(email="mia@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
    return logged_in(user)


# -- the actions ------------------------------------------------------------------------------------


def test_an_admin_is_offered_approval_beside_invoicing(alice_admin, work):
    assert offered(alice_admin) == {APPROVE, UNAPPROVE, INVOICE}


def test_approve_selected_approves_them_as_the_signed_in_admin(alice, alice_admin, work):
    response = act(alice_admin, APPROVE, work[:2])

    assert response.status_code == 200
    assert said(response) == ["Approved 2 time entries."]
    assert statuses(work) == ["approved", "approved", "open"]
    row = TimeEntry.objects.get(pk=work[0].pk)
    assert row.approved_by == alice.user and row.approved_at is not None
    assert said(act(alice_admin, APPROVE, work)) == ["Approved 1 time entry."]


def test_unapprove_selected_returns_them_to_open(alice_admin, work):
    act(alice_admin, APPROVE, work)

    response = act(alice_admin, UNAPPROVE, work[1:])

    assert said(response) == ["Returned 2 time entries to open."]
    assert statuses(work) == ["approved", "open", "open"]
    assert TimeEntry.objects.get(pk=work[1].pk).approved_by is None


def test_a_refusal_is_the_services_message_and_changes_nothing(alice, acme, alice_admin, work):
    act(alice_admin, APPROVE, work)
    act(alice_admin, INVOICE, work[:1])
    billed = Invoice.objects.get(firm=alice.firm)
    before = db_fingerprint()

    response = act(alice_admin, UNAPPROVE, work)

    (message,) = said(response)
    assert message.startswith(f"{alice.firm}: Time entries already invoiced cannot be unapproved")
    assert work[0].public_id in message and "void the invoice" in message
    assert db_fingerprint() == before
    assert statuses(work) == ["approved"] * 3
    assert billed.lines.count() == 1


def test_a_member_or_viewer_is_not_offered_approval_and_cannot_post_it(
    member_admin, bob_admin, work
):
    assert offered(member_admin) == {INVOICE}
    assert offered(bob_admin) == set()
    before = db_fingerprint()
    for client in (member_admin, bob_admin):
        act(client, APPROVE, work)
    assert db_fingerprint() == before
    assert statuses(work) == ["open"] * 3


def test_another_firms_entries_are_never_approved(alice_admin, charlie, globex, work):
    theirs = log(charlie, globex, "1.00")
    before = db_fingerprint()
    act(alice_admin, APPROVE, [theirs])
    assert db_fingerprint() == before
    assert statuses([theirs]) == ["open"]


def test_a_superuser_approves_each_firms_selection_on_its_own(alice, charlie, globex, work):
    root = logged_in(UserFactory(email="root@ops.test", is_staff=True, is_superuser=True))
    theirs = log(charlie, globex, "1.00")
    assert said(act(root, APPROVE, [work[0], theirs])) == ["Approved 2 time entries."]
    act(root, INVOICE, [work[0]])  # Firm A's approved entry is billed now

    # Firm A's call is refused (billed time is locked); Firm B's goes through on its own.
    messages = said(act(root, UNAPPROVE, [work[0], theirs]))

    assert len(messages) == 2
    assert messages[0].startswith(f"{alice.firm}: ") and "already invoiced" in messages[0]
    assert messages[1] == "Returned 1 time entry to open."
    assert statuses([work[0], theirs]) == ["approved", "open"]


# -- the column and the filter ----------------------------------------------------------------------


def test_the_changelist_shows_and_filters_by_approval(alice_admin, work):
    act(alice_admin, APPROVE, work[:1])

    page = alice_admin.get(reverse(CHANGELIST)).content.decode()
    assert "column-approval_status" in page
    assert "?approval_status__exact=approved" in page  # the filter's choice
    approved = alice_admin.get(reverse(CHANGELIST), {"approval_status__exact": "approved"})
    assert [e.pk for e in approved.context["cl"].result_list] == [work[0].pk]
    open_ = alice_admin.get(reverse(CHANGELIST), {"approval_status__exact": "open"})
    assert {e.pk for e in open_.context["cl"].result_list} == {work[1].pk, work[2].pk}


def test_the_entry_page_shows_who_approved_it(alice, alice_admin, work):
    act(alice_admin, APPROVE, work[:1])
    page = alice_admin.get(reverse("admin:practice_timeentry_change", args=[work[0].pk]))
    html = page.content.decode()
    assert "field-approval_status" in html and "field-approved_by" in html
    assert str(alice.user) in html.split("field-approved_by", 1)[1][:600]


# -- invoicing from the changelist honours the firm's settings --------------------------------------


def test_invoicing_from_the_changelist_needs_approval_when_the_firm_requires_it(
    alice, alice_admin, work
):
    FirmProfile.objects.create(firm=alice.firm, require_approval=True)
    act(alice_admin, APPROVE, work[:1])
    before = db_fingerprint()

    response = act(alice_admin, INVOICE, work)

    (message,) = said(response)
    assert "approve" in message and work[1].public_id in message and work[2].public_id in message
    assert work[0].public_id not in message
    assert db_fingerprint() == before
    assert last_number(alice.firm) == 0

    act(alice_admin, APPROVE, work)
    assert "Invoice" in said(act(alice_admin, INVOICE, work))[0]
    assert set(TimeEntry.objects.values_list("billing_status", flat=True)) == {"billed"}


def test_invoicing_from_the_changelist_rounds_the_lines(alice, alice_admin, work):
    # 15 minutes up at $125.00: 1.10 -> 1.25 h ($156.25), 0.33 -> 0.50 h ($62.50), 2.00 h
    # ($250.00): total $468.75.
    FirmProfile.objects.create(firm=alice.firm, time_rounding_minutes=15, time_rounding_mode="up")

    response = act(alice_admin, INVOICE, work)

    assert "total $468.75" in said(response)[0]
    invoice = Invoice.objects.get(firm=alice.firm)
    assert [str(line.hours) for line in invoice.lines.order_by("position")] == [
        "1.25",
        "0.50",
        "2.00",
    ]
    assert invoice.total_cents == 46_875
    assert [str(e.hours) for e in TimeEntry.objects.order_by("pk")] == ["1.10", "0.33", "2.00"]
