"""Time entries in the admin: logged and edited through the time entry service, as the API does."""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from axiomatic.core.errors import ApplicationError
from axiomatic.core.forms import MoneyField
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import refusal_text
from axiomatic.entities.models import Entity
from practice.admin.common import _refusal
from practice.admin.timers import TimerPanelMixin
from practice.models import BillingStatus, ClientLink, TimeEntry
from practice.services.approvals import (
    approves_anywhere,
    time_entries_approve,
    time_entries_unapprove,
)
from practice.services.time_entries import (
    time_entry_create,
    time_entry_delete,
    time_entry_update,
)


class TimeEntryForm(forms.ModelForm):
    """Log or edit time through the time entry service, as the API does."""

    rate_cents = MoneyField(
        label="Rate (an hour)",
        required=False,
        help_text="Leave empty for the client's rate, else the firm's.",
    )

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
class TimeEntryAdmin(TimerPanelMixin, ScopedHistoryAdmin):
    scope_firm = "firm"
    staff_may_delete = True
    form = TimeEntryForm
    list_display = (
        "date",
        "client",
        "user",
        "hours",
        "billable",
        "rate",
        "amount",
        "billing_status",
        "approval_status",
        "invoice_number",
        "description",
    )
    list_filter = (
        "approval_status",
        "billing_status",
        "billable",
        "client",
        "rate_source",
        "date",
    )
    actions = ("approve_selected", "unapprove_selected")
    list_select_related = ("client", "user", "firm")
    # 50 rows, not Django's 100: a page of 13 columns took about 120 ms of template rendering at
    # 100 (the bench's admin rows), and a person reads a screen or two of entries at a time.
    list_per_page = 50
    search_fields = ("description",)
    search_exact = ("public_id", "external_reference")
    search_entity_names = ("client",)
    date_hierarchy = "date"
    ordering = ("-date", "-id")  # the latest work first, as the API lists it
    readonly_fields = (
        "public_id",
        "rate_source",
        "amount",
        "billing_status",
        "invoice_public_id",
        "invoice_number",
        "billed_at",
        "approval_status",
        "approved_at",
        "approved_by",
        "created_at",
        "updated_at",
    )
    autocomplete_fields = ("client", "engagement", "task", "user")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def _view_only(self, request, obj) -> bool:
        return obj is not None and not self.has_change_permission(request, obj)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self._view_only(request, obj):  # every field shown as text: the rate as money
            return ["rate" if name == "rate_cents" else name for name in fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self._view_only(request, obj):
            fields.append("rate")  # so the read-only form leaves it out as a form field
        return fields

    @admin.display(description="rate / h", ordering="rate_cents")
    def rate(self, obj):
        return "-" if obj.rate_cents is None else format_money(obj.rate_cents, obj.firm.currency)

    @admin.display(description="amount", ordering="amount_cents")
    def amount(self, obj):
        if obj.amount_cents is None:
            return "-"
        return format_money(obj.amount_cents, obj.firm.currency)

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

    # -- approvals, through the approval services (docs/adr/0025) -------------------------------------
    def has_approve_permission(self, request) -> bool:
        return approves_anywhere(user=request.user)

    @admin.action(description="Approve selected time entries", permissions=["approve"])
    def approve_selected(self, request, queryset):
        _approval_action(self, request, queryset, time_entries_approve, "Approved {count}.")

    @admin.action(description="Unapprove selected time entries", permissions=["approve"])
    def unapprove_selected(self, request, queryset):
        _approval_action(
            self, request, queryset, time_entries_unapprove, "Returned {count} to open."
        )


def _approval_action(model_admin, request, queryset, service, done: str) -> None:
    """One call of `service` per firm among the selected (writable) entries, each all or nothing:
    a refusal is shown with the service's words and that firm's entries stay as they were."""
    by_firm: dict[int, list[str]] = defaultdict(list)
    for firm_id, public_id in queryset.order_by("id").values_list("firm_id", "public_id"):
        by_firm[firm_id].append(public_id)
    firms = Entity.objects.in_bulk(list(by_firm))
    changed, done_firms = 0, 0
    for firm_id, ids in by_firm.items():
        firm = firms[firm_id]
        try:
            changed += service(firm=firm, time_entry_ids=ids, by=request.user)
            done_firms += 1
        except ApplicationError as error:
            model_admin.message_user(request, f"{firm}: {refusal_text(error)}", messages.ERROR)
    if done_firms:  # the count is what changed: entries already so are not counted
        noun = "time entry" if changed == 1 else "time entries"
        model_admin.message_user(request, done.format(count=f"{changed} {noun}"), messages.SUCCESS)
