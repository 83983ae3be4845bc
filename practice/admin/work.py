"""The work in the admin: time entries (logged and edited through the time entry service),
engagements and their tasks."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, staff_scope
from practice.admin.common import _refusal, _run_action, _staff_readonly
from practice.models import (
    BillingStatus,
    ClientLink,
    Engagement,
    EngagementStatus,
    Task,
    TimeEntry,
)
from practice.services.engagements import engagement_set_status, task_complete
from practice.services.time_entries import (
    time_entry_create,
    time_entry_delete,
    time_entry_update,
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
class TimeEntryAdmin(ScopedHistoryAdmin):
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
class EngagementAdmin(ScopedHistoryAdmin):
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
class TaskAdmin(ScopedHistoryAdmin):
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
