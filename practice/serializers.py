"""Wire format of the practice API: the contract's camelCase keys, public ids, cents."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import (
    BoundedDateField,
    CentsField,
    DecimalNumberField,
    HoursField,
    PositiveCentsField,
    PublicIdField,
    QueryBooleanField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from axiomatic.api.history import history_serializer
from axiomatic.api.serializers import (
    DateRangeQueryMixin,
    FirmBodySerializer,
    FirmPatchSerializer,
    FirmQuerySerializer,
)
from axiomatic.entities.models import EntityType, Role
from axiomatic.ledger.serializers import BookSerializer
from practice import selectors
from practice.models import (
    ApprovalStatus,
    BillingMethod,
    BillingMode,
    BillingStatus,
    ClientTier,
    EngagementStatus,
    EngagementType,
    RateSource,
    Recurrence,
    RoundingMinutes,
    RoundingMode,
    TimerStatus,
)
from practice.pricing import fee_fields
from practice.selectors import engagement_budget_used


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


class ClientItemEnvelopeSerializer(serializers.Serializer):
    client = ClientListItemSerializer(source="*")


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
    approvalStatus = serializers.ChoiceField(
        source="approval_status", choices=ApprovalStatus.choices
    )
    approvedAt = serializers.DateTimeField(source="approved_at", allow_null=True)
    approvedBy = serializers.CharField(
        source="approved_by.public_id",
        allow_null=True,
        default=None,
        help_text="The user who approved the entry; null while it is open.",
    )
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


@extend_schema_field(
    {
        "type": "number",
        "format": "decimal",
        "minimum": 0.01,
        "maximum": 999999.99,
        "multipleOf": 0.01,
        "nullable": True,
    }
)
class BudgetHoursField(serializers.Field):
    """An engagement's hours budget: a JSON number with at most two decimal places, greater than 0
    and at most 999,999.99 (what its column holds)."""

    MAX = Decimal("999999.99")
    default_error_messages = {
        "invalid": "Must be a number.",
        "places": "Must have at most two decimal places.",
        "range": "Must be greater than 0 and at most 999999.99.",
    }

    def to_internal_value(self, data):
        if type(data) not in (int, float):
            self.fail("invalid")
        value = Decimal(repr(data)) if isinstance(data, float) else Decimal(data)
        if not value.is_finite():
            self.fail("invalid")
        if not (0 < value <= self.MAX):
            self.fail("range")  # first: a far larger number cannot be quantized
        if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
            self.fail("places")
        return value.quantize(Decimal("0.01"))

    def to_representation(self, value):
        return float(value)


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
    # Economics (docs/adr/0026). The actuals come from selectors.engagements_with_actuals.
    billingMethod = serializers.ChoiceField(source="billing_method", choices=BillingMethod.choices)
    rate = serializers.IntegerField(
        source="rate_cents", allow_null=True, help_text="Cents per hour for time on it."
    )
    fee = serializers.IntegerField(
        source="fee_cents", allow_null=True, help_text="Cents; set exactly when fixed_fee."
    )
    budgetHours = DecimalNumberField(source="budget_hours", allow_null=True)
    budgetAmount = serializers.IntegerField(
        source="budget_amount_cents", allow_null=True, help_text="Cents."
    )
    actualHours = DecimalNumberField(
        source="actual_hours", help_text="Hours of all its time, billable or not."
    )
    actualAmount = serializers.IntegerField(
        source="actual_amount_cents",
        help_text="Cents: the standard value of all its time (each entry's amount; none without "
        "a rate).",
    )
    budgetUsed = serializers.SerializerMethodField(
        help_text="actualAmount / budgetAmount, else actualHours / budgetHours, to four places; "
        "null without a budget."
    )

    def get_budgetUsed(self, engagement) -> float | None:
        used = engagement_budget_used(engagement)
        return None if used is None else float(used)


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
    billingMethod = serializers.ChoiceField(
        choices=BillingMethod.choices, default=BillingMethod.HOURLY
    )
    rate = CentsField(required=False, allow_null=True, default=None, help_text="Cents per hour.")
    fee = PositiveCentsField(
        required=False, allow_null=True, default=None, help_text="Cents; required for fixed_fee."
    )
    budgetHours = BudgetHoursField(required=False, allow_null=True, default=None)
    budgetAmount = PositiveCentsField(
        required=False, allow_null=True, default=None, help_text="Cents."
    )

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
    billingMethod = serializers.ChoiceField(
        choices=BillingMethod.choices,
        required=False,
        help_text="Leaving fixed_fee clears the fee.",
    )
    rate = CentsField(required=False, allow_null=True, help_text="Cents per hour.")
    fee = PositiveCentsField(required=False, allow_null=True, help_text="Cents; fixed_fee only.")
    budgetHours = BudgetHoursField(required=False, allow_null=True)
    budgetAmount = PositiveCentsField(required=False, allow_null=True, help_text="Cents.")


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
        "approval_status": ("approvalStatus", serializers.CharField),
        "approved_at": ("approvedAt", serializers.DateTimeField),
        "approved_by": ("approvedBy", serializers.CharField),
    },
)


# --- Staff and their rates ----------------------------------------------------------------------


class StaffRateSerializer(serializers.Serializer):
    rate = serializers.IntegerField(source="rate_cents", help_text="Cents per hour.")
    effectiveFrom = serializers.DateField(
        source="effective_from", help_text="In effect from this day until the next rate's."
    )


class StaffMemberSerializer(serializers.Serializer):
    userId = serializers.CharField(source="user.public_id")
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.full_name")
    role = serializers.ChoiceField(choices=Role.choices, help_text="Their role in the firm.")
    rate = serializers.IntegerField(
        source="rate_cents", allow_null=True, help_text="Cents per hour in effect today, or null."
    )
    rates = StaffRateSerializer(many=True, help_text="Every rate, oldest first.")


@extend_schema_serializer(many=False)
class StaffListSerializer(serializers.Serializer):
    staff = StaffMemberSerializer(many=True)
    hasMore = serializers.BooleanField()
    nextCursor = serializers.CharField(allow_null=True)


class StaffMemberEnvelopeSerializer(serializers.Serializer):
    staffMember = StaffMemberSerializer(source="*")


class StaffRateCreateSerializer(FirmBodySerializer):
    rate = CentsField(help_text="Cents per hour.")
    effectiveFrom = BoundedDateField(help_text="The first day the rate applies.")


# --- Practice settings ----------------------------------------------------------------------------


class _KnownKeysOnly:
    """Mixed into an input serializer: a key it does not know is a 400 naming it, not ignored
    (a misspelt setting must not look saved)."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(str(key) for key in data if key not in self.fields)
            if unknown:
                raise serializers.ValidationError({key: ["Unknown field."] for key in unknown})
        return super().to_internal_value(data)


class _RoundingMinutesField(serializers.ChoiceField):
    """0, 6, 10, 15 or 30 as a JSON integer (not "15", 15.0 or true)."""

    def __init__(self, **kwargs):
        super().__init__(choices=RoundingMinutes.choices, **kwargs)

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class TimeRoundingSerializer(serializers.Serializer):
    minutes = serializers.IntegerField(
        source="time_rounding_minutes", help_text="0 (no rounding), 6, 10, 15 or 30."
    )
    mode = serializers.ChoiceField(source="time_rounding_mode", choices=RoundingMode.choices)


class FirmSettingsSerializer(serializers.Serializer):
    requireApproval = serializers.BooleanField(
        source="require_approval", help_text="Time must be approved before it is invoiced."
    )
    timeLockDate = serializers.DateField(
        source="time_lock_date",
        allow_null=True,
        help_text="Time dated on or before this day cannot be logged, changed or deleted.",
    )
    timeRounding = TimeRoundingSerializer(
        source="*", help_text="Invoices bill each entry's hours rounded to this step."
    )
    defaultRate = serializers.IntegerField(
        source="default_rate_cents",
        allow_null=True,
        help_text="Cents per hour: the rate of time that no engagement, client or staff rate sets.",
    )
    paymentTermsDays = serializers.IntegerField(
        source="payment_terms_days", help_text="An invoice is due this many days after issue."
    )


class FirmSettingsEnvelopeSerializer(serializers.Serializer):
    settings = FirmSettingsSerializer(source="*")


class TimeRoundingInputSerializer(_KnownKeysOnly, serializers.Serializer):
    minutes = _RoundingMinutesField()
    mode = serializers.ChoiceField(choices=RoundingMode.choices)


class FirmSettingsPatchSerializer(_KnownKeysOnly, FirmPatchSerializer):
    requireApproval = StrictBooleanField(required=False)
    timeLockDate = BoundedDateField(required=False, allow_null=True)
    timeRounding = TimeRoundingInputSerializer(
        required=False, help_text="Both minutes and mode, together."
    )
    defaultRate = CentsField(required=False, allow_null=True, help_text="Cents per hour.")
    paymentTermsDays = StrictIntegerField(required=False, min_value=0, max_value=365)


# --- Timers ------------------------------------------------------------------------------------


class TimerSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    userId = serializers.CharField(source="user.public_id")
    entityId = serializers.CharField(source="client.public_id")
    engagementId = serializers.CharField(
        source="engagement.public_id", allow_null=True, default=None
    )
    taskId = serializers.CharField(source="task.public_id", allow_null=True, default=None)
    description = serializers.CharField()
    billable = serializers.BooleanField(
        allow_null=True, help_text="Null: the entry takes its engagement's default."
    )
    status = serializers.ChoiceField(choices=TimerStatus.choices)
    startedAt = serializers.DateTimeField(source="started_at")
    stoppedAt = serializers.DateTimeField(source="stopped_at", allow_null=True)
    elapsedSeconds = serializers.SerializerMethodField(
        help_text="Whole seconds run: until now while running, else until stopped."
    )
    timeEntryId = serializers.CharField(
        source="time_entry.public_id",
        allow_null=True,
        default=None,
        help_text="The entry a stopped timer made.",
    )

    def get_elapsedSeconds(self, timer) -> int:
        return selectors.timer_elapsed_seconds(timer)


class TimerEnvelopeSerializer(serializers.Serializer):
    timer = TimerSerializer()


class TimerListQuerySerializer(serializers.Serializer):
    userId = PublicIdField(prefix="usr", required=False)


@extend_schema_serializer(many=False)
class TimerListSerializer(serializers.Serializer):
    timers = TimerSerializer(many=True)


class TimerStartSerializer(FirmBodySerializer):
    entityId = PublicIdField(prefix="ent", help_text="The client the time is for.")
    userId = PublicIdField(
        prefix="usr",
        required=False,
        allow_null=True,
        default=None,
        help_text="Whose timer: a member of the firm. Default: the caller (an API key's creator).",
    )
    engagementId = PublicIdField(prefix="eng", required=False, allow_null=True, default=None)
    taskId = PublicIdField(prefix="task", required=False, allow_null=True, default=None)
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    billable = StrictBooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the engagement's (billable unless fixed-fee or non-billable).",
    )


class TimerStartedSerializer(serializers.Serializer):
    timer = TimerSerializer()
    stoppedEntry = TimeEntrySerializer(
        allow_null=True, help_text="The entry of the user's timer that this start stopped."
    )
    stoppedTimer = TimerSerializer(allow_null=True, help_text="That stopped timer.")


class TimerStoppedSerializer(serializers.Serializer):
    timer = TimerSerializer()
    entry = TimeEntrySerializer()


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
