"""Engagements and their tasks in the admin: status changes and task completion go through the
engagement service, as the API's do."""

from django.contrib import admin

from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, staff_scope
from practice.admin.common import _run_action, _staff_readonly
from practice.models import Engagement, EngagementStatus, Task
from practice.services.engagements import engagement_set_status, task_complete


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
