"""The billing API: program overview, invoices (create, list and CSV, get, document, send, void,
history) and payments. The receivables reports are in billing.views_receivables."""

from functools import cached_property

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from axiomatic.api.access import firm_for_request
from axiomatic.api.csv_export import (
    ExportFormatSerializer,
    csv_export,
    csv_schema_response,
    export_filename,
    export_format,
)
from axiomatic.api.history import history_response
from axiomatic.api.negotiation import FormatParamNegotiation
from axiomatic.api.pagination import PageParamsSerializer, keyset_pagination
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.serializers import FirmBodySerializer, FirmQuerySerializer, renamed
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import NotFoundError
from billing import schema_examples as examples
from billing import selectors
from billing.documents import invoice_pdf, invoice_pdf_filename
from billing.serializers import (
    BillingOverviewSerializer,
    InvoiceCreatedSerializer,
    InvoiceCreateSerializer,
    InvoiceCsvRowSerializer,
    InvoiceEnvelopeSerializer,
    InvoiceHistorySerializer,
    InvoiceListQuerySerializer,
    InvoicePageSerializer,
    InvoiceQuerySerializer,
    InvoiceSendSerializer,
    InvoiceSerializer,
    PaymentCreateSerializer,
    PaymentListQuerySerializer,
    PaymentPageSerializer,
    PaymentSerializer,
    PaymentWithInvoiceSerializer,
)
from billing.services.delivery import invoice_send_request
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_void,
)
from billing.services.payments import payment_create, payment_void
from practice.selectors import client_link_get

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()

# The invoice list's order, newest first: its pages and its CSV's chunks walk the same keyset.
INVOICE_LIST_KEY = "invoices"
INVOICE_ORDERING = ("-id",)
# The invoice list's query parameters (InvoiceListQuerySerializer) -> billing.filters.InvoiceFilter.
INVOICE_FILTERS = {"clientEntityId": "client_entity_id", "status": "status"}
ADJUSTMENT_FIELDS = {"amount": "amount_cents", "reason": "reason"}
PAYMENT_FIELDS = {
    "amount": "amount_cents",
    "date": "date",
    "method": "method",
    "reference": "reference",
}
PAYMENT_FILTERS = {"clientEntityId": "client_entity_id", "from": "date_from", "to": "date_to"}


def _payment_with_invoice(firm, payment_public_id: str) -> dict:
    payment = selectors.payment_get(firm=firm, public_id=payment_public_id)
    invoice = selectors.invoice_get(firm=firm, public_id=payment.invoice.public_id)
    return {
        "payment": PaymentSerializer(payment).data,
        "invoice": InvoiceSerializer(invoice).data,
    }


class BillingOverviewViewSet(ApiViewSet):
    query_serializer_class = FirmQuerySerializer

    @extend_schema(
        operation_id="practice_billing_overview",
        summary="Partner tier, volume discount and per-client program fees",
        description=(
            "What the firm's partner program costs this month: its partner tier (set by the number"
            " of active clients) and the volume discount it gives, each active client's tier fee "
            "before and after the discount and who pays it (the firm when consolidated, the client"
            " when client_direct), this month's changes with what they prorate, and where billing "
            "stands in Stripe."
        ),
        examples=examples.OVERVIEW,
        parameters=[FirmQuerySerializer],
        responses={200: BillingOverviewSerializer, **READ},
    )
    def retrieve(self, request):
        access = firm_for_request(request, self.query["firmEntityId"])
        overview = selectors.billing_overview(firm=access.entity)
        return Response(BillingOverviewSerializer(overview).data)


class InvoiceListViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = InvoiceListQuerySerializer
    serializer_class = InvoiceSerializer
    pagination_class = keyset_pagination(INVOICE_LIST_KEY, INVOICE_ORDERING)
    # `format` picks JSON or CSV, not the Accept header (axiomatic.api.negotiation). A view of its
    # own: the invoice writes keep the default negotiation (415 for a body that is not JSON).
    content_negotiation_class = FormatParamNegotiation
    renderer_classes = [JSONRenderer]

    @cached_property
    def firm_entity(self):
        return firm_for_request(self.request, self.query["firmEntityId"]).entity

    def get_queryset(self):
        filters = renamed(self.query, INVOICE_FILTERS)
        return selectors.invoice_list(firm=self.firm_entity, filters=filters)

    @extend_schema(
        operation_id="practice_billing_invoices_list",
        summary="List the firm's AR invoices with their lines",
        description=(
            "The firm's invoices, newest first, each with its lines and payments; filter by client"
            " and status. With `format=csv`, every invoice of the filtered set as one streamed "
            "file instead of pages."
        ),
        examples=[*examples.INVOICE_LIST, *examples.INVOICE_CSV],
        parameters=[InvoiceListQuerySerializer, ExportFormatSerializer],
        responses={
            (200, "application/json"): InvoicePageSerializer,
            **csv_schema_response(
                "format=csv: every invoice of the filtered set, newest first, streamed; the "
                "header row is the JSON invoice's keys, `lines` and `payments` one cell of JSON "
                "each. limit and cursor are refused with it."
            ),
            **READ,
        },
    )
    def list(self, request, *args, **kwargs):
        if export_format(request) == "csv":
            return csv_export(
                self.get_queryset(),
                ordering=INVOICE_ORDERING,
                salt=INVOICE_LIST_KEY,
                serializer=InvoiceCsvRowSerializer(context=self.get_serializer_context()),
                filename=export_filename("invoices", self.firm_entity),
            )
        return super().list(request, *args, **kwargs)


class InvoiceViewSet(ApiViewSet):
    @extend_schema(
        operation_id="practice_billing_invoice_create",
        summary="Create an AR invoice from unbilled time entries and items of one client",
        description=(
            "Bills one client: its unbilled, billable time entries (each once) and items (fees, "
            "disbursements), with an optional write-down or write-up and its reason. Posts debit "
            "accounts receivable, credit service revenue, in the firm's books; the invoice takes "
            "the firm's next number (INV-000042, no gaps) and its entries become billed."
        ),
        examples=examples.INVOICE_CREATE,
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
            items=[
                InvoiceItem(i["description"], i["amount"], i["engagementId"])
                for i in data.get("items", [])
            ],
            adjustment=Adjustment(**renamed(data.get("adjustment", {}), ADJUSTMENT_FIELDS)),
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
        description=(
            "Reverses the invoice's journal entry (dated today), marks it void and returns its "
            "time entries to unbilled; the number stays used. An invoice with live payments is "
            "refused (409 `invoice_has_payments`: void them first), a paid one too."
        ),
        examples=examples.INVOICE_VOID,
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
        examples=examples.INVOICE_HISTORY,
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

    @extend_schema(
        operation_id="practice_billing_invoice_payment_create",
        summary="Record a payment on an invoice, posted debit cash, credit receivable",
        description=(
            "Records money received against the invoice, at most its balance due, dated on or "
            "after its issue date. Posts debit cash, credit accounts receivable; the invoice's "
            "amount paid, balance and status follow."
        ),
        examples=examples.PAYMENT_CREATE,
        parameters=[FIRM_QUERY],
        request=PaymentCreateSerializer,
        responses={201: PaymentWithInvoiceSerializer, **WRITE},
    )
    def pay(self, request, invoice_id: str):
        invoice_id = self.path_id(invoice_id, "inv", "invoiceId")
        data = self.body(PaymentCreateSerializer)
        access = self.firm(write=True, body=data)
        payment = payment_create(
            firm=access.entity,
            invoice_public_id=invoice_id,
            **renamed(data, PAYMENT_FIELDS),
            created_by=access.actor,
        )
        body = _payment_with_invoice(access.entity, payment.public_id)
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="practice_billing_invoice_send",
        summary="Email the invoice (PDF attached, with a link to the client's invoice page)",
        examples=examples.INVOICE_SEND,
        description=(
            "Accepted (202): the email goes out in the background, to `to` or else the client's "
            "ADMIN users. Once it has been handed to the mail server, the invoice's `sentAt` is "
            "set and the webhook event `invoice.sent` follows."
        ),
        parameters=[FIRM_QUERY],
        request=InvoiceSendSerializer,
        responses={202: InvoiceEnvelopeSerializer, **error_responses(400, 401, 403, 404, 409, 429)},
    )
    def send(self, request, invoice_id: str):
        invoice_id = self.path_id(invoice_id, "inv", "invoiceId")
        data = self.optional_body(InvoiceSendSerializer)
        access = self.firm(write=True, body=data)
        invoice_send_request(
            firm=access.entity,
            public_id=invoice_id,
            to=data.get("to"),
            message=data.get("message", ""),
            requested_by=access.actor,
        )
        invoice = selectors.invoice_get(firm=access.entity, public_id=invoice_id)
        return Response(
            {"invoice": InvoiceSerializer(invoice).data}, status=status.HTTP_202_ACCEPTED
        )


class InvoiceDetailViewSet(ApiViewSet):
    """One invoice: JSON, or its document with `format=pdf`."""

    query_serializer_class = InvoiceQuerySerializer
    content_negotiation_class = FormatParamNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="practice_billing_invoice_get",
        summary="One invoice, or its PDF document (format=pdf)",
        description=(
            "The invoice as the list shows it (`format=json`, the default), or its PDF document "
            "with `format=pdf`. Another firm's invoice is the same 404 as an unknown one."
        ),
        examples=examples.INVOICE_GET,
        parameters=[InvoiceQuerySerializer],
        responses={
            (200, "application/json"): InvoiceEnvelopeSerializer,
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="format=pdf: firm, client, number, dates, lines, adjustment, "
                "total, payments and balance due.",
            ),
            **READ,
        },
    )
    def retrieve(self, request, invoice_id: str):
        invoice_id = self.path_id(invoice_id, "inv", "invoiceId")
        access = firm_for_request(request, self.query["firmEntityId"])
        invoice = selectors.invoice_find(firm=access.entity, public_id=invoice_id)
        if invoice is None:
            raise NotFoundError()
        if self.query["format"] == "pdf":
            response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{invoice_pdf_filename(invoice)}"'
            response["Cache-Control"] = "no-store"
            return response
        return Response({"invoice": InvoiceSerializer(invoice).data})


class PaymentViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = PaymentListQuerySerializer
    serializer_class = PaymentSerializer
    pagination_class = keyset_pagination("payments", ("-id",))

    def get_queryset(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return selectors.payment_list(
            firm=access.entity, filters=renamed(self.query, PAYMENT_FILTERS)
        )

    @extend_schema(
        operation_id="practice_billing_payments_list",
        summary="List the firm's invoice payments, voided ones included",
        description=(
            "The firm's payments, newest first, voided ones included; filter by client and by a "
            "`from`..`to` range of payment dates."
        ),
        examples=examples.PAYMENT_LIST,
        parameters=[PaymentListQuerySerializer],
        responses={200: PaymentPageSerializer, **READ},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="practice_billing_payment_void",
        summary="Void a payment: reverse its journal entry; the invoice's balance and status follow",
        description=(
            "Reverses the payment's journal entry and gives its amount back to the invoice's "
            "balance; the payment stays listed, marked voided."
        ),
        examples=examples.PAYMENT_VOID,
        parameters=[FIRM_QUERY],
        request=FirmBodySerializer,
        responses={200: PaymentWithInvoiceSerializer, **WRITE},
    )
    def void(self, request, payment_id: str):
        payment_id = self.path_id(payment_id, "pay", "paymentId")
        data = self.optional_body(FirmBodySerializer)
        access = self.firm(write=True, body=data)
        payment_void(firm=access.entity, public_id=payment_id, voided_by=access.actor)
        return Response(_payment_with_invoice(access.entity, payment_id))
