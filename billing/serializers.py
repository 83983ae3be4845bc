"""Wire format of the billing API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import (
    BoundedDateField,
    DecimalNumberField,
    PositiveCentsField,
    PublicIdField,
    SignedCentsField,
)
from axiomatic.api.history import history_serializer
from axiomatic.api.pagination import PageSerializer
from axiomatic.api.serializers import DateRangeQueryMixin, FirmQuerySerializer
from billing.models import (
    InvoiceLineKind,
    InvoiceStatus,
    PaymentMethod,
    SyncStatus,
    invoice_number_display,
)
from practice.models import BillingMode, ClientTier

MAX_ENTRIES_PER_INVOICE = 1000
MAX_ITEMS_PER_INVOICE = 200
MAX_RECIPIENTS = 20


@extend_schema_field(OpenApiTypes.NUMBER)
class UnitsField(serializers.Field):
    """An amount in whole currency units, passed through as computed (79, not 79.0)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return value


class OverviewClientSerializer(serializers.Serializer):
    clientEntityId = serializers.CharField(source="client_entity_id")
    name = serializers.CharField()
    clientTier = serializers.ChoiceField(source="client_tier", choices=ClientTier.choices)
    billingMode = serializers.ChoiceField(source="billing_mode", choices=BillingMode.choices)
    monthlyFee = UnitsField(source="monthly_fee", help_text="Whole currency units (79).")
    monthlyFeeCents = serializers.IntegerField(source="monthly_fee_cents")
    discountedFeeCents = serializers.IntegerField(source="discounted_fee_cents")
    payer = serializers.ChoiceField(choices=["firm", "client"])


class OverviewTotalsSerializer(serializers.Serializer):
    firmPaysCents = serializers.IntegerField(source="firm_pays_cents")
    clientsPayCents = serializers.IntegerField(source="clients_pay_cents")


class OverviewChangeSerializer(serializers.Serializer):
    clientEntityId = serializers.CharField(source="client_entity_id")
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["added", "archived", "tier_changed", "mode_changed"])
    # "from"/"to" are keywords: declared through get_fields.
    effectiveDate = serializers.DateField(source="effective_date")
    proratedCents = serializers.IntegerField(
        source="prorated_cents",
        help_text="The rest of the month at the discounted fee; negative for a credit.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.CharField(source="from_value", allow_null=True)
        fields["to"] = serializers.CharField(source="to_value", allow_null=True)
        return fields


class StripeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=SyncStatus.choices)
    lastSyncedAt = serializers.DateTimeField(source="last_synced_at", allow_null=True)
    subscriptionId = serializers.CharField(source="subscription_id", allow_null=True)
    lastError = serializers.CharField(source="last_error", allow_null=True)
    paymentStatus = serializers.CharField(source="payment_status", allow_null=True)


class BillingOverviewSerializer(serializers.Serializer):
    partnerTier = serializers.CharField(source="partner_tier")
    activeClients = serializers.IntegerField(source="active_clients")
    volumeDiscount = serializers.IntegerField(source="volume_discount", help_text="Percent.")
    clients = OverviewClientSerializer(many=True)
    totals = OverviewTotalsSerializer()
    changes = OverviewChangeSerializer(many=True)
    stripe = StripeStatusSerializer()


class InvoiceAdjustmentSerializer(serializers.Serializer):
    amount = SignedCentsField(help_text="Cents: negative = write-down, positive = write-up.")
    reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=500, trim_whitespace=True
    )

    def validate(self, attrs):
        if attrs["amount"] and not attrs["reason"]:
            raise serializers.ValidationError({"reason": ["Required with a non-zero amount."]})
        return attrs


class InvoiceItemSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=500)
    amount = PositiveCentsField(help_text="Cents, greater than 0.")
    engagementId = PublicIdField(prefix="eng", required=False, allow_null=True, default=None)


class InvoiceCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")
    clientEntityId = PublicIdField(prefix="ent")
    timeEntryIds = serializers.ListField(
        child=PublicIdField(prefix="te"), max_length=MAX_ENTRIES_PER_INVOICE
    )
    items = InvoiceItemSerializer(many=True, required=False, max_length=MAX_ITEMS_PER_INVOICE)
    adjustment = InvoiceAdjustmentSerializer(required=False)
    issueDate = BoundedDateField(required=False)
    dueDate = BoundedDateField(required=False)

    def validate_timeEntryIds(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each time entry may appear once.")
        return value

    # At least one line (time or item) is the service's rule: checked after the firm and client,
    # so another firm's request is the same 404 whatever its lines.


class InvoiceLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InvoiceLineKind.choices)
    timeEntryId = serializers.CharField(
        source="time_entry.public_id", allow_null=True, default=None
    )
    engagementId = serializers.CharField(
        source="engagement.public_id", allow_null=True, default=None
    )
    date = serializers.DateField()
    description = serializers.CharField()
    hours = DecimalNumberField(allow_null=True, help_text="Null for an item.")
    rate = serializers.IntegerField(
        source="rate_cents", allow_null=True, help_text="Cents per hour; null for an item."
    )
    standardAmount = serializers.IntegerField(
        source="standard_amount_cents", help_text="Cents, before the invoice's adjustment."
    )
    amount = serializers.IntegerField(
        source="amount_cents", help_text="Cents, after the invoice's adjustment."
    )


class PaymentSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    invoiceId = serializers.CharField(source="invoice.public_id")
    amount = serializers.IntegerField(source="amount_cents", help_text="Cents.")
    date = serializers.DateField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField()
    journalEntryId = serializers.CharField(source="journal_entry.public_id")
    voided = serializers.BooleanField(source="is_voided")
    createdAt = serializers.DateTimeField(source="created_at")


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    number = serializers.CharField(source="display_number")
    clientEntityId = serializers.CharField(source="client.public_id")
    issueDate = serializers.DateField(source="issue_date")
    dueDate = serializers.DateField(source="due_date")
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    subtotal = serializers.IntegerField(
        source="subtotal_cents", help_text="Cents: time at its rate, plus items."
    )
    adjustment = serializers.IntegerField(
        source="adjustment_cents", help_text="Cents: negative = write-down; 0 when none."
    )
    adjustmentReason = serializers.SerializerMethodField()
    total = serializers.IntegerField(source="total_cents", help_text="Cents.")
    amountPaid = serializers.IntegerField(source="amount_paid_cents", help_text="Cents.")
    balanceDue = serializers.IntegerField(source="balance_due_cents", help_text="Cents.")
    sentAt = serializers.DateTimeField(source="sent_at", allow_null=True)
    payments = PaymentSerializer(many=True, source="payments.all")
    lineCount = serializers.SerializerMethodField()
    journalEntryId = serializers.CharField(
        source="journal_entry.public_id", allow_null=True, default=None
    )
    voidJournalEntryId = serializers.CharField(
        source="void_journal_entry.public_id", allow_null=True, default=None
    )
    voidedAt = serializers.DateTimeField(source="voided_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    lines = InvoiceLineSerializer(many=True, source="lines.all")

    def get_lineCount(self, invoice) -> int:
        return len(invoice.lines.all())

    def get_adjustmentReason(self, invoice) -> str | None:
        return invoice.adjustment_reason or None


class InvoiceCreatedSerializer(serializers.Serializer):
    invoice = InvoiceSerializer()
    markedEntries = serializers.IntegerField()


class InvoiceEnvelopeSerializer(serializers.Serializer):
    invoice = InvoiceSerializer()


class InvoiceListQuerySerializer(FirmQuerySerializer):
    clientEntityId = PublicIdField(prefix="ent", required=False)
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)


@extend_schema_field(OpenApiTypes.STR)
class InvoiceNumberField(serializers.Field):
    """An invoice's number as people see it (INV-000042)."""

    def to_representation(self, value):
        return invoice_number_display(value)


# An invoice's history (GET /billing/invoices/{id}/history), under the invoice's names and types.
InvoiceHistorySerializer = history_serializer(
    "Invoice",
    {
        "client": ("clientEntityId", serializers.CharField),
        "number": ("number", InvoiceNumberField),
        "issue_date": ("issueDate", serializers.DateField),
        "due_date": ("dueDate", serializers.DateField),
        "currency": ("currency", serializers.CharField),
        "status": ("status", serializers.CharField),
        "subtotal_cents": ("subtotal", serializers.IntegerField),
        "adjustment_cents": ("adjustment", serializers.IntegerField),
        "adjustment_reason": ("adjustmentReason", serializers.CharField),
        "total_cents": ("total", serializers.IntegerField),
        "amount_paid_cents": ("amountPaid", serializers.IntegerField),
        "sent_at": ("sentAt", serializers.DateTimeField),
        "journal_entry": ("journalEntryId", serializers.CharField),
        "void_journal_entry": ("voidJournalEntryId", serializers.CharField),
        "voided_at": ("voidedAt", serializers.DateTimeField),
    },
)


class InvoiceQuerySerializer(FirmQuerySerializer):
    format = serializers.ChoiceField(
        choices=["json", "pdf"], default="json", help_text="pdf: the invoice document."
    )


class InvoiceSendSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent", required=False)
    to = serializers.ListField(
        child=serializers.EmailField(max_length=254),
        required=False,
        min_length=1,
        max_length=MAX_RECIPIENTS,
        help_text="Default: the client's ADMIN users.",
    )
    message = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=5000,
        help_text="A note from the firm, put above the invoice's summary in the email.",
    )

    def validate_to(self, value):
        return list(dict.fromkeys(address.strip().lower() for address in value))


class PaymentCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent", required=False)
    amount = PositiveCentsField(help_text="Cents, greater than 0, at most the balance due.")
    date = BoundedDateField()
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    reference = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)


class PaymentWithInvoiceSerializer(serializers.Serializer):
    payment = PaymentSerializer()
    invoice = InvoiceSerializer()


class PaymentListQuerySerializer(DateRangeQueryMixin, FirmQuerySerializer):
    clientEntityId = PublicIdField(prefix="ent", required=False)


class AsOfQuerySerializer(FirmQuerySerializer):
    asOf = BoundedDateField(required=False, help_text="Default: today.")


class AgingTotalsSerializer(serializers.Serializer):
    current = serializers.IntegerField(help_text="Cents not yet past due.")
    days1To30 = serializers.IntegerField(source="days_1_to_30")
    days31To60 = serializers.IntegerField(source="days_31_to_60")
    days61To90 = serializers.IntegerField(source="days_61_to_90")
    over90 = serializers.IntegerField(source="over_90")
    total = serializers.IntegerField()


class AgingClientSerializer(AgingTotalsSerializer):
    clientEntityId = serializers.CharField(source="client_entity_id")
    name = serializers.CharField()


class ArAgingSerializer(serializers.Serializer):
    asOf = serializers.DateField(source="as_of")
    currency = serializers.CharField()
    clients = AgingClientSerializer(many=True)
    totals = AgingTotalsSerializer()


class WipTotalsSerializer(serializers.Serializer):
    entries = serializers.IntegerField()
    hours = DecimalNumberField()
    amount = serializers.IntegerField(help_text="Cents at standard value.")


class WipClientSerializer(WipTotalsSerializer):
    clientEntityId = serializers.CharField(source="client_entity_id")
    name = serializers.CharField()
    oldestDate = serializers.DateField(source="oldest_date")


class WipSerializer(serializers.Serializer):
    asOf = serializers.DateField(source="as_of")
    currency = serializers.CharField()
    clients = WipClientSerializer(many=True)
    totals = WipTotalsSerializer()


class RealizationQuerySerializer(DateRangeQueryMixin, FirmQuerySerializer):
    groupBy = serializers.ChoiceField(
        choices=["client", "user", "engagement"], required=False, default="client"
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = BoundedDateField(help_text="First issue date (ISO 8601).")
        fields["to"] = BoundedDateField(help_text="Last issue date (ISO 8601).")
        return fields


class RealizationTotalsSerializer(serializers.Serializer):
    hours = DecimalNumberField()
    standardAmount = serializers.IntegerField(source="standard_amount")
    billedAmount = serializers.IntegerField(source="billed_amount")
    collectedAmount = serializers.IntegerField(source="collected_amount")
    billingRealization = DecimalNumberField(
        source="billing_realization", allow_null=True, help_text="billed / standard, or null."
    )
    collectionRealization = DecimalNumberField(
        source="collection_realization", allow_null=True, help_text="collected / billed, or null."
    )


class RealizationRowSerializer(RealizationTotalsSerializer):
    key = serializers.CharField(
        allow_null=True, help_text="The client's, user's or engagement's id."
    )
    name = serializers.CharField(allow_null=True)


class RealizationSerializer(serializers.Serializer):
    rows = RealizationRowSerializer(many=True)
    totals = RealizationTotalsSerializer()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(source="date_from")
        fields["to"] = serializers.DateField(source="date_to")
        return fields


# A list's answer as the schema shows it (axiomatic.api.pagination.PageSerializer).
@extend_schema_serializer(many=False, component_name="PaginatedInvoiceList")
class InvoicePageSerializer(PageSerializer):
    invoices = InvoiceSerializer(many=True)


@extend_schema_serializer(many=False, component_name="PaginatedPaymentList")
class PaymentPageSerializer(PageSerializer):
    payments = PaymentSerializer(many=True)
