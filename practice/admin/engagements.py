"""Engagements and their tasks in the admin. Creating and editing an engagement (its details, its
billing method, rate, fee and budgets), status changes and task completion all go through the
engagement service, as the API's do: its refusals show on the form in the API's words."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import floatformat

from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedInline, staff_scope
from practice.admin.common import _refusal, _run_action, _staff_readonly
from practice.models import Engagement, EngagementStatus, Task
from practice.selectors import (
    active_client_links,
    engagement_budget_used,
    engagements_with_actuals,
    firm_member,
)
from practice.services.engagements import (
    ECONOMICS,
    engagement_create,
    engagement_set_status,
    engagement_update,
    task_complete,
)

# What an edit may change (the rest is fixed at creation: firm, client, type, series, start).
EDITABLE = ("name", "due_date", "assignee", "notes", *ECONOMICS)


class EngagementForm(forms.ModelForm):
    """Create an engagement with `engagement_create`, edit one with `engagement_update`, in
    `clean()` (inside the admin's transaction), as the API does."""

    class Meta:
        model = Engagement
        fields = (
            "firm",
            "client",
            "name",
            "type",
            "recurrence",
            "start_date",
            "due_date",
            "assignee",
            "notes",
            *ECONOMICS,
        )
        labels = {
            "rate_cents": "Rate (cents an hour)",
            "fee_cents": "Fixed fee (cents)",
            "budget_hours": "Budget (hours)",
            "budget_amount_cents": "Budget (cents)",
        }
        help_texts = {
            "rate_cents": "Time on this engagement without a rate of its own is valued at this.",
            "fee_cents": "Required for a fixed-fee engagement, and only for one.",
            "budget_amount_cents": "With both budgets set, the share used is of this one.",
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.saved = (
                self._create(cleaned) if self.instance.pk is None else self._update(cleaned)
            )
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned

    def _check_assignee(self, firm, assignee) -> None:
        if (
            assignee is not None
            and firm_member(firm=firm, user_public_id=assignee.public_id) is None
        ):
            raise ValidationError({"assignee": f"{assignee} is not a member of {firm}."})

    def _create(self, cleaned) -> Engagement:
        firm, client = cleaned["firm"], cleaned["client"]
        if not active_client_links(firm).filter(client=client).exists():
            raise ValidationError({"client": f"{client} is not an active client of {firm}."})
        self._check_assignee(firm, cleaned.get("assignee"))
        return engagement_create(
            firm=firm,
            client=client,
            name=cleaned["name"],
            start_date=cleaned["start_date"],
            type=cleaned["type"],
            recurrence=cleaned.get("recurrence") or None,
            notes=cleaned.get("notes") or "",
            due_date=cleaned.get("due_date"),
            assignee=cleaned.get("assignee"),
            **{key: cleaned.get(key) for key in ECONOMICS},
        )

    def _update(self, cleaned) -> Engagement:
        changes = {key: cleaned.get(key) for key in EDITABLE if key in self.fields}
        if "notes" in changes:
            changes["notes"] = changes["notes"] or ""
        if "assignee" in changes:
            self._check_assignee(self.instance.firm, changes["assignee"])
        return engagement_update(
            firm=self.instance.firm, public_id=self.instance.public_id, changes=changes
        )

    def _post_clean(self):
        # A refusal already says what is wrong, in the service's words: the model's own checks
        # would only repeat it.
        if not self.errors:
            super()._post_clean()


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
    """Engagements with their tasks, billing and budget. Writing staff create and edit them through
    the form (the engagement service) and move them with the actions (the API's rules). The
    actuals and the share of the budget used come from the changelist's own query
    (`engagements_with_actuals`), never a query per row."""

    scope_firm = "firm"
    form = EngagementForm
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
        "billing_method",
        "budget",
        "actual",
        "used",
    )
    list_filter = ("status", "type", "billing_method", "recurrence", "client")
    list_select_related = ("firm", "client", "assignee")
    search_fields = ("name", "client__name", "public_id")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "firm",
                    "client",
                    "name",
                    "type",
                    "status",
                    "recurrence",
                    "period_key",
                    "start_date",
                    "due_date",
                    "assignee",
                    "notes",
                    "completed_at",
                )
            },
        ),
        ("Billing and budget", {"fields": (*ECONOMICS, "actual", "used")}),
        (
            "Series",
            {
                "fields": (
                    "series_id",
                    "series_start_date",
                    "occurrence",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )
    readonly_fields = (
        "public_id",
        "status",
        "series_id",
        "series_start_date",
        "occurrence",
        "period_key",
        "completed_at",
        "created_at",
        "updated_at",
        "actual",
        "used",
    )
    autocomplete_fields = ("firm", "client", "assignee")
    inlines = (TaskInline,)
    actions = ("complete", "cancel")

    def get_queryset(self, request):
        return engagements_with_actuals(super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.readonly_fields, "firm", "client", "type", "recurrence", "start_date")

    def save_model(self, request, obj, form, change):
        obj.__dict__.update(form.saved.__dict__)  # saved by the service in the form's clean()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if request.method == "POST":
            # The form is shown again, so something was refused, possibly after the service wrote
            # in clean() (the inline's data, the model's own checks): the page saves nothing, and
            # neither does the service's write (the admin's transaction is undone; the page is
            # rendered after it).
            transaction.set_rollback(True)
        return response

    def _money(self, obj: Engagement, cents: int) -> str:
        return format_money(cents, obj.firm.currency)

    @admin.display(description="Budget")
    def budget(self, obj: Engagement) -> str:
        parts = []
        if obj.budget_amount_cents is not None:
            parts.append(self._money(obj, obj.budget_amount_cents))
        if obj.budget_hours is not None:
            parts.append(f"{obj.budget_hours:.2f} h")
        return " / ".join(parts) or "-"

    @admin.display(description="Actual", ordering="actual_amount_cents")
    def actual(self, obj: Engagement) -> str:
        return f"{self._money(obj, obj.actual_amount_cents)} / {obj.actual_hours:.2f} h"

    @admin.display(description="Used")
    def used(self, obj: Engagement) -> str:
        share = engagement_budget_used(obj)
        return "-" if share is None else f"{floatformat(share * 100, 0)}%"

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
