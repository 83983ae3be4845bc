from django.contrib import admin

from practice.models import ClientLink, Engagement, FirmProfile, Invitation, Task, TimeEntry


@admin.register(FirmProfile)
class FirmProfileAdmin(admin.ModelAdmin):
    list_display = ("firm", "default_rate_cents", "updated_at")
    list_select_related = ("firm",)
    search_fields = ("firm__name",)
    autocomplete_fields = ("firm",)


@admin.register(ClientLink)
class ClientLinkAdmin(admin.ModelAdmin):
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
    readonly_fields = ("public_id", "created_at", "updated_at")
    autocomplete_fields = ("firm", "client")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
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
        "token_hash",
        "sent_count",
        "last_sent_at",
        "last_error",
        "accepted_at",
        "accepted_by",
        "created_at",
    )
    autocomplete_fields = ("firm", "entity", "invited_by")


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin):
    list_display = (
        "date",
        "client",
        "user",
        "hours",
        "billable",
        "rate_cents",
        "amount_cents",
        "billing_status",
        "description",
    )
    list_filter = ("billing_status", "billable", "rate_source", "date")
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
    autocomplete_fields = ("firm", "client", "engagement", "task", "user")


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ("position", "title", "due_date", "assignee", "completed_at")
    autocomplete_fields = ("assignee",)


@admin.register(Engagement)
class EngagementAdmin(admin.ModelAdmin):
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
    list_filter = ("status", "type", "recurrence")
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


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ("title", "engagement", "position", "due_date", "assignee", "completed_at")
    list_filter = (("completed_at", admin.EmptyFieldListFilter),)
    list_select_related = ("engagement", "assignee")
    search_fields = ("title", "engagement__name", "public_id")
    readonly_fields = ("public_id",)
    autocomplete_fields = ("engagement", "assignee")
