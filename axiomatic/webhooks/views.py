"""POST/GET /api/practice/webhooks, PATCH/DELETE /api/practice/webhooks/{id}, and the endpoint's
rotate-secret, test and deliveries. Thin: parse, scope to the firm, call a service, serialize."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import Access, firm_for_request
from axiomatic.api.pagination import keyset_pagination
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.serializers import FirmBodySerializer
from axiomatic.api.views import ApiViewSet
from axiomatic.webhooks import schema_examples as examples
from axiomatic.webhooks import selectors, services
from axiomatic.webhooks.serializers import (
    DeliveryEnvelopeSerializer,
    DeliveryPageSerializer,
    DeliverySerializer,
    WebhookCreateSerializer,
    WebhookEnvelopeSerializer,
    WebhookListQuerySerializer,
    WebhookPageSerializer,
    WebhookSerializer,
    WebhookUpdateSerializer,
    WebhookWithSecretSerializer,
)

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()
FIRM_QUERY_REQUIRED = firm_query_parameter(required=True)


def represent(endpoint) -> dict:
    return WebhookSerializer(endpoint).data


def _issued(issued: services.IssuedSecret) -> dict:
    return {
        "id": issued.endpoint.public_id,
        "secret": issued.secret,
        "webhook": represent(issued.endpoint),
    }


class WebhookViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = WebhookListQuerySerializer
    serializer_class = WebhookSerializer
    pagination_class = keyset_pagination("webhooks", ("id",))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.endpoint_list(firm=access.entity)

    def _endpoint(self, webhook_id: str, *, write: bool, body: dict | None = None):
        webhook_id = self.path_id(webhook_id, "wh", "webhookId")
        access: Access = self.firm(write=write, body=body)
        return access, selectors.endpoint_get(firm=access.entity, public_id=webhook_id)

    @extend_schema(
        operation_id="practice_webhooks_list",
        summary="List the firm's webhook endpoints",
        description=(
            "The firm's webhook endpoints, oldest first, enabled or not. Secrets are never listed:"
            " each is shown once, when it is issued."
        ),
        examples=examples.LIST,
        parameters=[WebhookListQuerySerializer],
        responses={200: WebhookPageSerializer, **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_webhooks_get",
        summary="One webhook endpoint (never its secret)",
        description=(
            "The endpoint as the list shows it: its URL, events, whether it is enabled (and why "
            "not), and when a rotated secret stops signing. Never the secret itself. Another "
            "firm's endpoint is the same 404 as an unknown one."
        ),
        examples=examples.GET,
        parameters=[FIRM_QUERY_REQUIRED],
        responses={200: WebhookEnvelopeSerializer, **READ},
    )
    def retrieve(self, request, webhook_id: str):
        _, endpoint = self._endpoint(webhook_id, write=False)
        return Response({"webhook": represent(endpoint)})

    @extend_schema(
        operation_id="practice_webhooks_create",
        summary="Register a webhook endpoint; the signing secret is shown once",
        description=(
            'Registers an https receiver for the given event types (`["*"]` for all). The answer '
            "carries the signing secret (`whsec_...`) once: deliveries are signed with it "
            "(`Axiomatic-Signature`, and the Standard Webhooks headers)."
        ),
        examples=examples.CREATE,
        request=WebhookCreateSerializer,
        responses={201: WebhookWithSecretSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(WebhookCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        issued = services.endpoint_create(
            firm=access.entity,
            url=data["url"],
            event_types=data["events"],
            description=data["description"],
            created_by=access.actor,
        )
        return Response(_issued(issued), status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_webhooks_update",
        summary="Change an endpoint's URL, events or description, or enable/disable it",
        description=(
            "Any of `url`, `events`, `description`, `enabled`. Disabling stops new deliveries; "
            "enabling it again resumes them."
        ),
        examples=examples.UPDATE,
        parameters=[FIRM_QUERY],
        request=WebhookUpdateSerializer,
        responses={200: WebhookEnvelopeSerializer, **WRITE},
    )
    def partial_update(self, request, webhook_id: str):
        data = self.body(WebhookUpdateSerializer)
        _, endpoint = self._endpoint(webhook_id, write=True, body=data)
        changes = {k: v for k, v in data.items() if k != "firmEntityId"}
        endpoint = services.endpoint_update(endpoint=endpoint, changes=changes)
        return Response({"webhook": represent(endpoint)})

    @extend_schema(
        operation_id="practice_webhooks_delete",
        summary="Delete an endpoint and its delivery history",
        description=(
            "Removes the endpoint and its delivery history; events already recorded are not "
            "delivered to it any more."
        ),
        parameters=[FIRM_QUERY],
        request=None,
        responses={204: OpenApiResponse(description="Deleted."), **WRITE},
    )
    def destroy(self, request, webhook_id: str):
        _, endpoint = self._endpoint(webhook_id, write=True)
        services.endpoint_delete(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        operation_id="practice_webhooks_rotate_secret",
        summary="Issue a new signing secret; the old one also signs for 24 hours",
        description=(
            "Issues a new signing secret, shown once in the answer. For the next 24 hours "
            "deliveries carry signatures of both, so a receiver can switch without missing one."
        ),
        examples=examples.ROTATE,
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={200: WebhookWithSecretSerializer, **WRITE},
    )
    def rotate_secret(self, request, webhook_id: str):
        _, endpoint = self._endpoint(
            webhook_id, write=True, body=self.optional_body(FirmBodySerializer)
        )
        issued = services.endpoint_rotate_secret(endpoint=endpoint)
        return Response(_issued(issued))

    @extend_schema(
        operation_id="practice_webhooks_test",
        summary="Send a ping event to this endpoint",
        description=(
            "Queues a `ping` event to this endpoint only; its delivery (202) is then followed like"
            " any other in the deliveries list."
        ),
        examples=examples.TEST,
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={202: DeliveryEnvelopeSerializer, **WRITE},
    )
    def send_test(self, request, webhook_id: str):
        _, endpoint = self._endpoint(
            webhook_id, write=True, body=self.optional_body(FirmBodySerializer)
        )
        delivery = services.endpoint_send_test(endpoint=endpoint)
        return Response(
            {"delivery": DeliverySerializer(delivery).data}, status=status.HTTP_202_ACCEPTED
        )


class DeliveryViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = DeliverySerializer
    pagination_class = keyset_pagination("deliveries", ("-id",))

    def get_queryset(self):
        webhook_id = self.path_id(self.kwargs["webhook_id"], "wh", "webhookId")
        access = self.firm()
        endpoint = selectors.endpoint_get(firm=access.entity, public_id=webhook_id)
        return selectors.delivery_list(endpoint=endpoint)

    @extend_schema(
        operation_id="practice_webhooks_deliveries",
        summary="An endpoint's deliveries, newest first: status code, duration, attempt, next retry",
        description=(
            "Each delivery of an event to this endpoint: its status (pending, succeeded, failed), "
            "the attempts made, the last status code and duration, the next retry, and the first 1"
            " KB of the receiver's answer."
        ),
        examples=examples.DELIVERIES,
        parameters=[FIRM_QUERY_REQUIRED],
        responses={200: DeliveryPageSerializer, **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
