"""The billing API: program overview, invoices from time, invoice list, void and history."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import firm_for_request
from axiomatic.api.history import history_response
from axiomatic.api.pagination import PageParamsSerializer, keyset_pagination
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.serializers import FirmBodySerializer, FirmQuerySerializer, renamed
from axiomatic.api.views import ApiViewSet
from billing import selectors
from billing.serializers import (
    BillingOverviewSerializer,
    InvoiceCreatedSerializer,
    InvoiceCreateSerializer,
    InvoiceEnvelopeSerializer,
    InvoiceHistorySerializer,
    InvoiceListQuerySerializer,
    InvoiceSerializer,
)
from billing.services.invoices import invoice_create_from_time, invoice_void
from practice.selectors import client_link_get

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()

# The invoice list's query parameters (InvoiceListQuerySerializer) -> billing.filters.InvoiceFilter.
INVOICE_FILTERS = {"clientEntityId": "client_entity_id", "status": "status"}


class BillingOverviewViewSet(ApiViewSet):
    query_serializer_class = FirmQuerySerializer

    @extend_schema(
        operation_id="practice_billing_overview",
        summary="Partner tier, volume discount and per-client program fees",
        parameters=[FirmQuerySerializer],
        responses={200: BillingOverviewSerializer, **READ},
    )
    def retrieve(self, request):
        access = firm_for_request(request, self.query["firmEntityId"])
        overview = selectors.billing_overview(firm=access.entity)
        return Response(BillingOverviewSerializer(overview).data)


class InvoiceViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = InvoiceListQuerySerializer
    serializer_class = InvoiceSerializer
    pagination_class = keyset_pagination("invoices", ("-id",))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.invoice_list(
            firm=access.entity, filters=renamed(self.query, INVOICE_FILTERS)
        )

    @extend_schema(
        operation_id="practice_billing_invoices_list",
        summary="List the firm's AR invoices with their lines",
        parameters=[InvoiceListQuerySerializer],
        responses={200: InvoiceSerializer(many=True), **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_billing_invoice_create",
        summary="Create an AR invoice from unbilled time entries of one client",
        request=InvoiceCreateSerializer,
        responses={201: InvoiceCreatedSerializer, **WRITE},
    )
    def create(self, request):
        data = self.body(InvoiceCreateSerializer)
        access = firm_for_request(request, data["firmEntityId"], write=True)
        link = client_link_get(firm=access.entity, entity_id=data["clientEntityId"])
        created = invoice_create_from_time(
            firm=access.entity,
            link=link,
            time_entry_ids=data["timeEntryIds"],
            issue_date=data.get("issueDate"),
            due_date=data.get("dueDate"),
            created_by=access.actor,
        )
        invoice = selectors.invoice_get(firm=access.entity, public_id=created.public_id)
        body = {
            "invoice": InvoiceSerializer(invoice).data,
            "markedEntries": created.marked_entries,
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_billing_invoice_void",
        summary="Void an invoice: reverse its journal entry, return its time to unbilled",
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={200: InvoiceEnvelopeSerializer, **WRITE},
    )
    def void(self, request, invoice_id: str):
        invoice_id = self.path_id(invoice_id, "inv", "invoiceId")
        data = self.optional_body(FirmBodySerializer)
        access = self.firm(write=True, body=data)
        invoice_void(firm=access.entity, public_id=invoice_id, voided_by=access.actor)
        invoice = selectors.invoice_get(firm=access.entity, public_id=invoice_id)
        return Response({"invoice": InvoiceSerializer(invoice).data})

    @extend_schema(
        operation_id="practice_billing_invoice_history",
        summary="An invoice's change history: when, by whom, which fields from what to what",
        description="Oldest first: its creation (and posting), then a void if any.",
        parameters=[firm_query_parameter(required=True), PageParamsSerializer],
        responses={200: InvoiceHistorySerializer, **READ},
    )
    def history(self, request, invoice_id: str):
        invoice_id = self.path_id(invoice_id, "inv", "invoiceId")
        access = self.firm()
        return history_response(
            request,
            selectors.invoice_history(firm=access.entity, public_id=invoice_id),
            changes_of=selectors.invoice_changes,
            serializer_class=InvoiceHistorySerializer,
            salt="invoice-history",
        )
