"""Practice in the admin: the firm staff's daily work, through the same services as the API.

Forms call the service in `clean()`, inside the admin's transaction, so a refusal (a billed entry, a
task of another engagement, a duplicate reference) shows on the form as the API's message, and
nothing is written. Actions call services too and report refusals as admin messages.
"""

from django import forms
from django.contrib import admin

import practice.admin.timesheet  # noqa: F401  (registers the Timesheet page)
from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedAdmin
from axiomatic.entities.models import EntityType
from practice.admin import review, staff  # noqa: F401 (review registers its pages)
from practice.admin.common import _refusal, _run_action
from practice.admin.engagements import EngagementAdmin, TaskAdmin
from practice.admin.staff import FirmAdminWrites, StaffRateAdmin
from practice.admin.time import TimeEntryAdmin
from practice.models import ClientLink, FirmProfile, Invitation, InvitationStatus
from practice.services.clients import client_archive, client_update
from practice.services.invitations import invitation_create
from practice.services.settings import firm_settings_update

__all__ = ["EngagementAdmin", "StaffRateAdmin", "TaskAdmin", "TimeEntryAdmin"]

staff.register()  # the Staff page, listed under Practice


# The settings the form edits, in the order it shows them.
SETTINGS_FIELDS = (
    "require_approval",
    "time_lock_date",
    "time_rounding_minutes",
    "time_rounding_mode",
    "default_rate_cents",
    "payment_terms_days",
    "require_mfa",
)
# Settings that always have a value: one missing from a POST keeps the current value.
_KEPT_WHEN_LEFT_OUT = ("time_rounding_minutes", "time_rounding_mode", "payment_terms_days")


class FirmProfileForm(forms.ModelForm):
    """The firm's practice settings, saved by `firm_settings_update` in `clean()` (ADR 0016, 0024):
    a firm ADMIN's to change, all of them. A setting left out of the POST stays as it is."""

    by = None  # the signed-in user, set by FirmProfileAdmin.get_form

    class Meta:
        model = FirmProfile
        fields = ("firm", *SETTINGS_FIELDS)
        widgets = {"time_lock_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _KEPT_WHEN_LEFT_OUT:
            if name in self.fields:
                self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        firm = self.instance.firm if self.instance.pk else cleaned.get("firm")
        if self.errors or firm is None:
            return cleaned
        changes = {
            name: cleaned.get(name)
            for name in SETTINGS_FIELDS
            if name in self.fields
            and not (name in _KEPT_WHEN_LEFT_OUT and cleaned.get(name) in (None, ""))
        }
        try:
            self.instance = firm_settings_update(firm=firm, by=self.by, changes=changes)
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


@admin.register(FirmProfile)
class FirmProfileAdmin(FirmAdminWrites, ScopedAdmin):
    """A firm's practice settings: approval before billing, the time lock date, invoice rounding,
    the default rate, payment terms and staff MFA. A firm ADMIN adds and changes them (until the
    first change the firm has the defaults); the firm's other staff read them."""

    scope_firm = "firm"
    form = FirmProfileForm
    list_display = (
        "firm",
        "require_approval",
        "time_lock_date",
        "rounding",
        "default_rate",
        "payment_terms_days",
        "require_mfa",
        "updated_at",
    )
    list_select_related = ("firm",)
    search_fields = ("firm__name",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def get_readonly_fields(self, request, obj=None):
        return ["firm"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        pass  # saved by firm_settings_update in the form's clean()

    @admin.display(description="Invoice rounding")
    def rounding(self, obj: FirmProfile) -> str:
        if not obj.time_rounding_minutes:
            return "None"
        return f"{obj.time_rounding_minutes} min, {obj.get_time_rounding_mode_display().lower()}"

    @admin.display(description="Default rate", ordering="default_rate_cents")
    def default_rate(self, obj: FirmProfile) -> str:
        if obj.default_rate_cents is None:
            return "—"
        return format_money(obj.default_rate_cents, obj.firm.currency)


class ClientLinkForm(forms.ModelForm):
    """The client's details (its entity's name, type, industry) and the link's terms, in one form
    saved by `client_update`, as the API's PATCH does: the `client.updated` event, the reference
    check and billing's follow-up happen whichever door the change came through. (The entity's own
    admin is read-only for firm staff: the platform may not call practice's service.)"""

    client_name = forms.CharField(label="Name", max_length=200)
    client_type = forms.ChoiceField(label="Type", choices=EntityType.choices)
    client_industry = forms.CharField(label="Industry", max_length=100, required=False)

    class Meta:
        model = ClientLink
        fields = ("client_tier", "billing_mode", "default_rate_cents", "external_reference")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            client = self.instance.client
            self.initial.update(
                client_name=client.name, client_type=client.type, client_industry=client.industry
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.instance.pk is None:
            return cleaned
        client = self.instance.client
        entity = {"name": "client_name", "type": "client_type", "industry": "client_industry"}
        changes = {
            key: cleaned.get(field) or ""
            for key, field in entity.items()
            if (cleaned.get(field) or "") != getattr(client, key)
        }
        changes |= {
            "tier": cleaned["client_tier"],
            "billing_mode": cleaned["billing_mode"],
            "default_rate_cents": cleaned.get("default_rate_cents"),
            "external_reference": cleaned.get("external_reference") or None,
        }
        try:
            self.saved = client_update(link=self.instance, changes=changes)
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


@admin.register(ClientLink)
class ClientLinkAdmin(ScopedHistoryAdmin):
    """A firm's clients. Name, type, industry, tier and billing mode change through
    `client_update` (the event, program billing and Stripe follow); new clients come from the API's
    client creation."""

    scope_firm = "firm"
    staff_may_add = False
    form = ClientLinkForm
    list_display = (
        "client",
        "firm",
        "client_tier",
        "billing_mode",
        "default_rate_cents",
        "external_reference",
        "archived_at",
    )
    list_filter = ("client_tier", "billing_mode", ("archived_at", admin.EmptyFieldListFilter))
    list_select_related = ("client", "firm")
    search_fields = ("client__name", "firm__name", "public_id", "external_reference")
    readonly_fields = ("public_id", "firm", "client", "archived_at", "created_at", "updated_at")
    fields = (
        "public_id",
        "firm",
        "client",
        "client_name",
        "client_type",
        "client_industry",
        "client_tier",
        "billing_mode",
        "default_rate_cents",
        "external_reference",
        "archived_at",
        "created_at",
        "updated_at",
    )
    actions = ("archive",)

    def has_add_permission(self, request):
        return False

    # Shown when the page is read-only (a VIEWER): the form's entity fields, as they are.
    @admin.display(description="Name")
    def client_name(self, obj: ClientLink) -> str:
        return obj.client.name

    @admin.display(description="Type")
    def client_type(self, obj: ClientLink) -> str:
        return obj.client.get_type_display()

    @admin.display(description="Industry")
    def client_industry(self, obj: ClientLink) -> str:
        return obj.client.industry

    def save_model(self, request, obj, form, change):
        pass  # saved by client_update in the form's clean()

    @admin.action(description="Archive selected clients", permissions=["change"])
    def archive(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(archived_at__isnull=True),
            lambda link: client_archive(link=link),
            "Archived {count} client(s).",
        )


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "email",
        "entity",
        "firm",
        "role",
        "status",
        "expires_at",
        "sent_count",
        "last_error",
    )
    list_filter = ("status", "role")
    list_select_related = ("entity", "firm")
    search_fields = ("email", "entity__name", "public_id")
    readonly_fields = (
        "public_id",
        "firm",
        "entity",
        "email",
        "role",
        "status",
        "expires_at",
        "invited_by",
        "token_hash",
        "sent_count",
        "last_sent_at",
        "last_error",
        "accepted_at",
        "accepted_by",
        "created_at",
    )
    exclude = ("token_hash",)
    actions = ("resend",)

    def get_readonly_fields(self, request, obj=None):
        return [f for f in self.readonly_fields if f != "token_hash"]

    @admin.action(description="Resend invitation (new link, new expiry)", permissions=["change"])
    def resend(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(status=InvitationStatus.PENDING).select_related("firm", "entity"),
            lambda inv: invitation_create(
                firm=inv.firm,
                entity=inv.entity,
                email=inv.email,
                role=inv.role,
                invited_by=request.user,  # who sent this link, as the API records it
            ),
            "Resent {count} invitation(s).",
        )
