"""Practice management: how a partner firm runs its client work.

- A ClientLink ties a firm to a client entity, with the client's program tier (which sets the monthly
  program fee), who pays that fee (billing mode) and the firm's default hourly rate for the client.
  Archiving a link keeps the entity and its books; the client just stops being listed and billed.
- An Invitation asks a person to join a client entity with a role. Its token is random, shown only in
  the email, stored as a hash, valid for seven days and good for one use.
- A TimeEntry is work done for a client. Its rate is snapshotted when it is written (explicit, else the
  engagement's rate, the client's default rate, the staff member's rate effective on the entry's
  date, the firm's default rate), so later rate changes never re-price it; its amount is hours x rate
  rounded half-up to the cent. Once approved it is frozen until unapproved; once billed it is locked;
  on or before the firm's time lock date it cannot be created, changed or deleted.
- A StaffRate is a staff member's hourly rate from a date on (effective-dated, like Harvest's).
- A Timer runs for one user at a time; stopping it makes a time entry through the same service as
  the API's POST /time.
- An Engagement is a piece of client work (bookkeeping, tax prep...) made of ordered Tasks. A recurring
  engagement is a series: completing one occurrence creates the next, exactly once per period.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from axiomatic.core.history import tracked_history
from axiomatic.core.models import PublicIdField, TimeStampedModel
from axiomatic.entities.models import Role


class ClientTier(models.TextChoices):
    STARTER = "STARTER", "Starter"
    PROFESSIONAL = "PROFESSIONAL", "Professional"
    BUSINESS = "BUSINESS", "Business"


class BillingMode(models.TextChoices):
    CONSOLIDATED = "consolidated", "Consolidated (the firm pays)"
    CLIENT_DIRECT = "client_direct", "Client direct (the client pays)"


class RoundingMode(models.TextChoices):
    UP = "up", "Up"
    NEAREST = "nearest", "Nearest"


class RoundingMinutes(models.IntegerChoices):
    NONE = 0, "No rounding"
    SIX = 6, "6 minutes (0.1 h)"
    TEN = 10, "10 minutes"
    FIFTEEN = 15, "15 minutes (0.25 h)"
    THIRTY = 30, "30 minutes (0.5 h)"


class FirmProfile(TimeStampedModel):
    """Practice settings of a partner firm (GET/PATCH /api/practice/settings)."""

    firm = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="practice_profile"
    )
    default_rate_cents = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="Hourly rate in cents when neither entry nor client sets one.",
    )
    require_mfa = models.BooleanField(
        "require two-factor sign-in (requireMfa)",
        default=False,
        help_text="The firm's staff must sign in to the admin with a code from an authenticator "
        "app; those without one set it up at their next admin page. Only a firm ADMIN changes it.",
    )
    require_approval = models.BooleanField(
        "require approval before billing (requireApproval)",
        default=False,
        help_text="Time must be approved before it can be invoiced.",
    )
    time_lock_date = models.DateField(
        "time lock date (timeLockDate)",
        null=True,
        blank=True,
        help_text="Time dated on or before this day cannot be logged, changed or deleted.",
    )
    time_rounding_minutes = models.PositiveSmallIntegerField(
        "invoice time rounding (minutes)",
        choices=RoundingMinutes.choices,
        default=RoundingMinutes.NONE,
        help_text="Invoices bill each entry's hours rounded to this step; the entry keeps its own.",
    )
    time_rounding_mode = models.CharField(
        "rounding mode", max_length=10, choices=RoundingMode.choices, default=RoundingMode.UP
    )
    payment_terms_days = models.PositiveSmallIntegerField(
        "payment terms (days)",
        default=30,
        help_text="Invoices fall due this many days after their issue date unless told otherwise.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(default_rate_cents__gte=0) | Q(default_rate_cents__isnull=True),
                name="firmprofile_rate_not_negative",
            ),
            models.CheckConstraint(
                # ORs, not IN (0, 6, ...): SQLite's introspection splits a table's SQL on ", ".
                condition=Q(time_rounding_minutes=0)
                | Q(time_rounding_minutes=6)
                | Q(time_rounding_minutes=10)
                | Q(time_rounding_minutes=15)
                | Q(time_rounding_minutes=30),
                name="firmprofile_rounding_minutes_known",
            ),
            models.CheckConstraint(
                condition=Q(time_rounding_mode="up") | Q(time_rounding_mode="nearest"),
                name="firmprofile_rounding_mode_known",
            ),
            models.CheckConstraint(
                condition=Q(payment_terms_days__lte=365), name="firmprofile_terms_at_most_a_year"
            ),
        ]

    def __str__(self) -> str:
        return f"Practice settings of {self.firm}"


class ClientLink(TimeStampedModel):
    public_id = PublicIdField(prefix="pcl")
    firm = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="client_links"
    )
    client = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="firm_links"
    )
    client_tier = models.CharField(
        max_length=20, choices=ClientTier.choices, default=ClientTier.STARTER
    )
    billing_mode = models.CharField(
        max_length=20, choices=BillingMode.choices, default=BillingMode.CONSOLIDATED
    )
    default_rate_cents = models.BigIntegerField(null=True, blank=True)
    external_reference = models.CharField(max_length=100, null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "client"],
                condition=Q(archived_at__isnull=True),
                name="clientlink_one_active_link_per_pair",
            ),
            models.UniqueConstraint(
                fields=["firm", "external_reference"],
                condition=Q(external_reference__isnull=False),
                name="clientlink_external_reference_unique_per_firm",
            ),
            models.CheckConstraint(
                condition=Q(default_rate_cents__gte=0) | Q(default_rate_cents__isnull=True),
                name="clientlink_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(firm=models.F("client")), name="clientlink_not_self"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "archived_at", "id"], name="clientlink_firm_active")
        ]

    def __str__(self) -> str:
        return f"{self.firm_id} -> {self.client_id} ({self.client_tier})"

    @property
    def reference_owner(self) -> str:
        """How a duplicate externalReference names this row (practice.services.references)."""
        return f"client {self.client.public_id}"

    @property
    def is_active(self) -> bool:
        return self.archived_at is None


class InvitationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"


class Invitation(TimeStampedModel):
    public_id = PublicIdField(prefix="invt")
    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    entity = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    status = models.CharField(
        max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING
    )
    # Empty until the email task mints the token: the token exists in clear only in the email.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_count = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "email"],
                condition=Q(status="pending"),
                name="invitation_one_pending_per_address",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.entity_id} ({self.status})"


class StaffRate(TimeStampedModel):
    """A staff member's hourly rate at a firm from `effective_from` on, until the next one."""

    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_rates"
    )
    rate_cents = models.BigIntegerField(help_text="Cents per hour.")
    effective_from = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ("effective_from",)
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "user", "effective_from"], name="staffrate_one_per_day"
            ),
            models.CheckConstraint(condition=Q(rate_cents__gte=0), name="staffrate_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.rate_cents} from {self.effective_from}"


class RateSource(models.TextChoices):
    EXPLICIT = "explicit", "Given on the entry"
    ENGAGEMENT = "engagement", "Engagement rate"
    CLIENT = "client", "Client default rate"
    STAFF = "staff", "Staff member's rate"
    FIRM = "firm", "Firm default rate"
    NONE = "none", "No rate"


class ApprovalStatus(models.TextChoices):
    OPEN = "open", "Open"
    APPROVED = "approved", "Approved"


class BillingStatus(models.TextChoices):
    UNBILLED = "unbilled", "Unbilled"
    BILLED = "billed", "Billed"


class EngagementType(models.TextChoices):
    BOOKKEEPING = "bookkeeping", "Bookkeeping"
    TAX_PREP = "tax_prep", "Tax preparation"
    ADVISORY = "advisory", "Advisory"
    AUDIT = "audit", "Audit"
    OTHER = "other", "Other"


class EngagementStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


class BillingMethod(models.TextChoices):
    HOURLY = "hourly", "Hourly"
    FIXED_FEE = "fixed_fee", "Fixed fee"
    NON_BILLABLE = "non_billable", "Non-billable"


class Recurrence(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    ANNUAL = "annual", "Annual"


class Engagement(TimeStampedModel):
    public_id = PublicIdField(prefix="eng")
    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        "entities.Entity", on_delete=models.CASCADE, related_name="engagements"
    )
    name = models.CharField(max_length=200)
    type = models.CharField(
        max_length=20, choices=EngagementType.choices, default=EngagementType.OTHER
    )
    status = models.CharField(
        max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.ACTIVE
    )
    recurrence = models.CharField(max_length=10, choices=Recurrence.choices, null=True, blank=True)
    # A recurring series shares series_id; occurrence n starts n periods after series_start_date.
    series_id = models.UUIDField(default=uuid.uuid4, editable=False)
    series_start_date = models.DateField()
    occurrence = models.PositiveIntegerField(default=0)
    period_key = models.CharField(max_length=10, null=True, blank=True)
    start_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    notes = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    billing_method = models.CharField(
        max_length=20, choices=BillingMethod.choices, default=BillingMethod.HOURLY
    )
    rate_cents = models.BigIntegerField(
        null=True, blank=True, help_text="Hourly rate in cents for time on this engagement."
    )
    fee_cents = models.BigIntegerField(
        null=True, blank=True, help_text="The fixed fee in cents (fixed-fee engagements)."
    )
    budget_hours = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    budget_amount_cents = models.BigIntegerField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(billing_method="fixed_fee") | Q(fee_cents__isnull=False),
                name="engagement_fixed_fee_has_fee",
            ),
            models.CheckConstraint(
                condition=Q(rate_cents__gte=0) | Q(rate_cents__isnull=True),
                name="engagement_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(fee_cents__gt=0) | Q(fee_cents__isnull=True),
                name="engagement_fee_positive",
            ),
            models.CheckConstraint(
                condition=Q(budget_hours__gt=0) | Q(budget_hours__isnull=True),
                name="engagement_budget_hours_positive",
            ),
            models.CheckConstraint(
                condition=Q(budget_amount_cents__gt=0) | Q(budget_amount_cents__isnull=True),
                name="engagement_budget_amount_positive",
            ),
            models.UniqueConstraint(
                fields=["series_id", "period_key"],
                condition=Q(period_key__isnull=False),
                name="engagement_one_occurrence_per_period",
            ),
            models.UniqueConstraint(
                fields=["series_id", "occurrence"], name="engagement_series_occurrence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "start_date", "id"], name="engagement_firm_start"),
        ]

    def __str__(self) -> str:
        return self.name


class Task(TimeStampedModel):
    public_id = PublicIdField(prefix="task")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField()
    due_date = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["engagement", "position"], name="task_position_unique_per_engagement"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class TimeEntry(TimeStampedModel):
    public_id = PublicIdField(prefix="te")
    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        "entities.Entity", on_delete=models.PROTECT, related_name="time_entries"
    )
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="time_entries"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    date = models.DateField()
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    description = models.TextField(blank=True)
    billable = models.BooleanField(default=True)
    rate_cents = models.BigIntegerField(null=True, blank=True)
    rate_source = models.CharField(max_length=10, choices=RateSource.choices)
    amount_cents = models.BigIntegerField(null=True, blank=True)
    external_reference = models.CharField(max_length=100, null=True, blank=True)
    billing_status = models.CharField(
        max_length=10, choices=BillingStatus.choices, default=BillingStatus.UNBILLED
    )
    # Set by billing when the entry is invoiced (billing sits above practice; see docs/adr).
    invoice_public_id = models.CharField(max_length=40, null=True, blank=True)
    invoice_number = models.CharField(max_length=40, null=True, blank=True)
    billed_at = models.DateTimeField(null=True, blank=True)
    approval_status = models.CharField(
        max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.OPEN
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked_history()

    class Meta:
        verbose_name_plural = "time entries"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(approval_status="open", approved_at__isnull=True)
                    | Q(approval_status="approved", approved_at__isnull=False)
                ),
                name="timeentry_approved_has_time",
            ),
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="timeentry_hours_in_range"
            ),
            models.CheckConstraint(
                condition=Q(rate_cents__gte=0) | Q(rate_cents__isnull=True),
                name="timeentry_rate_not_negative",
            ),
            models.CheckConstraint(
                condition=(
                    Q(billing_status="unbilled", invoice_public_id__isnull=True)
                    | Q(billing_status="billed", invoice_public_id__isnull=False)
                ),
                name="timeentry_billed_has_invoice",
            ),
            models.UniqueConstraint(
                fields=["firm", "external_reference"],
                condition=Q(external_reference__isnull=False),
                name="timeentry_external_reference_unique_per_firm",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "date", "id"], name="timeentry_firm_date"),
            models.Index(fields=["firm", "client", "date"], name="timeentry_firm_client_date"),
            # The dashboard's unbilled time by client: an index-only scan of the unbilled rows
            # (the included columns are PostgreSQL's; other databases index the keys only).
            models.Index(
                fields=["firm", "client"],
                include=["hours", "amount_cents", "id"],
                condition=Q(billable=True, billing_status="unbilled"),
                name="timeentry_unbilled_by_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hours}h on {self.date}"

    @property
    def reference_owner(self) -> str:
        """How a duplicate externalReference names this row (practice.services.references)."""
        return f"time entry {self.public_id}"

    @property
    def is_invoiced(self) -> bool:
        return self.billing_status == BillingStatus.BILLED


class TimerStatus(models.TextChoices):
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    DISCARDED = "discarded", "Discarded"


class Timer(TimeStampedModel):
    """A running clock for one user's work on a client. At most one runs per user (a partial
    unique index is the backstop); stopping it makes a TimeEntry, discarding it makes none."""

    public_id = PublicIdField(prefix="tmr")
    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="timers"
    )
    client = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(
        Engagement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    description = models.TextField(blank=True)
    # None: the entry takes the engagement's default (billable unless fixed-fee or non-billable).
    billable = models.BooleanField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=TimerStatus.choices, default=TimerStatus.RUNNING
    )
    started_at = models.DateTimeField()
    stopped_at = models.DateTimeField(null=True, blank=True)
    time_entry = models.ForeignKey(
        TimeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="running"),
                name="timer_one_running_per_user",
            ),
            models.CheckConstraint(
                condition=Q(status="running", stopped_at__isnull=True)
                | (~Q(status="running") & Q(stopped_at__isnull=False)),
                name="timer_stopped_has_time",
            ),
        ]
        indexes = [models.Index(fields=["firm", "status", "id"], name="timer_firm_status")]

    def __str__(self) -> str:
        return f"Timer {self.public_id} ({self.status})"
