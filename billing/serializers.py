"""Wire format of the billing API."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axiomatic.api.fields import BoundedDateField, DecimalNumberField, PublicIdField
from axiomatic.api.history import history_serializer
from axiomatic.api.serializers import FirmQuerySerializer
from billing.models import InvoiceStatus, SyncStatus, invoice_number_display
from practice.models import BillingMode, ClientTier

MAX_ENTRIES_PER_INVOICE = 1000


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


class InvoiceCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")
    clientEntityId = PublicIdField(prefix="ent")
    timeEntryIds = serializers.ListField(
        child=PublicIdField(prefix="te"), min_length=1, max_length=MAX_ENTRIES_PER_INVOICE
    )
    issueDate = BoundedDateField(required=False)
    dueDate = BoundedDateField(required=False)

    def validate_timeEntryIds(self, value):
        if len(set(value)) != len(value):
            raise serializers.ValidationError("Each time entry may appear once.")
        return value


class InvoiceLineSerializer(serializers.Serializer):
    timeEntryId = serializers.CharField(
        source="time_entry.public_id", allow_null=True, default=None
    )
    date = serializers.DateField()
    description = serializers.CharField()
    hours = DecimalNumberField()
    rate = serializers.IntegerField(source="rate_cents", help_text="Cents per hour.")
    amount = serializers.IntegerField(source="amount_cents", help_text="Cents.")


class InvoiceSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    number = serializers.CharField(source="display_number")
    clientEntityId = serializers.CharField(source="client.public_id")
    issueDate = serializers.DateField(source="issue_date")
    dueDate = serializers.DateField(source="due_date")
    currency = serializers.CharField()
    status = serializers.ChoiceField(choices=InvoiceStatus.choices)
    total = serializers.IntegerField(source="total_cents", help_text="Cents.")
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
        "total_cents": ("total", serializers.IntegerField),
        "journal_entry": ("journalEntryId", serializers.CharField),
        "void_journal_entry": ("voidJournalEntryId", serializers.CharField),
        "voided_at": ("voidedAt", serializers.DateTimeField),
    },
)
