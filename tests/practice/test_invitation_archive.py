"""Archiving a client withdraws its pending invitations: their links open the "withdrawn" page
and accepting one makes no account and no membership, even on an archived entity."""

import pytest
from django.test import Client

from axiomatic.entities.models import Membership, User
from practice.models import Invitation, InvitationStatus
from practice.services.invitations import InvitationUnusable, invitation_accept
from tests.practice.test_invitation_flow import PASSWORD, invite, last_link, path_of

pytestmark = pytest.mark.django_db


def _archive(alice, acme, capture):
    with capture(execute=True):
        response = alice.client.delete(
            f"/api/practice/clients/{acme.client.public_id}?firmEntityId={alice.firm.public_id}"
        )
    assert response.status_code == 204, response.content


def test_archiving_a_client_withdraws_its_pending_invitations(
    alice, acme, django_capture_on_commit_callbacks
):
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    link = path_of(last_link())
    _archive(alice, acme, django_capture_on_commit_callbacks)

    assert Invitation.objects.get().status == InvitationStatus.REVOKED
    page = Client().get(link)
    assert page.status_code == 410 and b"withdrawn" in page.content
    posted = Client().post(link, {"full_name": "Pat", "password1": PASSWORD, "password2": PASSWORD})
    assert posted.status_code == 410
    assert not User.objects.filter(email="pat@acme.test").exists()
    assert not Membership.objects.filter(entity=acme.client).exists()


def test_an_invitation_left_pending_is_refused_once_its_client_is_archived(
    alice, acme, django_capture_on_commit_callbacks
):
    """Even if an invitation escaped the withdrawal (written by a racing request), the accept
    checks that its client is still linked to the firm."""
    invite(alice, acme, capture=django_capture_on_commit_callbacks)
    token = last_link().rsplit("/", 1)[1]
    _archive(alice, acme, django_capture_on_commit_callbacks)
    Invitation.objects.update(status=InvitationStatus.PENDING)  # as if it escaped

    with pytest.raises(InvitationUnusable) as refused:
        invitation_accept(token=token, password=PASSWORD)
    assert refused.value.problem == "revoked"
    assert not Membership.objects.filter(entity=acme.client).exists()
