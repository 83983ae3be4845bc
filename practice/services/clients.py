"""Client entities of a firm: create (entity, books and link in one transaction), update, archive."""

from django.db import transaction
from django.utils import timezone

from axiomatic.entities.models import Entity
from axiomatic.entities.services import entity_create
from practice import events, signals
from practice.models import ClientLink, FirmProfile
from practice.services.invitations import invitations_revoke_pending
from practice.services.references import external_reference_check, save_guarding_reference

_LINK_FIELDS = {
    "tier": "client_tier",
    "billing_mode": "billing_mode",
    "default_rate_cents": "default_rate_cents",
    "external_reference": "external_reference",
}
_ENTITY_FIELDS = {"name", "type", "industry"}


def _announce(link: ClientLink, change: str) -> None:
    # After commit only: billing must never sync Stripe for a change that rolled back.
    transaction.on_commit(
        lambda: signals.client_link_changed.send(
            sender=ClientLink, link_id=link.pk, firm_id=link.firm_id, change=change
        )
    )


@transaction.atomic
def client_create(
    *,
    firm: Entity,
    name: str,
    type: str,
    industry: str = "",
    tier: str,
    billing_mode: str,
    external_reference: str | None = None,
    default_rate_cents: int | None = None,
) -> ClientLink:
    """A new client entity with its chart and books, linked to the firm; announced after commit."""
    external_reference_check(model=ClientLink, firm=firm, reference=external_reference)
    client = entity_create(name=name, type=type, industry=industry, currency=firm.currency)
    link = save_guarding_reference(
        lambda: ClientLink.objects.create(
            firm=firm,
            client=client,
            client_tier=tier,
            billing_mode=billing_mode,
            external_reference=external_reference,
            default_rate_cents=default_rate_cents,
        ),
        model=ClientLink,
        firm=firm,
        reference=external_reference,
    )
    _announce(link, signals.CREATED)
    events.client_event("client.created", firm=firm, link=link)
    return link


@transaction.atomic
def client_update(*, link: ClientLink, changes: dict) -> ClientLink:
    """Apply `changes` (keys: name, type, industry, tier, billing_mode, default_rate_cents,
    external_reference) to an active link and its entity; announced after commit."""
    link = (
        ClientLink.objects.select_for_update(of=("self",)).select_related("client").get(pk=link.pk)
    )
    reference = changes.get("external_reference")
    external_reference_check(
        model=ClientLink, firm=link.firm, reference=reference, exclude_pk=link.pk
    )
    entity_changes = {k: v for k, v in changes.items() if k in _ENTITY_FIELDS}
    if entity_changes:
        for key, value in entity_changes.items():
            setattr(link.client, key, value)
        link.client.save(update_fields=[*entity_changes, "updated_at"])
    for key, attr in _LINK_FIELDS.items():
        if key in changes:
            setattr(link, attr, changes[key])
    # Saved even without link fields: updated_at is what `updatedSince` filters on.
    save_guarding_reference(
        link.save, model=ClientLink, firm=link.firm, reference=reference, exclude_pk=link.pk
    )
    _announce(link, signals.UPDATED)
    events.client_event("client.updated", firm=link.firm, link=link)
    return link


@transaction.atomic
def client_archive(*, link: ClientLink) -> ClientLink:
    """Stop listing and billing the client; its entity and books stay."""
    link = ClientLink.objects.select_for_update().get(pk=link.pk)
    if link.archived_at is None:
        link.archived_at = timezone.now()
        link.save(update_fields=["archived_at", "updated_at"])
        invitations_revoke_pending(firm=link.firm, entity=link.client)
        _announce(link, signals.ARCHIVED)
        events.client_event("client.archived", firm=link.firm, link=link)
    return link


@transaction.atomic
def firm_default_rate_set(*, firm: Entity, rate_cents: int | None) -> FirmProfile:
    """Set the firm's default rate, no questions asked: for the platform's own set-up (seed data,
    tests). People change it through practice.services.settings, as a firm ADMIN."""
    profile, _ = FirmProfile.objects.update_or_create(
        firm=firm, defaults={"default_rate_cents": rate_cents}
    )
    return profile
