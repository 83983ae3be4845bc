"""Revoking one invitation (`invitation_revoke`), resending one (`invitation_resend`) and the
state staff see (`invitation_state`): a revoked link opens the "withdrawn" page and accepts no one;
only a pending invitation is revoked or resent; another firm's is the same 404 as none."""

import datetime as dt

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from axiomatic.core.errors import ConflictError, NotFoundError
from axiomatic.entities.models import Membership, User
from practice.models import Invitation, InvitationStatus
from practice.services.invitations import (
    InvitationProblem,
    InvitationState,
    InvitationUnusable,
    invitation_accept,
    invitation_check,
    invitation_resend,
    invitation_revoke,
    invitation_state,
    invitations_in_state,
)
from tests.helpers import db_fingerprint
from tests.practice.test_invitation_flow import PASSWORD, invite, last_link, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(alice, acme, django_capture_on_commit_callbacks):
    """A pending invitation whose email went out: (invitation, the link's path)."""
    body = invite(alice, acme, capture=django_capture_on_commit_callbacks)
    return Invitation.objects.get(public_id=body["id"]), path_of(last_link())


def test_revoking_withdraws_the_link(alice, sent):
    invitation, link = sent
    revoked = invitation_revoke(firm=alice.firm, public_id=invitation.public_id, by=alice.user)

    assert revoked.status == InvitationStatus.REVOKED
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    with pytest.raises(InvitationUnusable) as refused:
        invitation_check(invitation)
    assert refused.value.problem == InvitationProblem.REVOKED
    page = Client().get(link)
    assert page.status_code == 410 and b"withdrawn" in page.content


def test_a_revoked_link_accepts_no_one(alice, sent):
    invitation, link = sent
    invitation_revoke(firm=alice.firm, public_id=invitation.public_id)
    token = link.rstrip("/").rsplit("/", 1)[1]

    with pytest.raises(InvitationUnusable):
        invitation_accept(token=token, full_name="Pat", password=PASSWORD)
    posted = Client().post(link, {"full_name": "Pat", "password1": PASSWORD, "password2": PASSWORD})
    assert posted.status_code == 410
    assert not User.objects.filter(email="pat@acme.test").exists()
    assert not Membership.objects.filter(entity=invitation.entity).exists()


def test_an_expired_pending_invitation_can_be_revoked(alice, sent):
    invitation, _ = sent
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(hours=1)
    )
    invitation_revoke(firm=alice.firm, public_id=invitation.public_id)
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


@pytest.mark.parametrize("status", [InvitationStatus.ACCEPTED, InvitationStatus.REVOKED])
def test_only_a_pending_invitation_is_revoked(alice, sent, status):
    invitation, _ = sent
    Invitation.objects.filter(pk=invitation.pk).update(status=status)
    before = db_fingerprint()

    with pytest.raises(ConflictError) as refused:
        invitation_revoke(firm=alice.firm, public_id=invitation.public_id)
    assert "only a pending invitation can be revoked" in refused.value.message
    assert refused.value.code == "invalid_status_transition"
    assert db_fingerprint() == before


def test_another_firms_invitation_is_not_found(charlie, sent):
    invitation, _ = sent
    before = db_fingerprint()
    for public_id in (invitation.public_id, "invt_nothing"):
        with pytest.raises(NotFoundError):
            invitation_revoke(firm=charlie.firm, public_id=public_id)
        with pytest.raises(NotFoundError):
            invitation_resend(firm=charlie.firm, public_id=public_id)
    assert db_fingerprint() == before


def test_resending_mails_a_new_link_and_the_old_one_stops(
    alice, sent, django_capture_on_commit_callbacks
):
    invitation, old_link = sent
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_resend(firm=alice.firm, public_id=invitation.public_id, invited_by=alice.user)
    invitation.refresh_from_db()
    assert invitation.sent_count == 2 and len(mail.outbox) == 1
    assert path_of(last_link()) != old_link
    assert Client().get(old_link).status_code == 404


def test_a_revoked_invitation_is_not_resent(alice, sent, django_capture_on_commit_callbacks):
    invitation, _ = sent
    invitation_revoke(firm=alice.firm, public_id=invitation.public_id)
    mail.outbox.clear()
    before = db_fingerprint()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ConflictError):
        invitation_resend(firm=alice.firm, public_id=invitation.public_id)
    assert db_fingerprint() == before and mail.outbox == []


def test_the_states_staff_see(alice, acme):
    now = timezone.now()

    def make(email, status=InvitationStatus.PENDING, days=1):
        return Invitation.objects.create(
            firm=alice.firm,
            entity=acme.client,
            email=email,
            status=status,
            expires_at=now + dt.timedelta(days=days),
        )

    made = {
        InvitationState.PENDING: make("p@acme.test"),
        InvitationState.EXPIRED: make("e@acme.test", days=-1),
        InvitationState.ACCEPTED: make("a@acme.test", InvitationStatus.ACCEPTED, days=-1),
        InvitationState.REVOKED: make("r@acme.test", InvitationStatus.REVOKED),
    }
    for state, invitation in made.items():
        assert invitation_state(invitation, now=now) == state
        found = invitations_in_state(Invitation.objects.all(), state, now=now)
        assert list(found) == [invitation]
