"""Partner program billing and the firms' AR invoices.

Program pricing: each client of a firm costs a monthly fee set by its tier (ClientTierPrice). A firm's
partner tier follows its number of active program clients (PartnerTier) and gives a volume discount on
every client's fee, whoever pays it: the firm (consolidated) or the client (client_direct). Both tables
are seeded by a data migration and edited in the admin. These are program fees only: nothing here
touches a client workspace's prepaid cloud credit.

AR invoices: a firm bills its own client from unbilled time. An invoice has one line per time entry
(amount = hours x rate, rounded half-up per line; the total is the sum of lines), a number per firm
without gaps (INV-000042), and a journal entry in the firm's books (debit accounts receivable, credit
service revenue). Voiding reverses that entry and returns the time to unbilled; the number stays used.
`UNIQUE(time_entry)` over live lines is the database's guarantee that no entry is billed twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from axiomatic.core.history import tracked_history
from axiomatic.core.models import PublicIdField, TimeStampedModel
from axiomatic.core.money import format_money
from practice.models import ClientTier


class ClientTierPrice(TimeStampedModel):
    tier = models.CharField(max_length=20, choices=ClientTier.choices, unique=True)
    monthly_cents = models.BigIntegerField()

    class Meta:
        ordering = ("monthly_cents",)
        constraints = [
            models.CheckConstraint(condition=Q(monthly_cents__gte=0), name="tierprice_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.tier}: {format_money(self.monthly_cents)} a month"


class PartnerTier(TimeStampedModel):
    name = models.CharField(max_length=20, unique=True)
    min_clients = models.PositiveIntegerField(unique=True)
    discount_percent = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ("min_clients",)
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__lte=100), name="partnertier_discount_at_most_100"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.min_clients}+ clients, {self.discount_percent}%)"


class FirmBillingProfile(TimeStampedModel):
    firm = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="billing_profile"
    )
    last_invoice_number = models.PositiveBigIntegerField(default=0)
    # Printed on every invoice: where the firm is (the "From" block) and a closing note (how to
    # pay: bank details, a payment link, thanks).
    address = models.TextField(blank=True, max_length=500)
    invoice_footer = models.TextField(blank=True, max_length=2000)

    def __str__(self) -> str:
        return f"Billing profile of {self.firm}"


class SyncStatus(models.TextChoices):
    SYNCED = "synced", "Synced"
    PENDING = "pending", "Pending"
    FAILED = "failed", "Failed"
    NOT_CONFIGURED = "not_configured", "Not configured"


class StripeSyncState(TimeStampedModel):
    """Where the firm's program billing stands in Stripe, as staff and the overview see it."""

    firm = models.OneToOneField(
        "entities.Entity", on_delete=models.CASCADE, related_name="stripe_sync_state"
    )
    status = models.CharField(max_length=20, choices=SyncStatus.choices, default=SyncStatus.PENDING)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    customer_id = models.CharField(max_length=100, blank=True)
    subscription_id = models.CharField(max_length=100, blank=True)
    last_error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # From Stripe's webhooks: "paid", "payment_failed", or the subscription's status.
    payment_status = models.CharField(max_length=40, blank=True)
    payment_status_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.firm}: {self.status}"


class DirectBillingState(TimeStampedModel):
    """The Stripe customer and subscription of a client that pays its program fee itself."""

    link = models.OneToOneField(
        "practice.ClientLink", on_delete=models.CASCADE, related_name="stripe_direct"
    )
    customer_id = models.CharField(max_length=100, blank=True)
    subscription_id = models.CharField(max_length=100, blank=True)
    payment_status = models.CharField(max_length=40, blank=True)
    payment_status_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.link_id}: {self.subscription_id or 'no subscription'}"


class ProgramChangeKind(models.TextChoices):
    ADDED = "added", "Client added"
    ARCHIVED = "archived", "Client archived"
    TIER_CHANGED = "tier_changed", "Tier changed"
    MODE_CHANGED = "mode_changed", "Billing mode changed"


class ProgramChange(models.Model):
    """A change to what the firm's program costs, with the prorated amount for the rest of its month."""

    firm = models.ForeignKey("entities.Entity", on_delete=models.CASCADE, related_name="+")
    link = models.ForeignKey(
        "practice.ClientLink", on_delete=models.CASCADE, related_name="program_changes"
    )
    kind = models.CharField(max_length=20, choices=ProgramChangeKind.choices)
    from_value = models.CharField(max_length=20, blank=True)
    to_value = models.CharField(max_length=20, blank=True)
    effective_date = models.DateField()
    prorated_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["firm", "effective_date"], name="programchange_firm_date")]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value}->{self.to_value} on {self.effective_date}"


class LinkBillingSnapshot(models.Model):
    """The tier and mode billing last saw for a link, to tell what an update changed."""

    link = models.OneToOneField(
        "practice.ClientLink", on_delete=models.CASCADE, related_name="billing_snapshot"
    )
    client_tier = models.CharField(max_length=20)
    billing_mode = models.CharField(max_length=20)
    archived = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.link_id}: {self.client_tier}/{self.billing_mode}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", "Open"
    PARTIALLY_PAID = "partially_paid", "Partially paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


class Invoice(TimeStampedModel):
    public_id = PublicIdField(prefix="inv")
    firm = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveBigIntegerField()
    issue_date = models.DateField()
    due_date = models.DateField()
    currency = models.CharField(max_length=3)
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )
    # Standard value (time at its rate, plus items); the adjustment (negative = write-down) makes
    # the total. The books carry the total; subtotal and adjustment keep the realization here.
    subtotal_cents = models.BigIntegerField()
    adjustment_cents = models.BigIntegerField(default=0)
    adjustment_reason = models.TextField(blank=True)
    total_cents = models.BigIntegerField()
    # The sum of the live payments, kept under the invoice's row lock by the payment services.
    amount_paid_cents = models.BigIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    void_journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)

    history = tracked_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "number"], name="invoice_number_unique_per_firm"
            ),
            models.CheckConstraint(
                condition=Q(total_cents__gte=0), name="invoice_total_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_cents=F("subtotal_cents") + F("adjustment_cents")),
                name="invoice_total_is_subtotal_plus_adjustment",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid_cents__gte=0, amount_paid_cents__lte=F("total_cents")),
                name="invoice_paid_within_total",
            ),
        ]
        indexes = [models.Index(fields=["firm", "issue_date", "id"], name="invoice_firm_issue")]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return invoice_number_display(self.number)

    @property
    def balance_due_cents(self) -> int:
        return self.total_cents - self.amount_paid_cents


def invoice_number_display(number: int) -> str:
    return f"INV-{number:06d}"


class InvoiceLineKind(models.TextChoices):
    TIME = "time", "Time"
    ITEM = "item", "Item"


class InvoiceLine(models.Model):
    """A time line (an entry's hours x rate) or an item (a fixed fee or disbursement, no hours).
    `standard_amount_cents` is the line before the invoice's adjustment, `amount_cents` after."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(max_length=10, choices=InvoiceLineKind.choices, default="time")
    time_entry = models.ForeignKey(
        "practice.TimeEntry", null=True, on_delete=models.SET_NULL, related_name="invoice_lines"
    )
    engagement = models.ForeignKey(
        "practice.Engagement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField()
    date = models.DateField()
    description = models.TextField(blank=True)
    hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    rate_cents = models.BigIntegerField(null=True, blank=True)
    standard_amount_cents = models.BigIntegerField()  # None on save: the amount (no adjustment)
    amount_cents = models.BigIntegerField()
    # False once the invoice is void: the entry may then be billed again.
    is_live = models.BooleanField(default=True)

    class Meta:
        ordering = ("position", "id")
        constraints = [
            models.UniqueConstraint(
                fields=["time_entry"],
                condition=Q(is_live=True),
                name="invoiceline_time_entry_billed_once",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0, standard_amount_cents__gte=0),
                name="invoiceline_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind="item", hours__isnull=True, rate_cents__isnull=True)
                | Q(kind="time", hours__isnull=False, rate_cents__isnull=False),
                name="invoiceline_time_has_hours_item_has_none",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == InvoiceLineKind.ITEM:
            return f"{self.description}: {self.amount_cents}"
        return f"{self.hours}h x {self.rate_cents} = {self.amount_cents}"

    def save(self, *args, **kwargs):
        if self.standard_amount_cents is None:
            self.standard_amount_cents = self.amount_cents
        super().save(*args, **kwargs)


class PaymentMethod(models.TextChoices):
    ACH = "ach", "ACH"
    CARD = "card", "Card"
    CHECK = "check", "Check"
    CASH = "cash", "Cash"
    WIRE = "wire", "Wire"
    OTHER = "other", "Other"


class Payment(TimeStampedModel):
    """Money received against one invoice: debit cash, credit receivable in the firm's books on
    `date`. Voiding reverses that entry (dated the void day) and gives the amount back to the
    invoice's balance; the payment row stays, marked voided."""

    public_id = PublicIdField(prefix="pay")
    firm = models.ForeignKey("entities.Entity", on_delete=models.PROTECT, related_name="+")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount_cents = models.BigIntegerField()
    date = models.DateField()
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField(max_length=200, blank=True)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+"
    )
    void_journal_entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    voided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked_history()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | Q(void_journal_entry__isnull=False),
                name="payment_void_has_reversal",
            ),
        ]
        indexes = [models.Index(fields=["firm", "date", "id"], name="payment_firm_date")]

    def __str__(self) -> str:
        return f"{self.public_id}: {self.amount_cents} on {self.invoice_id}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None


class InvoiceEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        VOIDED = "voided", "Voided"
        PAYMENT = "payment", "Payment received"
        PAYMENT_VOIDED = "payment_voided", "Payment voided"
        SENT = "sent", "Sent"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.kind}"


class InvoiceDeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class InvoiceDelivery(models.Model):
    """One request to email an invoice: to whom, with which message, and what became of it. The
    mail goes out from a task; the invoice's `sent_at` is the last time one went out."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="deliveries")
    recipients = models.JSONField()
    message = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=InvoiceDeliveryStatus.choices, default=InvoiceDeliveryStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="invoicedelivery_sent_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} to {', '.join(self.recipients)} ({self.status})"
