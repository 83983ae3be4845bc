"""The access helpers: firm scoping, partner enrollment, entity reach, read-only roles."""

from types import SimpleNamespace

import pytest

from axiomatic.api.access import entity_for_request, firm_for_request
from axiomatic.api.authentication import ApiKeyUser
from axiomatic.core.errors import AccessDeniedError, NotFoundError
from axiomatic.core.ids import new_public_id
from axiomatic.entities import access as entity_access
from axiomatic.entities.models import ApiKey, Entity, PartnerEnrollment, Role
from tests.factories import EntityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def key_request(persona):
    return SimpleNamespace(
        user=ApiKeyUser(ApiKey.objects.select_related("firm__enrollment").get(firm=persona.firm))
    )


def session_request(user):
    return SimpleNamespace(user=user)


def test_a_firm_key_resolves_its_own_firm(alice):
    access = firm_for_request(key_request(alice), alice.firm.public_id, write=True)
    assert access.entity == alice.firm
    assert access.can_write
    assert access.actor == alice.user


def test_another_firm_and_an_unknown_firm_are_the_same_404(alice, charlie):
    with pytest.raises(NotFoundError) as foreign:
        firm_for_request(key_request(alice), charlie.firm.public_id)
    with pytest.raises(NotFoundError) as unknown:
        firm_for_request(key_request(alice), new_public_id("ent"))
    assert (foreign.value.code, foreign.value.message) == (
        unknown.value.code,
        unknown.value.message,
    )


def test_a_suspended_firm_gets_partner_program_required(alice):
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status="suspended")
    with pytest.raises(AccessDeniedError) as info:
        firm_for_request(key_request(alice), alice.firm.public_id)
    assert info.value.code == "partner_program_required"
    assert info.value.status_code == 403


def test_an_entity_without_enrollment_is_not_a_partner_firm(db):
    user = UserFactory()
    plain = EntityFactory()
    MembershipFactory(user=user, entity=plain, role=Role.ADMIN)
    with pytest.raises(AccessDeniedError) as info:
        firm_for_request(session_request(user), plain.public_id)
    assert info.value.code == "partner_program_required"


def test_a_suspended_firm_that_is_not_yours_is_still_404(alice, charlie):
    PartnerEnrollment.objects.filter(firm=charlie.firm).update(status="suspended")
    with pytest.raises(NotFoundError):
        firm_for_request(key_request(alice), charlie.firm.public_id)


def test_a_viewer_reads_but_may_not_write(bob):
    assert firm_for_request(session_request(bob.user), bob.firm.public_id).can_write is False
    with pytest.raises(AccessDeniedError) as info:
        firm_for_request(session_request(bob.user), bob.firm.public_id, write=True)
    assert info.value.code == "permission_denied"
    with pytest.raises(AccessDeniedError):
        entity_for_request(session_request(bob.user), bob.firm.public_id, write=True)


def test_a_session_user_without_membership_gets_404(bob, charlie):
    with pytest.raises(NotFoundError):
        firm_for_request(session_request(bob.user), charlie.firm.public_id)
    with pytest.raises(NotFoundError):
        entity_for_request(session_request(bob.user), charlie.firm.public_id)


def test_a_superuser_reaches_any_firm(charlie):
    root = UserFactory(is_staff=True, is_superuser=True)
    assert (
        firm_for_request(session_request(root), charlie.firm.public_id, write=True).entity
        == charlie.firm
    )
    with pytest.raises(NotFoundError):
        firm_for_request(session_request(root), new_public_id("ent"))


def test_a_client_user_reaches_their_own_entity_only(alice):
    client_entity = EntityFactory(name="Client Co")
    user = UserFactory()
    MembershipFactory(user=user, entity=client_entity, role=Role.MEMBER)
    access = entity_for_request(session_request(user), client_entity.public_id)
    assert access.entity == client_entity and not access.can_write
    # The API is the firms': a client user's session reads, and every write is refused.
    with pytest.raises(AccessDeniedError):
        entity_for_request(session_request(user), client_entity.public_id, write=True)
    with pytest.raises(NotFoundError):
        entity_for_request(session_request(user), alice.firm.public_id)


@pytest.fixture
def client_source(monkeypatch):
    """Stand in for the practice app's client links, through the seam it will use."""
    linked: dict[int, list[int]] = {}
    monkeypatch.setattr(entity_access, "_client_entity_sources", [])
    monkeypatch.setattr(entity_access, "_firm_sources", [])
    entity_access.register_client_entity_source(
        lambda firm: Entity.objects.filter(pk__in=linked.get(firm.pk, [])).values("pk"),
        lambda entity: Entity.objects.filter(
            pk__in=[firm for firm, clients in linked.items() if entity.pk in clients]
        ).values("pk"),
    )
    return linked


def test_a_firm_reaches_its_linked_clients_through_the_seam(alice, bob, charlie, client_source):
    client_entity = EntityFactory(name="Linked Client")
    client_source[alice.firm.pk] = [client_entity.pk]
    assert entity_for_request(key_request(alice), client_entity.public_id).entity == client_entity
    assert entity_for_request(session_request(bob.user), client_entity.public_id).can_write is False
    with pytest.raises(NotFoundError):
        entity_for_request(key_request(charlie), client_entity.public_id)
    # A suspended firm keeps its own books but no longer reaches its clients.
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status="suspended")
    with pytest.raises(NotFoundError):
        entity_for_request(key_request(alice), client_entity.public_id)
    assert entity_for_request(key_request(alice), alice.firm.public_id).entity == alice.firm
