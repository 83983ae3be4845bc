"""Practice in the admin: the firm staff's daily work, through the same services as the API.

Forms call the service in `clean()`, inside the admin's transaction, so a refusal (a billed entry, a
task of another engagement, a duplicate reference) shows on the form as the API's message, and
nothing is written. Actions call services too and report refusals as admin messages.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline, refusal_text, staff_scope
from axiomatic.entities.models import EntityType
from practice.models import (
    BillingStatus,
    ClientLink,
    Engagement,
    EngagementStatus,
    FirmProfile,
    Invitation,
    InvitationStatus,
    Task,
    TimeEntry,
)
from practice.services.clients import client_archive, client_update
from practice.services.engagements import engagement_set_status, task_complete
from practice.services.invitations import invitation_create
from practice.services.time_entries import (
    time_entry_create,
    time_entry_delete,
    time_entry_update,
)


def _refusal(error: ApplicationError) -> ValidationError:
    return ValidationError(refusal_text(error))


def _staff_readonly(model_admin, request, fields):
    """All fields read-only for firm staff (their changes go through actions), as given otherwise."""
    if staff_scope(request) is None:
        return fields
    return [f.name for f in model_admin.model._meta.concrete_fields if f.name != "id"]


def _run_action(model_admin, request, objects, service, done: str) -> None:
    ok = 0
    for obj in objects:
        try:
            service(obj)
            ok += 1
        except ApplicationError as error:
            model_admin.message_user(request, f"{obj}: {refusal_text(error)}", messages.ERROR)
    if ok:
        model_admin.message_user(request, done.format(count=ok), messages.SUCCESS)


@admin.register(FirmProfile)
class FirmProfileAdmin(ScopedAdmin):
    scope_firm = "firm"
    staff_may_add = False
    list_display = ("firm", "default_rate_cents", "updated_at")
    list_select_related = ("firm",)
    search_fields = ("firm__name",)
    readonly_fields = ("firm",)


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
class ClientLinkAdmin(ScopedAdmin):
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


class TimeEntryForm(forms.ModelForm):
    """Log or edit time through the time entry service, as the API does."""

    class Meta:
        model = TimeEntry
        fields = (
            "firm",
            "client",
            "date",
            "hours",
            "description",
            "billable",
            "rate_cents",
            "engagement",
            "task",
            "user",
            "external_reference",
        )
        help_texts = {"rate_cents": "Cents an hour. Empty: the client's rate, else the firm's."}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        firm, client = cleaned["firm"], cleaned["client"]
        link = ClientLink.objects.filter(firm=firm, client=client, archived_at__isnull=True).first()
        if link is None:
            raise ValidationError({"client": f"{client} is not an active client of {firm}."})
        engagement, task, user = cleaned.get("engagement"), cleaned.get("task"), cleaned.get("user")
        values = {
            "work_date": cleaned["date"],
            "hours": cleaned["hours"],
            "description": cleaned.get("description") or "",
            "billable": cleaned.get("billable", True),
            "rate_cents": cleaned.get("rate_cents"),
            "engagement_id": engagement.public_id if engagement else None,
            "task_id": task.public_id if task else None,
            "user_id": user.public_id if user else None,
            "external_reference": cleaned.get("external_reference") or None,
        }
        try:
            if self.instance.pk is None:
                self.saved = time_entry_create(
                    firm=firm, link=link, default_user=self.request_user, **values
                )
            else:
                self.saved = time_entry_update(
                    firm=firm, public_id=self.instance.public_id, link=link, changes=values
                )
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


@admin.register(TimeEntry)
class TimeEntryAdmin(ScopedAdmin):
    scope_firm = "firm"
    staff_may_delete = True
    form = TimeEntryForm
    list_display = (
        "date",
        "client",
        "user",
        "hours",
        "billable",
        "rate_cents",
        "amount_cents",
        "billing_status",
        "invoice_number",
        "description",
    )
    list_filter = ("billing_status", "billable", "client", "rate_source", "date")
    list_select_related = ("client", "user")
    search_fields = ("description", "client__name", "public_id", "external_reference")
    date_hierarchy = "date"
    readonly_fields = (
        "public_id",
        "rate_source",
        "amount_cents",
        "billing_status",
        "invoice_public_id",
        "invoice_number",
        "billed_at",
        "created_at",
        "updated_at",
    )
    autocomplete_fields = ("client", "engagement", "task", "user")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.billing_status != BillingStatus.UNBILLED:
            return False  # billed time is history: void the invoice to change it
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.billing_status != BillingStatus.UNBILLED:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        obj.__dict__.update(form.saved.__dict__)  # saved by the service in the form's clean()

    def delete_model(self, request, obj):
        time_entry_delete(firm=obj.firm, public_id=obj.public_id)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("firm"):
            time_entry_delete(firm=entry.firm, public_id=entry.public_id)


class TaskInline(ScopedInline, admin.TabularInline):
    model = Task
    extra = 0
    fields = ("position", "title", "due_date", "assignee", "completed_at")
    autocomplete_fields = ("assignee",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee")

    def get_readonly_fields(self, request, obj=None):
        return self.fields if staff_scope(request) is not None else ()


@admin.register(Engagement)
class EngagementAdmin(ScopedAdmin):
    """Engagements with their tasks. Firm staff move them with the actions (the API's rules);
    creation and edits come through the API."""

    scope_firm = "firm"
    staff_may_add = False
    list_display = (
        "name",
        "client",
        "type",
        "status",
        "recurrence",
        "period_key",
        "start_date",
        "due_date",
        "assignee",
    )
    list_filter = ("status", "type", "recurrence", "client")
    list_select_related = ("client", "assignee")
    search_fields = ("name", "client__name", "public_id")
    readonly_fields = (
        "public_id",
        "series_id",
        "series_start_date",
        "occurrence",
        "period_key",
        "completed_at",
        "created_at",
        "updated_at",
    )
    autocomplete_fields = ("firm", "client", "assignee")
    inlines = (TaskInline,)
    actions = ("complete", "cancel")

    def get_readonly_fields(self, request, obj=None):
        return _staff_readonly(self, request, self.readonly_fields)

    def _move(self, request, queryset, status, done):
        _run_action(
            self,
            request,
            queryset.filter(status=EngagementStatus.ACTIVE).select_related("firm"),
            lambda e: engagement_set_status(firm=e.firm, public_id=e.public_id, status=status),
            done,
        )

    @admin.action(description="Complete selected engagements", permissions=["change"])
    def complete(self, request, queryset):
        self._move(
            request, queryset, EngagementStatus.COMPLETED, "Completed {count} engagement(s)."
        )

    @admin.action(description="Cancel selected engagements", permissions=["change"])
    def cancel(self, request, queryset):
        self._move(
            request, queryset, EngagementStatus.CANCELLED, "Cancelled {count} engagement(s)."
        )


@admin.register(Task)
class TaskAdmin(ScopedAdmin):
    scope_firm = "engagement__firm"
    staff_may_add = False
    list_display = ("title", "engagement", "position", "due_date", "assignee", "completed_at")
    list_filter = (("completed_at", admin.EmptyFieldListFilter),)
    list_select_related = ("engagement", "assignee")
    search_fields = ("title", "engagement__name", "public_id")
    readonly_fields = ("public_id",)
    autocomplete_fields = ("engagement", "assignee")
    actions = ("complete",)

    def get_readonly_fields(self, request, obj=None):
        return _staff_readonly(self, request, self.readonly_fields)

    @admin.action(description="Complete selected tasks", permissions=["change"])
    def complete(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(completed_at__isnull=True).select_related("engagement__firm"),
            lambda t: task_complete(firm=t.engagement.firm, public_id=t.public_id),
            "Completed {count} task(s).",
        )
