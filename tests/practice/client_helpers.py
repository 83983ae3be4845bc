"""What the clients API tests share: the contract's keys, paths, request helpers and listing."""

import datetime as dt
import json
import re

from django.conf import settings

from axiomatic.entities.models import PartnerEnrollment

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


def send(client, method: str, path: str, body=None, **params):
    """A JSON request; `params` go in the query string."""
    if params:
        path = f"{path}?" + "&".join(f"{k}={v}" for k, v in params.items())
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(path, data=data, content_type="application/json")


def create(persona, **fields):
    body = {"firmEntityId": persona.firm.public_id, "name": "Initech LLC", **fields}
    return send(persona.client, "post", CLIENTS, body)


def patch(persona, entity_id: str, body: dict, firm_id: str | None = None):
    firm_id = persona.firm.public_id if firm_id is None else firm_id
    return send(persona.client, "patch", client_url(entity_id), body, firmEntityId=firm_id)


def delete(persona, entity_id: str, firm_id: str | None = None):
    firm_id = persona.firm.public_id if firm_id is None else firm_id
    return persona.client.delete(f"{client_url(entity_id)}?firmEntityId={firm_id}")


def invite(persona, entity_id: str, **body):
    body.setdefault("email", "dana@initech.test")
    return send(persona.client, "post", invite_url(entity_id), body)


def listing(persona, **params) -> dict:
    response = persona.client.get(CLIENTS, {"firmEntityId": persona.firm.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def listed_ids(persona, **params) -> list[str]:
    return [c["id"] for c in listing(persona, **params)["clients"]]


def suspend(persona) -> None:
    assert PartnerEnrollment.objects.filter(firm=persona.firm).update(status="suspended") == 1


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
