"""Onboarding a client in the admin: the add form (client_create, as the API's POST), the client's
page (its books, chart and monthly fee), and its invitations (invite, resend, revoke).

Alice is ADMIN of Firm A, Bob its VIEWER, Mia its MEMBER; Charlie is ADMIN of Firm B.
"""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.entities.models import EnrollmentStatus, PartnerEnrollment, Role
from axiomatic.ledger.models import Account, Book
from practice.models import ClientLink, FirmProfile, Invitation, InvitationStatus
from practice.pricing import tier_fees_cents
from practice.services.invitations import invitation_create
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import table_rows
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

ADD = reverse("admin:practice_clientlink_add")
CLIENTS = reverse("admin:practice_clientlink_changelist")
INVITATIONS = reverse("admin:practice_invitation_changelist")
SUSPENDED = "This firm is not an active member of the partner program."


def page_of(link) -> str:
    return reverse("admin:practice_clientlink_change", args=[link.pk])


def invite_url(link) -> str:
    return reverse("admin:practice_clientlink_invite", args=[link.pk])


def act_url(invitation, action: str) -> str:
    return reverse(f"admin:practice_invitation_{action}", args=[invitation.pk])


def client_form(owner, **overrides) -> dict:
    form = {
        "firm": owner.pk,
        "client_name": "Initech LLC",
        "client_type": "llc",
        "client_industry": "Software",
        "client_tier": "PROFESSIONAL",
        "billing_mode": "client_direct",
        "default_rate": "1,250.50",
        "external_reference": "CRM-42",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


@pytest.fixture
def mia(firm_a):
    user = UserFactory(email="mia@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.MEMBER)
    return user


@pytest.fixture
def pending(alice, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invitation_create(
            firm=alice.firm, entity=acme.client, email="pat@acme.test", role="VIEWER"
        )
    invitation.refresh_from_db()
    return invitation


# -- adding a client ------------------------------------------------------------------------------


def test_an_admin_adds_a_client_and_lands_on_its_page_with_books_and_fee(
    alice, django_capture_on_commit_callbacks
):
    session = logged_in(alice.user)
    form = session.get(ADD).content.decode()
    for name in (
        "client_name",
        "client_type",
        "client_industry",
        "client_tier",
        "billing_mode",
        "default_rate",
        "external_reference",
    ):
        assert f'name="{name}"' in form
    assert "cents" not in form.lower()

    with django_capture_on_commit_callbacks(execute=True):
        response = session.post(ADD, client_form(alice.firm))
    link = ClientLink.objects.get(firm=alice.firm)
    assert response.status_code == 302 and response["Location"] == page_of(link)
    client = link.client
    assert (client.name, client.type, client.industry) == ("Initech LLC", "llc", "Software")
    assert (link.client_tier, link.billing_mode, link.default_rate_cents) == (
        "PROFESSIONAL",
        "client_direct",
        125_050,
    )
    assert link.external_reference == "CRM-42"

    page = session.get(response["Location"]).content.decode()
    assert "chart of accounts and books are seeded" in page
    for book in Book.objects.filter(entity=client):
        assert book.name in page and reverse("admin:ledger_book_change", args=[book.pk]) in page
    accounts = Account.objects.filter(entity=client).count()
    assert accounts > 0 and f"{accounts} accounts" in page
    assert reverse("admin:entities_entity_change", args=[client.pk]) in page
    fee = tier_fees_cents()["PROFESSIONAL"]
    assert f"${fee // 100:,}.{fee % 100:02d}" in page and "billed to the client" in page
    assert 'value="1,250.50"' in page
    assert "cents" not in page.lower()


def test_the_admin_and_the_api_create_the_same_client(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        logged_in(alice.user).post(ADD, client_form(alice.firm))
        alice.client.post(
            "/api/practice/clients",
            {
                "firmEntityId": alice.firm.public_id,
                "name": "Hooli",
                "type": "llc",
                "tier": "PROFESSIONAL",
                "billingMode": "client_direct",
                "defaultRate": 125_050,
            },
            format="json",
        )
    ours, theirs = ClientLink.objects.filter(firm=alice.firm).order_by("id")
    assert Book.objects.filter(entity=ours.client).count() == (
        Book.objects.filter(entity=theirs.client).count()
    )
    assert Account.objects.filter(entity=ours.client).count() == (
        Account.objects.filter(entity=theirs.client).count()
    )


def test_a_member_adds_a_client_as_the_api_lets_them(mia, firm_a):
    response = logged_in(mia).post(ADD, client_form(firm_a))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ClientLink.objects.filter(firm=firm_a).count() == 1


def test_a_viewer_sees_clients_but_cannot_add_one(bob, acme):
    session = logged_in(bob.user)
    listing = session.get(CLIENTS).content.decode()
    assert "Acme Corp" in listing and ADD not in listing
    before = db_fingerprint()
    assert session.get(ADD).status_code == 403
    assert session.post(ADD, client_form(bob.firm)).status_code == 403
    assert db_fingerprint() == before
    page = session.get(page_of(acme)).content.decode()
    assert "Acme Corp" in page and 'id="invite-client-user"' not in page


def test_another_firm_is_not_offered_and_cannot_be_chosen(alice, charlie):
    session = logged_in(alice.user)
    form = session.get(ADD).content.decode()
    assert charlie.firm.name not in form
    before = db_fingerprint()
    page = session.post(ADD, client_form(charlie.firm))
    assert page.status_code == 200 and "errorlist" in page.content.decode()
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "bad",
    [
        {"client_name": ""},
        {"client_name": "Two\nlines"},
        {"client_type": "castle"},
        {"client_tier": "PLATINUM"},
        {"billing_mode": "barter"},
        {"default_rate": "12.345"},
        {"default_rate": "-5"},
        {"default_rate": "lots"},
        {"firm": "junk"},
        {"firm": "999999"},
        {"external_reference": "x" * 101},
    ],
)
def test_bad_input_is_a_form_error_and_writes_nothing(alice, bad):
    before = db_fingerprint()
    page = logged_in(alice.user).post(ADD, client_form(alice.firm, **bad))
    assert page.status_code == 200
    assert "errorlist" in page.content.decode()
    assert db_fingerprint() == before


def test_a_duplicate_reference_is_the_services_message(alice, make_client):
    make_client(alice, "Acme", external_reference="CRM-42")
    before = db_fingerprint()
    page = logged_in(alice.user).post(ADD, client_form(alice.firm)).content.decode()
    assert page.count("externalReference is already used by client") == 1
    assert db_fingerprint() == before


def test_a_suspended_firm_gets_the_apis_message(alice):
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status=EnrollmentStatus.SUSPENDED)
    before = db_fingerprint()
    page = logged_in(alice.user).post(ADD, client_form(alice.firm))
    assert page.status_code == 200 and SUSPENDED in page.content.decode()
    assert db_fingerprint() == before


def test_an_empty_rate_leaves_the_client_without_one(alice):
    logged_in(alice.user).post(ADD, client_form(alice.firm, default_rate=""))
    assert ClientLink.objects.get(firm=alice.firm).default_rate_cents is None


# -- the list and the change form: money, not cents -------------------------------------------------


def test_the_list_shows_the_default_rate_as_money(alice, make_client):
    make_client(alice, "Acme", default_rate_cents=15_000)
    html = logged_in(alice.user).get(CLIENTS).content.decode()
    rows = table_rows(html, "result_list")
    assert "Default rate" in rows[0] and "$150.00" in rows[1]
    assert "cents" not in html.lower()


def test_the_change_form_takes_the_rate_as_money(alice, make_client):
    link = make_client(alice, "Acme", default_rate_cents=15_000)
    data = {
        "client_name": "Acme",
        "client_type": "llc",
        "client_industry": "",
        "client_tier": "STARTER",
        "billing_mode": "consolidated",
        "default_rate": "$175.25",
        "external_reference": "",
    }
    assert logged_in(alice.user).post(page_of(link), data).status_code == 302
    link.refresh_from_db()
    assert link.default_rate_cents == 17_525


def test_the_firm_profile_default_rate_is_money(alice):
    profile = FirmProfile.objects.create(firm=alice.firm, default_rate_cents=9_000)
    url = reverse("admin:practice_firmprofile_change", args=[profile.pk])
    session = logged_in(alice.user)
    page = session.get(url).content.decode()
    assert 'name="default_rate"' in page and 'value="90.00"' in page
    assert "Default rate" in page and "cents" not in page.lower()


# -- invitations ----------------------------------------------------------------------------------


def test_an_admin_invites_a_client_user_from_its_page(
    alice, acme, django_capture_on_commit_callbacks
):
    session = logged_in(alice.user)
    page = session.get(page_of(acme)).content.decode()
    assert 'id="invite-client-user"' in page and invite_url(acme) in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = session.post(invite_url(acme), {"email": "Pat@Acme.test", "role": "MEMBER"})
    assert response.status_code == 302 and response["Location"].endswith("#invitations")
    invitation = Invitation.objects.get(entity=acme.client)
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "pat@acme.test",
        "MEMBER",
        alice.user,
    )
    assert [m.to for m in mail.outbox] == [["pat@acme.test"]]
    page = session.get(response["Location"]).content.decode()
    assert "Invited pat@acme.test." in page
    rows = table_rows(page, "invitations-table")
    assert rows[1][:4] == ["pat@acme.test", "Member", "Pending", "1"]


def test_a_member_invites_too(mia, alice, acme):
    assert logged_in(mia).post(invite_url(acme), {"email": "pat@acme.test"}).status_code == 302
    assert Invitation.objects.filter(entity=acme.client, role="VIEWER").exists()


@pytest.mark.parametrize("bad", [{"email": "not-an-address"}, {"email": ""}, {"role": "OWNER"}])
def test_a_bad_invite_is_a_message_and_writes_nothing(alice, acme, bad):
    before = db_fingerprint()
    data = {"email": "pat@acme.test", "role": "VIEWER", **bad}
    page = logged_in(alice.user).post(invite_url(acme), data, follow=True)
    assert page.status_code == 200 and 'class="error"' in page.content.decode()
    assert db_fingerprint() == before


def test_the_invite_page_takes_posts_only(alice, acme):
    assert logged_in(alice.user).get(invite_url(acme)).status_code == 405


def test_invitations_show_their_state_on_the_client_page_and_the_list(
    alice, acme, pending, make_client
):
    accepted = Invitation.objects.create(
        firm=alice.firm,
        entity=acme.client,
        email="acc@acme.test",
        status=InvitationStatus.ACCEPTED,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    Invitation.objects.create(
        firm=alice.firm,
        entity=acme.client,
        email="old@acme.test",
        expires_at=timezone.now() - dt.timedelta(days=1),
        last_error="SMTP 550: mailbox unavailable",
    )
    Invitation.objects.create(
        firm=alice.firm,
        entity=acme.client,
        email="gone@acme.test",
        status=InvitationStatus.REVOKED,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    session = logged_in(alice.user)
    rows = table_rows(session.get(page_of(acme)).content.decode(), "invitations-table")
    states = {row[0]: row[2] for row in rows[1:]}
    assert states == {
        "pat@acme.test": "Pending",
        "acc@acme.test": "Accepted",
        "old@acme.test": "Expired",
        "gone@acme.test": "Revoked",
    }
    assert any("SMTP 550: mailbox unavailable" in row for row in rows)

    listing = table_rows(session.get(INVITATIONS).content.decode(), "result_list")
    assert "State" in listing[0] and "Last error" in listing[0]
    by_email = {row[1]: row for row in listing[1:]}
    assert "Expired" in by_email["old@acme.test"] and "Accepted" in by_email["acc@acme.test"]
    expired = session.get(INVITATIONS, {"state": "expired"}).content.decode()
    assert "old@acme.test" in expired and "pat@acme.test" not in expired
    assert reverse("admin:practice_invitation_change", args=[accepted.pk]) in (
        session.get(INVITATIONS, {"state": "accepted"}).content.decode()
    )


def test_resending_from_the_client_page_sends_a_new_link(
    alice, acme, pending, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(alice.user).post(
            act_url(pending, "resend"), {"next": page_of(acme) + "#invitations"}
        )
    assert response.status_code == 302 and response["Location"] == page_of(acme) + "#invitations"
    pending.refresh_from_db()
    assert pending.sent_count == 2 and [m.to for m in mail.outbox] == [["pat@acme.test"]]


def test_revoking_from_the_client_page_stops_the_link(
    alice, acme, pending, django_capture_on_commit_callbacks
):
    session = logged_in(alice.user)
    response = session.post(act_url(pending, "revoke"), {"next": page_of(acme)}, follow=True)
    pending.refresh_from_db()
    assert pending.status == InvitationStatus.REVOKED
    assert "Revoked the invitation to pat@acme.test." in response.content.decode()
    # Again: refused with the service's message, nothing changes.
    before = db_fingerprint()
    again = session.post(act_url(pending, "revoke"), follow=True).content.decode()
    assert "only a pending invitation can be revoked" in again
    resent = session.post(act_url(pending, "resend"), follow=True).content.decode()
    assert "only a pending invitation can be sent again" in resent
    assert db_fingerprint() == before


def test_the_revoke_action_in_the_list(alice, acme, pending):
    page = logged_in(alice.user).post(
        INVITATIONS, {"action": "revoke", "_selected_action": [pending.pk]}, follow=True
    )
    pending.refresh_from_db()
    assert pending.status == InvitationStatus.REVOKED
    assert "Revoked 1 invitation(s)." in page.content.decode()


def test_an_invitations_page_has_resend_and_revoke_while_open(alice, acme, pending, bob):
    url = reverse("admin:practice_invitation_change", args=[pending.pk])
    page = logged_in(alice.user).get(url).content.decode()
    assert act_url(pending, "resend") in page and act_url(pending, "revoke") in page
    assert "Pending" in page
    viewer = logged_in(bob.user).get(url).content.decode()
    assert act_url(pending, "revoke") not in viewer


def test_a_viewer_cannot_invite_resend_or_revoke(bob, acme, pending):
    session = logged_in(bob.user)
    before = db_fingerprint()
    assert session.post(invite_url(acme), {"email": "x@acme.test"}).status_code == 403
    assert session.post(act_url(pending, "resend")).status_code == 403
    assert session.post(act_url(pending, "revoke")).status_code == 403
    assert db_fingerprint() == before


def test_another_firm_gets_not_found_for_the_client_and_its_invitations(
    charlie, acme, pending, globex
):
    session = logged_in(charlie.user)
    before = db_fingerprint()
    assert session.get(page_of(acme)).status_code == 404
    assert session.post(page_of(acme), client_form(charlie.firm)).status_code == 404
    assert session.post(invite_url(acme), {"email": "x@acme.test"}).status_code == 404
    change = reverse("admin:practice_invitation_change", args=[pending.pk])
    assert session.get(change).status_code == 404
    assert session.post(act_url(pending, "resend")).status_code == 404
    assert session.post(act_url(pending, "revoke")).status_code == 404
    assert "pat@acme.test" not in session.get(INVITATIONS).content.decode()
    assert db_fingerprint() == before


@pytest.mark.parametrize("junk", ["999999", "abc", "1%2F2"])
def test_junk_ids_are_a_404(alice, acme, junk):
    session = logged_in(alice.user)
    assert session.post(f"{CLIENTS}{junk}/invite/", {"email": "x@acme.test"}).status_code == 404
    assert session.post(f"{INVITATIONS}{junk}/revoke/").status_code == 404
    assert session.post(f"{INVITATIONS}{junk}/resend/").status_code == 404


def test_an_archived_clients_page_offers_no_invite(alice, acme):
    from practice.services.clients import client_archive

    client_archive(link=acme)
    session = logged_in(alice.user)
    assert 'id="invite-client-user"' not in session.get(page_of(acme)).content.decode()
    before = db_fingerprint()
    page = session.post(invite_url(acme), {"email": "x@acme.test"}, follow=True)
    assert "archived" in page.content.decode()
    assert db_fingerprint() == before


def test_a_suspended_firm_cannot_invite(alice, acme):
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status=EnrollmentStatus.SUSPENDED)
    before = db_fingerprint()
    page = logged_in(alice.user).post(invite_url(acme), {"email": "x@acme.test"}, follow=True)
    assert page.status_code in (200, 404)  # its clients drop out of reach, as in the API
    assert db_fingerprint() == before


def test_an_unsafe_next_is_ignored(alice, acme, pending):
    response = logged_in(alice.user).post(
        act_url(pending, "revoke"), {"next": "https://evil.test/"}
    )
    assert response["Location"] == reverse("admin:practice_invitation_change", args=[pending.pk])


# -- queries stay flat as rows grow ---------------------------------------------------------------


def _queries(session, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert session.get(url).status_code == 200
    return len(captured)


def test_the_client_page_and_lists_run_a_fixed_number_of_queries(alice, make_client):
    session = logged_in(alice.user)
    link = make_client(alice, "Acme")
    invitation_create(firm=alice.firm, entity=link.client, email="a0@acme.test", role="VIEWER")
    few = [_queries(session, u) for u in (page_of(link), CLIENTS, INVITATIONS, ADD)]
    for n in range(1, 6):
        make_client(alice, f"More {n}")
        invitation_create(
            firm=alice.firm, entity=link.client, email=f"a{n}@acme.test", role="VIEWER"
        )
    many = [_queries(session, u) for u in (page_of(link), CLIENTS, INVITATIONS, ADD)]
    assert many == few
