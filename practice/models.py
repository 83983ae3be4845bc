"""Practice management: how a partner firm runs its client work.

- A ClientLink ties a firm to a client entity, with the client's program tier (which sets the monthly
  program fee), who pays that fee (billing mode) and the firm's default hourly rate for the client.
  Archiving a link keeps the entity and its books; the client just stops being listed and billed.
- An Invitation asks a person to join a client entity with a role. Its token is random, shown only in
  the email, stored as a hash, valid for seven days and good for one use.
- A TimeEntry is work done for a client. Its rate is snapshotted when it is written (explicit, else the
  client's default rate, else the firm's), so later rate changes never re-price it; its amount is
  hours x rate rounded half-up to the cent. Once billed it is locked.
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


class FirmProfile(TimeStampedModel):
    """Practice settings of a partner firm."""

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

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(default_rate_cents__gte=0) | Q(default_rate_cents__isnull=True),
                name="firmprofile_rate_not_negative",
            )
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


class RateSource(models.TextChoices):
    EXPLICIT = "explicit", "Given on the entry"
    CLIENT = "client", "Client default rate"
    FIRM = "firm", "Firm default rate"
    NONE = "none", "No rate"


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

    history = tracked_history()

    class Meta:
        constraints = [
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

    history = tracked_history()

    class Meta:
        verbose_name_plural = "time entries"
        constraints = [
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
