"""What the clients API tests share: the contract's keys, paths, request helpers and listing."""

import datetime as dt
import re

from django.conf import settings

from axiomatic.entities.models import PartnerEnrollment
from tests.helpers import api

CLIENTS = "/api/practice/clients"
BOOKS = "/api/ledger/books"

ENTITY_KEYS = {"id", "name", "type", "industry", "currency", "createdAt", "books"}
BOOK_KEYS = {"id", "name", "basis", "isPrimary"}
LINK_KEYS = {
    "id",
    "clientTier",
    "billingMode",
    "monthlyFee",
    "monthlyFeeCents",
    "defaultRate",
    "externalReference",
    "createdAt",
    "updatedAt",
}
LIST_ITEM_KEYS = {"id", "name", "type", "industry", "createdAt", "link"}
INVITATION_KEYS = {
    "id",
    "entityId",
    "email",
    "role",
    "status",
    "expiresAt",
    "sentCount",
    "createdAt",
}
ACCEPT_LINK = re.compile(re.escape(settings.SITE_URL) + r"/invitations/accept/([A-Za-z0-9_\-]+)")


def client_url(entity_id: str) -> str:
    return f"{CLIENTS}/{entity_id}"


def invite_url(entity_id: str) -> str:
    return f"{CLIENTS}/{entity_id}/invite"


def client_body(persona, **fields) -> dict:
    return {"firmEntityId": persona.firm.public_id, "name": "Initech LLC", **fields}


def invitation_body(**fields) -> dict:
    return {"email": "dana@initech.test", **fields}


def create(persona, **fields) -> dict:
    """A client created through the API: its entity and link."""
    return api(persona).post(CLIENTS, client_body(persona, **fields))


def invite(persona, entity_id: str, **fields) -> dict:
    """An invitation sent through the API: the answer's body."""
    return api(persona).post(invite_url(entity_id), invitation_body(**fields))


def listing(persona, **params) -> dict:
    return api(persona).get(CLIENTS, {"firmEntityId": persona.firm.public_id, **params})


def listed_ids(persona, **params) -> list[str]:
    return [c["id"] for c in listing(persona, **params)["clients"]]


def suspend(persona) -> None:
    assert PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended") == 1


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
