"""Engagements and their tasks in the admin: planning the work (issue 20, journey 2). Creating and
editing an engagement (its details, its billing method, rate, fee and budgets), status changes and
completing or reopening a task all go through the engagement service, as the API's do: its refusals
show on the form or as a message in the API's words. A new engagement starts with its type's
template tasks (`practice.task_templates`); its change page completes and reopens them a row at a
time, completes or reopens the engagement and links the periods of a recurring series."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.defaultfilters import floatformat
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from axiomatic.core.errors import ApplicationError, NotFoundError
from axiomatic.core.forms import MoneyField
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import (
    ScopedChangeList,
    ScopedInline,
    refusal_text,
    staff_scope,
)
from practice.admin.common import _refusal, _run_action, _staff_readonly
from practice.models import Engagement, EngagementStatus, EngagementType, Task
from practice.selectors import (
    active_client_links,
    engagement_budget_used,
    engagements_attach_actuals,
    engagements_with_actuals,
    firm_member,
)
from practice.services.engagements import (
    ECONOMICS,
    engagement_create,
    engagement_set_status,
    engagement_update,
    task_complete,
    task_reopen,
)
from practice.task_templates import STANDARD_TASKS

# What an edit may change (the rest is fixed at creation: firm, client, type, series, start).
EDITABLE = ("name", "due_date", "assignee", "notes", *ECONOMICS)
# The money fields, shown to those who may not change them as amounts in the firm's currency.
NOT_YET = ("public_id", "status", "period_key", "completed_at", "actual", "used")
MONEY_SHOWN_AS = {"rate_cents": "rate", "fee_cents": "fee", "budget_amount_cents": "budget_amount"}


def template_help() -> str:
    """The type's help text: the tasks each type's template starts an engagement with."""
    rows = (
        (
            label,
            "; ".join(f"{t.title} (day {t.due_after_days})" for t in STANDARD_TASKS[value])
            or "no standard tasks",
        )
        for value, label in EngagementType.choices
    )
    return format_html(
        "The engagement starts with its type's template tasks, each due that many days after "
        "the start date and assigned to the engagement's assignee:<ul>{}</ul>",
        format_html_join("", "<li><strong>{}</strong>: {}</li>", rows),
    )


class EngagementForm(forms.ModelForm):
    """Create an engagement with `engagement_create`, edit one with `engagement_update`, in
    `clean()` (inside the admin's transaction), as the API does. Amounts are typed in currency
    units (MoneyField) and kept in cents."""

    rate_cents = MoneyField(
        required=False,
        label="Hourly rate",
        help_text="Time on this engagement without a rate of its own is valued at this.",
    )
    fee_cents = MoneyField(
        required=False,
        label="Fixed fee",
        help_text="Required for a fixed-fee engagement, and only for one.",
    )
    budget_amount_cents = MoneyField(
        required=False,
        label="Budget (amount)",
        help_text="With both budgets set, the share used is of this one.",
    )

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
        labels = {"budget_hours": "Budget (hours)"}
        help_texts = {
            "recurrence": "Completing a recurring engagement creates the next period's, with "
            "its template tasks.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "type" in self.fields:
            self.fields["type"].help_text = template_help()

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
    """The engagement's tasks in order, with their due dates and assignees. Staff who may change
    the engagement complete or reopen a task with its row's button (a POST through the task
    service, from a form outside the page's own: see the change_form template)."""

    model = Task
    extra = 0
    fields = ("position", "title", "due_date", "assignee", "completed_at")
    autocomplete_fields = ("assignee",)
    may_change = False  # set per request (inline instances are made per request)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("assignee")

    def get_fields(self, request, obj=None):
        engagement_admin = self.admin_site._registry[Engagement]
        self.may_change = obj is not None and engagement_admin.has_change_permission(request, obj)
        return (
            (*self.fields, "state", "task_action") if self.may_change else (*self.fields, "state")
        )

    def get_readonly_fields(self, request, obj=None):
        if staff_scope(request) is not None:
            return (*self.fields, "state", "task_action")
        return ("state", "task_action")

    @admin.display(description="State")
    def state(self, task: Task) -> str:
        return "Done" if task.completed_at is not None else "Open"

    @admin.display(description="Complete or reopen")
    def task_action(self, task: Task) -> str:
        if task.pk is None:
            return "-"
        done = task.completed_at is not None
        name = "task_reopen" if done else "task_complete"
        url = reverse(
            f"admin:practice_engagement_{name}", args=[task.engagement_id, task.public_id]
        )
        return format_html(
            '<button type="submit" form="engagement-actions" formaction="{}" '
            'class="button plan-task-button">{} <span class="plan-hidden">task {}</span></button>',
            url,
            "Reopen" if done else "Complete",
            task.title,
        )


class EngagementChangeList(ScopedChangeList):
    def get_results(self, request):
        super().get_results(request)
        engagements_attach_actuals(self.result_list)  # evaluates the page once, as it is shown


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

    # The actuals: annotated on the whole list only when it is sorted by them; otherwise set on
    # the page's rows (and the one object of a change page) by one grouped query. Annotated, the
    # last page of 2,000 engagements took 530 ms: the subqueries ran for every row before it.
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return engagements_with_actuals(queryset) if self._sorted_by_actuals(request) else queryset

    def _sorted_by_actuals(self, request) -> bool:
        columns = list(self.get_list_display(request))
        if self.get_actions(request):
            columns.insert(0, "action_checkbox")  # as the changelist numbers its columns
        for part in request.GET.get(ORDER_VAR, "").split("."):
            index = part.lstrip("-")
            if index.isdigit() and int(index) < len(columns) and columns[int(index)] == "actual":
                return True
        return False

    def get_changelist(self, request, **kwargs):
        return EngagementChangeList

    def get_object(self, request, object_id, from_field=None):
        engagement = super().get_object(request, object_id, from_field)
        if engagement is not None:
            engagements_attach_actuals([engagement])
        return engagement

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()  # a new one's tasks come from its template

    def get_readonly_fields(self, request, obj=None):
        shown = (*self.readonly_fields, *MONEY_SHOWN_AS.values())
        if obj is None:
            return shown
        return (*shown, "firm", "client", "type", "recurrence", "start_date")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            # What only an engagement that exists has (its id, status, actuals, series) is left out.
            return [
                (name, {**options, "fields": [f for f in options["fields"] if f not in NOT_YET]})
                for name, options in fieldsets
                if name != "Series"
            ]
        if self.has_change_permission(request, obj):
            return fieldsets
        # Read-only: the amounts as money in the firm's currency, never as the cents they are kept in.
        return [
            (name, {**options, "fields": [MONEY_SHOWN_AS.get(f, f) for f in options["fields"]]})
            for name, options in fieldsets
        ]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = staff_scope(request)
        if scope is not None and len(scope.writable_firm_ids) == 1 and "firm" not in initial:
            (initial["firm"],) = scope.writable_firm_ids
        return initial

    # -- the change page: status, periods and the tasks' buttons -------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<str:object_id>/tasks/<str:task_id>/complete/",
                wrap(self.task_complete_view),
                name="practice_engagement_task_complete",
            ),
            path(
                "<str:object_id>/tasks/<str:task_id>/reopen/",
                wrap(self.task_reopen_view),
                name="practice_engagement_task_reopen",
            ),
            path(
                "<str:object_id>/complete/",
                wrap(self.engagement_complete_view),
                name="practice_engagement_complete",
            ),
            path(
                "<str:object_id>/reopen/",
                wrap(self.engagement_reopen_view),
                name="practice_engagement_reopen",
            ),
            *super().get_urls(),
        ]

    def _writable(self, request, object_id) -> Engagement:
        """The engagement a button acts on: another firm's or an unknown id is a 404 (as on the
        change page), a read-only role a 403."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def _back(self, engagement: Engagement) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:practice_engagement_change", args=[engagement.pk])
        )

    def _say_status(self, request, before: Engagement, after: Engagement) -> None:
        if after.status == before.status:
            return
        if after.status == EngagementStatus.COMPLETED:
            following = self._periods(after)[1]
            text = "The engagement is completed."
            if following is not None:
                text += f" Next period: {following.name} ({following.period_key}) is planned."
            self.message_user(request, text, messages.SUCCESS)
        else:
            self.message_user(request, f"The engagement is {after.status} again.", messages.INFO)

    def _task_view(self, request, object_id, task_id, service, done: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        engagement = self._writable(request, object_id)
        title = (
            Task.objects.filter(engagement=engagement, public_id=task_id)
            .values_list("title", flat=True)
            .first()
        )
        if title is None:
            raise Http404("No such task.")
        try:
            after = service(
                firm=engagement.firm, public_id=task_id, engagement_id=engagement.public_id
            )
        except NotFoundError as error:
            raise Http404("No such task.") from error
        except ApplicationError as error:
            self.message_user(request, f"{title}: {refusal_text(error)}", messages.ERROR)
        else:
            self.message_user(request, done.format(title=title), messages.SUCCESS)
            self._say_status(request, engagement, after)
        return self._back(engagement)

    def task_complete_view(self, request, object_id, task_id):
        return self._task_view(request, object_id, task_id, task_complete, "Completed “{title}”.")

    def task_reopen_view(self, request, object_id, task_id):
        return self._task_view(request, object_id, task_id, task_reopen, "Reopened “{title}”.")

    def _status_view(self, request, object_id, status: str):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        engagement = self._writable(request, object_id)
        try:
            after = engagement_set_status(
                firm=engagement.firm, public_id=engagement.public_id, status=status
            )
        except ApplicationError as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
        else:
            if after.status == engagement.status:
                self.message_user(request, f"The engagement is already {status}.", messages.INFO)
            self._say_status(request, engagement, after)
        return self._back(engagement)

    def engagement_complete_view(self, request, object_id):
        return self._status_view(request, object_id, EngagementStatus.COMPLETED)

    def engagement_reopen_view(self, request, object_id):
        return self._status_view(request, object_id, EngagementStatus.ACTIVE)

    def _periods(self, obj: Engagement) -> tuple[Engagement | None, Engagement | None]:
        """The series' previous and next occurrences of a recurring engagement, in one query."""
        if not obj.recurrence:
            return None, None
        around = {
            e.occurrence: e
            for e in Engagement.objects.filter(
                firm_id=obj.firm_id,
                series_id=obj.series_id,
                occurrence__in=(obj.occurrence - 1, obj.occurrence + 1),
            ).only("pk", "name", "period_key", "occurrence")
        }
        return around.get(obj.occurrence - 1), around.get(obj.occurrence + 1)

    def save_model(self, request, obj, form, change):
        obj.__dict__.update(form.saved.__dict__)  # saved by the service in the form's clean()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            previous, following = self._periods(obj)
            may_change = self.has_change_permission(request, obj)
            context["plan"] = {
                "engagement": obj,
                "status": obj.get_status_display(),
                "previous": previous,
                "next": following,
                "may_change": may_change,
                "complete_url": reverse("admin:practice_engagement_complete", args=[obj.pk]),
                "reopen_url": reverse("admin:practice_engagement_reopen", args=[obj.pk]),
            }
            for key in ("previous", "next"):
                if context["plan"][key] is not None:
                    context["plan"][f"{key}_url"] = reverse(
                        "admin:practice_engagement_change", args=[context["plan"][key].pk]
                    )
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if request.method == "POST":
            # The form is shown again, so something was refused, possibly after the service wrote
            # in clean() (the inline's data, the model's own checks): the page saves nothing, and
            # neither does the service's write (the admin's transaction is undone; the page is
            # rendered after it).
            transaction.set_rollback(True)
        return response

    def _money(self, obj: Engagement, cents: int | None) -> str:
        return "-" if cents is None else format_money(cents, obj.firm.currency)

    @admin.display(description="Hourly rate")
    def rate(self, obj: Engagement) -> str:
        return self._money(obj, obj.rate_cents)

    @admin.display(description="Fixed fee")
    def fee(self, obj: Engagement) -> str:
        return self._money(obj, obj.fee_cents)

    @admin.display(description="Budget (amount)")
    def budget_amount(self, obj: Engagement) -> str:
        return self._money(obj, obj.budget_amount_cents)

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
