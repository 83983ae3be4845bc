"""POST/GET /api/practice/clients, PATCH/DELETE /api/practice/clients/{entityId} and the invite.
Thin: parse, scope to the firm, call a service, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import Access, firm_for_request
from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.pagination import keyset_pagination
from axiomatic.api.serializers import renamed
from axiomatic.core.errors import NotFoundError
from practice import schema_examples as examples
from practice import selectors
from practice.pricing import tier_fees_cents
from practice.serializers import (
    ClientCreateSerializer,
    ClientEnvelopeSerializer,
    ClientItemEnvelopeSerializer,
    ClientListItemSerializer,
    ClientListQuerySerializer,
    ClientUpdateSerializer,
    InvitationCreateSerializer,
    InvitationEnvelopeSerializer,
)
from practice.services import clients as client_services
from practice.services import invitations as invitation_services
from practice.views.base import FIRM_QUERY, READ, WRITE, PracticeViewSet

# The contract's names of what each endpoint passes down, and the names services and selectors take.
CLIENT_FILTERS = {"externalReference": "external_reference", "updatedSince": "updated_since"}
CLIENT_CHANGES = {
    "name": "name",
    "type": "type",
    "industry": "industry",
    "tier": "tier",
    "billingMode": "billing_mode",
    "defaultRate": "default_rate_cents",
    "externalReference": "external_reference",
}


def _client_response(link, *, status_code=status.HTTP_200_OK) -> Response:
    link = selectors.client_with_books(link_id=link.pk)
    data = ClientEnvelopeSerializer(link, context={"fees": tier_fees_cents()}).data
    return Response(data, status=status_code)


class ClientViewSet(mixins.ListModelMixin, PracticeViewSet):
    query_serializer_class = ClientListQuerySerializer
    serializer_class = ClientListItemSerializer
    pagination_class = keyset_pagination("clients", ("id",))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.client_list(
            firm=access.entity, filters=renamed(self.query, CLIENT_FILTERS)
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "fees": tier_fees_cents()}

    @extend_schema(
        operation_id="practice_clients_list",
        summary="List the firm's active client entities",
        description=(
            "Oldest first, in pages (`limit`, `cursor`). Archived clients are not listed. Each "
            "item is the client entity with the firm's link to it (tier, billing mode, monthly "
            "fee, default rate, your `externalReference`); filter by `externalReference` to find "
            "the client you created for a record of yours, or by `updatedSince` to sync changes."
        ),
        parameters=[ClientListQuerySerializer],
        examples=examples.CLIENTS_LIST,
        responses={200: ClientListItemSerializer(many=True), **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_clients_get",
        summary="One active client entity, as the list shows it",
        description=(
            "The same item as in the list. Another firm's client, an archived one and an id "
            "that names nothing are the same 404. `firmEntityId` may be left out with an API key "
            "or a session that belongs to one firm."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.CLIENTS_GET,
        responses={200: ClientItemEnvelopeSerializer, **READ},
    )
    def retrieve(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        link = self.client_link(self.caller_firm(), entity_id)
        client = ClientListItemSerializer(link, context=self.get_serializer_context()).data
        return Response({"client": client})

    @extend_schema(
        operation_id="practice_clients_create",
        summary="Create a client entity (chart and books seeded) linked to the firm",
        description=(
            "Creates the client's entity with a standard chart of accounts and its books, and "
            "links it to the firm at the tier and billing mode given. `externalReference` is "
            "unique per firm: the same reference twice is 409, so a retried create cannot make a "
            "second client (or send an `Idempotency-Key`)."
        ),
        request=ClientCreateSerializer,
        examples=examples.CLIENTS_CREATE,
        responses={201: ClientEnvelopeSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(ClientCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        link = client_services.client_create(
            firm=access.entity,
            name=data["name"],
            type=data["type"],
            industry=data["industry"],
            tier=data["tier"],
            billing_mode=data["billingMode"],
            external_reference=data["externalReference"],
            default_rate_cents=data["defaultRate"],
        )
        return _client_response(link, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_clients_update",
        summary="Change a client's name, tier, billing mode, default rate or reference",
        description=(
            "Only the keys given change; at least one besides `firmEntityId`. A new default rate "
            "applies to time logged from now on: logged time keeps its rate."
        ),
        parameters=[FIRM_QUERY],
        examples=examples.CLIENTS_UPDATE,
        request=ClientUpdateSerializer,
        responses={200: ClientEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        data = self.body(ClientUpdateSerializer)
        access = self.firm(write=True, body=data)
        link = self.client_link(access, entity_id)
        link = client_services.client_update(link=link, changes=renamed(data, CLIENT_CHANGES))
        return _client_response(link)

    @extend_schema(
        operation_id="practice_clients_archive",
        summary="Archive a client: it stops being listed and billed; its books stay",
        description=(
            "The link ends: the client leaves the lists, invoices and the program's billing, and "
            "its ids become 404 here. Its entity, books and history are kept."
        ),
        parameters=[FIRM_QUERY],
        request=None,
        responses={204: OpenApiResponse(description="Archived."), **WRITE},
    )
    def destroy(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        access = self.firm(write=True)
        link = self.client_link(access, entity_id)
        client_services.client_archive(link=link)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="practice_clients_invite",
        summary="Invite a client user by email (resends a pending invitation to the same address)",
        description=(
            "Emails a link to join the client's entity with the role given (VIEWER by default). "
            "A pending invitation to the same address is sent again rather than duplicated; "
            "sends to one address are rate-limited."
        ),
        request=InvitationCreateSerializer,
        examples=examples.CLIENTS_INVITE,
        responses={201: InvitationEnvelopeSerializer, **WRITE},
    )
    def invite(self, request, entity_id: str):
        entity_id = self.path_id(entity_id, "ent", "entityId")
        data = self.body(InvitationCreateSerializer)
        access = self._firm_reaching(entity_id, data.get("firmEntityId"))
        link = self.client_link(access, entity_id)
        invitation, _ = invitation_services.invitation_create(
            firm=access.entity,
            entity=link.client,
            email=data["email"],
            role=data["role"],
            invited_by=access.actor,
        )
        invitation.refresh_from_db()
        return Response(
            InvitationEnvelopeSerializer(invitation).data, status=status.HTTP_201_CREATED
        )

    def _firm_reaching(self, entity_id: str, firm_id: str | None) -> Access:
        """The contract's invite body has no firmEntityId: an API key names its firm; a session
        user's firm is the one of theirs that has this client (or the one they name)."""
        if firm_id is None:
            firm_id = self.request.query_params.get("firmEntityId")
        if firm_id is None and isinstance(self.request.user, ApiKeyUser):
            firm_id = self.request.user.api_key.firm.public_id
        if firm_id is None:
            firm_id = selectors.firm_of_user_reaching_client(
                user_id=self.request.user.pk, client_public_id=entity_id
            )
            if firm_id is None:
                raise NotFoundError()
        return self.firm(write=True, body={"firmEntityId": firm_id})
