"""Wire format of the practice API: the contract's camelCase keys, public ids, cents."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import (
    BoundedDateField,
    CentsField,
    DecimalNumberField,
    HoursField,
    PublicIdField,
    QueryBooleanField,
    StrictBooleanField,
    StrictCharField,
)
from axiomatic.api.history import history_serializer
from axiomatic.api.serializers import DateRangeQueryMixin, FirmPatchSerializer, FirmQuerySerializer
from axiomatic.entities.models import EntityType, Role
from axiomatic.ledger.serializers import BookSerializer
from practice.models import (
    BillingMode,
    BillingStatus,
    ClientTier,
    EngagementStatus,
    EngagementType,
    RateSource,
    Recurrence,
)
from practice.pricing import fee_fields


def _reference_field(**kwargs):
    return StrictCharField(
        max_length=100,
        allow_null=True,
        allow_blank=False,
        help_text="The integration's own id for this object, unique per firm.",
        **kwargs,
    )


# --- Clients ------------------------------------------------------------------------------------


class ClientLinkSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    clientTier = serializers.ChoiceField(source="client_tier", choices=ClientTier.choices)
    billingMode = serializers.ChoiceField(source="billing_mode", choices=BillingMode.choices)
    monthlyFee = serializers.SerializerMethodField(help_text="Whole currency units (79).")
    monthlyFeeCents = serializers.SerializerMethodField()
    defaultRate = serializers.IntegerField(
        source="default_rate_cents", allow_null=True, help_text="Cents per hour."
    )
    externalReference = serializers.CharField(source="external_reference", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    def _fees(self, link) -> dict:
        return fee_fields(link.client_tier, self.context.get("fees"))

    def get_monthlyFee(self, link) -> float:
        return self._fees(link)["monthlyFee"]

    def get_monthlyFeeCents(self, link) -> int:
        return self._fees(link)["monthlyFeeCents"]


class ClientEntitySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=EntityType.choices)
    industry = serializers.CharField()
    currency = serializers.CharField()
    createdAt = serializers.DateTimeField(source="created_at")
    books = BookSerializer(many=True, source="books.all")


class ClientEnvelopeSerializer(serializers.Serializer):
    entity = ClientEntitySerializer(source="client")
    link = ClientLinkSerializer(source="*")


class ClientListItemSerializer(serializers.Serializer):
    id = serializers.CharField(source="client.public_id")
    name = serializers.CharField(source="client.name")
    type = serializers.ChoiceField(source="client.type", choices=EntityType.choices)
    industry = serializers.CharField(source="client.industry")
    createdAt = serializers.DateTimeField(source="client.created_at")
    link = ClientLinkSerializer(source="*")


class ClientListQuerySerializer(FirmQuerySerializer):
    externalReference = serializers.CharField(required=False, max_length=100)
    updatedSince = serializers.DateTimeField(required=False)


class ClientCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")
    name = StrictCharField(single_line=True, max_length=200)
    type = serializers.ChoiceField(choices=EntityType.choices, default=EntityType.OTHER)
    industry = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    tier = serializers.ChoiceField(choices=ClientTier.choices, default=ClientTier.STARTER)
    billingMode = serializers.ChoiceField(
        choices=BillingMode.choices, default=BillingMode.CONSOLIDATED
    )
    defaultRate = CentsField(required=False, allow_null=True, default=None)
    externalReference = _reference_field(required=False, default=None)


class ClientUpdateSerializer(FirmPatchSerializer):
    name = StrictCharField(single_line=True, max_length=200, required=False)
    type = serializers.ChoiceField(choices=EntityType.choices, required=False)
    industry = StrictCharField(max_length=100, required=False, allow_blank=True)
    tier = serializers.ChoiceField(choices=ClientTier.choices, required=False)
    billingMode = serializers.ChoiceField(choices=BillingMode.choices, required=False)
    defaultRate = CentsField(required=False, allow_null=True)
    externalReference = _reference_field(required=False)


# --- Invitations ----------------------------------------------------------------------------------


class InvitationCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(
        prefix="ent",
        required=False,
        help_text="Needed only when a session user belongs to several firms.",
    )
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices, default=Role.VIEWER)

    def to_internal_value(self, data):
        if isinstance(data, dict) and "email" in data and not isinstance(data["email"], str):
            raise serializers.ValidationError({"email": ["Must be a string."]})
        return super().to_internal_value(data)


class InvitationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    entityId = serializers.CharField(source="entity.public_id")
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)
    status = serializers.CharField()
    expiresAt = serializers.DateTimeField(source="expires_at")
    sentCount = serializers.IntegerField(source="sent_count")
    createdAt = serializers.DateTimeField(source="created_at")


class InvitationEnvelopeSerializer(serializers.Serializer):
    invitation = InvitationSerializer(source="*")


# --- Time ------------------------------------------------------------------------------------------


class InvoiceRefSerializer(serializers.Serializer):
    id = serializers.CharField(source="invoice_public_id")
    number = serializers.CharField(source="invoice_number", allow_null=True)


class TimeEntrySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    entityId = serializers.CharField(source="client.public_id")
    engagementId = serializers.CharField(
        source="engagement.public_id", allow_null=True, default=None
    )
    taskId = serializers.CharField(source="task.public_id", allow_null=True, default=None)
    userId = serializers.CharField(source="user.public_id", allow_null=True, default=None)
    date = serializers.DateField()
    hours = DecimalNumberField()
    description = serializers.CharField()
    billable = serializers.BooleanField()
    rate = serializers.IntegerField(
        source="rate_cents", allow_null=True, help_text="Cents per hour."
    )
    rateSource = serializers.ChoiceField(source="rate_source", choices=RateSource.choices)
    amount = serializers.IntegerField(
        source="amount_cents", allow_null=True, help_text="Cents: hours x rate, rounded half-up."
    )
    billingStatus = serializers.ChoiceField(source="billing_status", choices=BillingStatus.choices)
    invoiced = serializers.BooleanField(source="is_invoiced")
    invoiceId = serializers.CharField(source="invoice_public_id", allow_null=True)
    invoice = serializers.SerializerMethodField()
    isLocked = serializers.BooleanField(source="is_invoiced")
    lockedReason = serializers.SerializerMethodField()
    externalReference = serializers.CharField(source="external_reference", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")

    def get_invoice(self, entry) -> InvoiceRefSerializer(allow_null=True):  # type: ignore[valid-type]
        return InvoiceRefSerializer(entry).data if entry.is_invoiced else None

    def get_lockedReason(self, entry) -> str | None:
        return "invoiced" if entry.is_invoiced else None


class TimeEntryEnvelopeSerializer(serializers.Serializer):
    entry = TimeEntrySerializer(source="*")


class TimeListQuerySerializer(DateRangeQueryMixin, FirmQuerySerializer):
    clientEntityId = PublicIdField(prefix="ent", required=False)
    unbilledOnly = QueryBooleanField(required=False)
    engagementId = PublicIdField(prefix="eng", required=False)
    userId = PublicIdField(prefix="usr", required=False)
    billable = QueryBooleanField(required=False)
    updatedSince = serializers.DateTimeField(required=False)


# One object (entries, totals, page) answers the list action, not an array of them.
@extend_schema_serializer(many=False)
class TimeListSerializer(serializers.Serializer):
    entries = TimeEntrySerializer(many=True)
    totalHours = DecimalNumberField()
    billableHours = DecimalNumberField()
    hasMore = serializers.BooleanField()
    nextCursor = serializers.CharField(allow_null=True)


class _TimeFields(serializers.Serializer):
    description = StrictCharField(max_length=5000, required=False, allow_blank=True)
    billable = StrictBooleanField(required=False)
    rate = CentsField(required=False, allow_null=True, help_text="Hourly rate in cents.")
    engagementId = PublicIdField(prefix="eng", required=False, allow_null=True)
    taskId = PublicIdField(prefix="task", required=False, allow_null=True)
    userId = PublicIdField(prefix="usr", required=False, allow_null=True)
    externalReference = _reference_field(required=False)


class TimeCreateSerializer(_TimeFields):
    firmEntityId = PublicIdField(prefix="ent")
    entityId = PublicIdField(prefix="ent")
    date = BoundedDateField()
    hours = HoursField()


class TimeUpdateSerializer(FirmPatchSerializer, _TimeFields):
    entityId = PublicIdField(prefix="ent", required=False)
    date = BoundedDateField(required=False)
    hours = HoursField(required=False)


class TimeDeleteQuerySerializer(FirmQuerySerializer):
    timeEntryId = PublicIdField(prefix="te")


# --- Engagements -------------------------------------------------------------------------------


class TaskSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    title = serializers.CharField()
    position = serializers.IntegerField()
    dueDate = serializers.DateField(source="due_date", allow_null=True)
    assigneeUserId = serializers.CharField(
        source="assignee.public_id", allow_null=True, default=None
    )
    completed = serializers.BooleanField(source="is_completed")
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)


class EngagementSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    entityId = serializers.CharField(source="client.public_id")
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=EngagementType.choices)
    status = serializers.ChoiceField(choices=EngagementStatus.choices)
    recurrence = serializers.ChoiceField(choices=Recurrence.choices, allow_null=True)
    periodKey = serializers.CharField(source="period_key", allow_null=True)
    startDate = serializers.DateField(source="start_date")
    dueDate = serializers.DateField(source="due_date", allow_null=True)
    assigneeUserId = serializers.CharField(
        source="assignee.public_id", allow_null=True, default=None
    )
    notes = serializers.CharField()
    completedAt = serializers.DateTimeField(source="completed_at", allow_null=True)
    createdAt = serializers.DateTimeField(source="created_at")
    updatedAt = serializers.DateTimeField(source="updated_at")
    tasks = TaskSerializer(many=True, source="tasks.all")


class EngagementEnvelopeSerializer(serializers.Serializer):
    engagement = EngagementSerializer(source="*")


class EngagementListQuerySerializer(FirmQuerySerializer):
    clientEntityId = PublicIdField(prefix="ent", required=False)
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)
    assigneeUserId = PublicIdField(prefix="usr", required=False)
    updatedSince = serializers.DateTimeField(required=False)


class EngagementCreateSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")
    entityId = PublicIdField(prefix="ent")
    name = StrictCharField(single_line=True, max_length=200)
    startDate = BoundedDateField()
    type = serializers.ChoiceField(choices=EngagementType.choices, default=EngagementType.OTHER)
    recurrence = serializers.ChoiceField(
        choices=Recurrence.choices, allow_null=True, required=False, default=None
    )
    notes = StrictCharField(max_length=10000, required=False, allow_blank=True, default="")
    dueDate = BoundedDateField(required=False, allow_null=True, default=None)
    assigneeUserId = PublicIdField(prefix="usr", required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if attrs.get("dueDate") and attrs["dueDate"] < attrs["startDate"]:
            raise serializers.ValidationError({"dueDate": ["Must not be before startDate."]})
        return attrs


class EngagementPatchSerializer(serializers.Serializer):
    """The contract's one PATCH for two operations: complete a task, or set a status."""

    firmEntityId = PublicIdField(prefix="ent")
    taskId = PublicIdField(prefix="task", required=False)
    engagementId = PublicIdField(prefix="eng", required=False)
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)

    def validate(self, attrs):
        has_task, has_engagement = "taskId" in attrs, "engagementId" in attrs
        if has_task == has_engagement:
            raise serializers.ValidationError(
                "Give either taskId (to complete a task) or engagementId with status, not both."
            )
        if has_engagement and "status" not in attrs:
            raise serializers.ValidationError({"status": ["Required with engagementId."]})
        if has_task and "status" in attrs:
            raise serializers.ValidationError({"status": ["Not allowed with taskId."]})
        return attrs


class EngagementUpdateSerializer(FirmPatchSerializer):
    name = StrictCharField(single_line=True, max_length=200, required=False)
    dueDate = BoundedDateField(required=False, allow_null=True)
    assigneeUserId = PublicIdField(prefix="usr", required=False, allow_null=True)
    notes = StrictCharField(max_length=10000, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=EngagementStatus.choices, required=False)


# A time entry's history (GET /time/{id}/history): its fields under the entry's names and types.
TimeEntryHistorySerializer = history_serializer(
    "TimeEntry",
    {
        "client": ("entityId", serializers.CharField),
        "engagement": ("engagementId", serializers.CharField),
        "task": ("taskId", serializers.CharField),
        "user": ("userId", serializers.CharField),
        "date": ("date", serializers.DateField),
        "hours": ("hours", DecimalNumberField),
        "description": ("description", serializers.CharField),
        "billable": ("billable", serializers.BooleanField),
        "rate_cents": ("rate", serializers.IntegerField),
        "rate_source": ("rateSource", serializers.CharField),
        "amount_cents": ("amount", serializers.IntegerField),
        "external_reference": ("externalReference", serializers.CharField),
        "billing_status": ("billingStatus", serializers.CharField),
        "invoice_public_id": ("invoiceId", serializers.CharField),
        "invoice_number": ("invoiceNumber", serializers.CharField),
        "billed_at": ("billedAt", serializers.DateTimeField),
    },
)


# --- Time approvals (POST /time/approve, /time/unapprove; docs/adr/0025) -----------------------

# As many entries as one page of the time list holds at most, so a caller can approve a page.
MAX_APPROVAL_ENTRIES = 2000


class TimeApprovalSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(
        prefix="ent",
        required=False,
        help_text="The firm; may be left out with an API key (the key's firm).",
    )
    timeEntryIds = serializers.ListField(
        child=PublicIdField(prefix="te"),
        allow_empty=False,
        min_length=1,  # allow_empty alone would not show in the schema (minItems)
        max_length=MAX_APPROVAL_ENTRIES,
        help_text="The firm's time entries; a repeated id counts once.",
    )


class TimeApprovedSerializer(serializers.Serializer):
    approved = serializers.IntegerField(
        help_text="How many entries this call approved (already approved ones are not counted)."
    )


class TimeUnapprovedSerializer(serializers.Serializer):
    unapproved = serializers.IntegerField(
        help_text="How many entries this call returned to open (open ones are not counted)."
    )
