"""Review in the admin: a staff member's week of time to approve, and the budgets used.

- Approvals (/admin/practice/approvals/?staff=<user id>&week=YYYY-MM-DD): one of the firm's people
  and a week (the Monday of the day given; this week by default), their entries of it by day with
  each day's total. A firm ADMIN (who `may_approve`) approves the week's open, unbilled entries at
  once, or the entries ticked, and returns ticked entries to open, through the approval services
  the API calls: their refusals are the page's messages. Everyone else reads the page, and a POST
  from them is a 403 that changes nothing.
- Budgets (/admin/practice/budgets/): the firm's engagements with a budget (the active ones unless
  a status is chosen), each with its budget, what its time is worth and took so far, and the share
  used (`engagement_budget_used`, as the engagement changelist shows it), over budget highlighted.

The firm is the staff member's; someone who reaches several (a superuser reaches every firm)
chooses one. A person, a firm or a client that is not the firm's is the same "No such ..." error as
an unknown id, and a date that is not one is an error too, never a 500. Each page runs a fixed
number of queries, whatever the number of entries or engagements.
"""

import datetime as dt
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_scope import refusal_text, staff_firms
from practice import selectors
from practice.models import (
    ApprovalStatus,
    BillingStatus,
    Engagement,
    EngagementStatus,
    TimeEntry,
)
from practice.services.approvals import (
    may_approve,
    time_entries_approve,
    time_entries_unapprove,
)

HOURS_ZERO = Decimal("0.00")


def hours_text(hours: Decimal) -> str:
    return f"{hours:.2f} h"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


class FirmQueryForm(forms.Form):
    """The firm (when the user reaches more than one). Always bound: an empty query is the page's
    default."""

    firm = forms.ChoiceField(required=False, error_messages={"invalid_choice": "No such firm."})

    def __init__(self, data, *, firms: list):
        data = data.copy()
        if len(firms) == 1 and not data.get("firm"):
            data["firm"] = firms[0].public_id
        super().__init__(data)
        self.firms = {firm.public_id: firm for firm in firms}
        self.fields["firm"].choices = [
            ("", "Choose a firm"),
            *((f.public_id, f.name) for f in firms),
        ]
        self.chosen_firm = self.firms.get(data.get("firm") or "")

    def clean_firm(self):
        return self.firms.get(self.cleaned_data["firm"])

    @property
    def several_firms(self) -> bool:
        return len(self.firms) > 1

    def error_texts(self) -> list[str]:
        return [
            f"{self.fields[name].label or name.capitalize()}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]


class ApprovalQueryForm(FirmQueryForm):
    staff = forms.ChoiceField(
        label="Staff member",
        required=False,
        error_messages={"invalid_choice": "No such staff member in this firm."},
    )
    week = IsoDateField(label="Week of", required=False)

    def __init__(self, data, *, firms: list):
        super().__init__(data, firms=firms)
        people = list(selectors.firm_people(firm=self.chosen_firm)) if self.chosen_firm else []
        self.people = {m.user.public_id: m.user for m in people}
        self.fields["staff"].choices = [
            ("", "Choose a staff member"),
            *((m.user.public_id, m.user.full_name or m.user.email) for m in people),
        ]

    def clean_staff(self):
        return self.people.get(self.cleaned_data["staff"])

    def clean_week(self) -> dt.date:
        return monday_of(self.cleaned_data["week"] or timezone.localdate())


# -- Approvals --------------------------------------------------------------------------------------


def _entry_row(entry: TimeEntry, currency: str) -> dict:
    billed = entry.billing_status == BillingStatus.BILLED
    return {
        "id": entry.public_id,
        "date": entry.date,
        "client": entry.client.name,
        "engagement": entry.engagement.name if entry.engagement else "—",
        "description": entry.description,
        "hours": hours_text(entry.hours),
        "amount": "—" if entry.amount_cents is None else format_money(entry.amount_cents, currency),
        "approved": entry.approval_status == ApprovalStatus.APPROVED,
        "billed": billed,
        "invoice": entry.invoice_number or "",
    }


def week_report(entries: list[TimeEntry], currency: str) -> dict:
    """The week's entries grouped by day (days without time left out), each day's and the week's
    hours and amounts."""
    days: dict[dt.date, list[TimeEntry]] = {}
    for entry in entries:
        days.setdefault(entry.date, []).append(entry)

    def totals(rows: list[TimeEntry]) -> dict:
        return {
            "hours": hours_text(sum((e.hours for e in rows), HOURS_ZERO)),
            "amount": format_money(sum(e.amount_cents or 0 for e in rows), currency),
        }

    return {
        "days": [
            {"date": day, "entries": [_entry_row(e, currency) for e in rows], **totals(rows)}
            for day, rows in days.items()
        ],
        "total": totals(entries),
        "to_approve": [
            e.public_id
            for e in entries
            if e.approval_status == ApprovalStatus.OPEN
            and e.billing_status == BillingStatus.UNBILLED
        ],
    }


def _week_url(firm, user, monday: dt.date) -> str:
    query = {"firm": firm.public_id, "staff": user.public_id, "week": monday.isoformat()}
    return f"{reverse('admin:practice_approvals')}?{urlencode(query)}"


def _count(n: int) -> str:
    return f"{n} time {'entry' if n == 1 else 'entries'}"


def _approve(request, firm, entries: list[TimeEntry], report: dict) -> None:
    """Run the approval the POST asks for, on entries of the page only; say what happened."""
    action = request.POST.get("action")
    shown = {e.public_id for e in entries}
    if action == "approve_week":
        ids, service = report["to_approve"], time_entries_approve
    elif action in ("approve", "unapprove"):
        ids = list(dict.fromkeys(request.POST.getlist("entry")))
        service = time_entries_approve if action == "approve" else time_entries_unapprove
    else:
        messages.error(request, "Choose what to do: approve the week, or approve or unapprove.")
        return
    if any(i not in shown for i in ids):
        messages.error(request, "Only the entries listed on this page can be changed here.")
        return
    if not ids:
        messages.warning(request, "No entries to change: tick the entries first.")
        return
    try:
        changed = service(firm=firm, time_entry_ids=ids, by=request.user)
    except ApplicationError as error:
        messages.error(request, refusal_text(error))
        return
    done = "Approved" if service is time_entries_approve else "Returned to open:"
    messages.success(request, f"{done} {_count(changed)}.")


def approvals_page(request):
    firms = list(staff_firms(request).order_by("name", "id"))
    form = ApprovalQueryForm(request.GET, firms=firms)
    firm = form.chosen_firm
    approver = firm is not None and may_approve(firm=firm, user=request.user)
    if request.method == "POST":
        if firm is not None and not approver:
            raise PermissionDenied  # the API's 403: only the firm's admins approve
        if form.is_valid() and form.cleaned_data["firm"] and form.cleaned_data["staff"]:
            person, monday = form.cleaned_data["staff"], form.cleaned_data["week"]
            entries = list(selectors.week_time_entries(firm=firm, user=person, monday=monday))
            _approve(request, firm, entries, week_report(entries, firm.currency))
            return redirect(_week_url(firm, person, monday))
        return redirect(request.get_full_path())  # nothing to change: the page says why
    context = {
        **admin.site.each_context(request),
        "title": "Approvals",
        "form": form,
        "report": None,
    }
    if not form.is_valid():
        for text in form.error_texts():
            messages.error(request, text)
    elif form.cleaned_data["firm"] is None:
        if firms:
            messages.info(request, "Choose a firm to see its people's time.")
        else:
            messages.warning(request, "You are not a member of any firm.")
    elif form.cleaned_data["staff"] is None:
        messages.info(request, "Choose a staff member and a week to see their time.")
    else:
        person, monday = form.cleaned_data["staff"], form.cleaned_data["week"]
        entries = list(selectors.week_time_entries(firm=firm, user=person, monday=monday))
        context |= {
            "firm": firm,
            "person": person,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "report": week_report(entries, firm.currency),
            "may_approve": approver,
            "previous_url": _week_url(firm, person, monday - dt.timedelta(days=7)),
            "next_url": _week_url(firm, person, monday + dt.timedelta(days=7)),
        }
    return TemplateResponse(request, "admin/practice/approvals.html", context)


# -- Budgets ----------------------------------------------------------------------------------------

STATUS_CHOICES = [
    (EngagementStatus.ACTIVE, "Active"),
    (EngagementStatus.COMPLETED, "Completed"),
    (EngagementStatus.CANCELLED, "Cancelled"),
    ("all", "All"),
]


class BudgetQueryForm(FirmQueryForm):
    client = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "No such client of this firm."}
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, required=False, error_messages={"invalid_choice": "No such status."}
    )
    over = forms.BooleanField(label="Over budget only", required=False)

    def __init__(self, data, *, firms: list):
        super().__init__(data, firms=firms)
        links = (
            list(
                selectors.active_client_links(self.chosen_firm)
                .select_related("client")
                .order_by("client__name", "id")
            )
            if self.chosen_firm
            else []
        )
        self.clients = {link.client.public_id: link.client for link in links}
        self.fields["client"].choices = [
            ("", "All clients"),
            *((link.client.public_id, link.client.name) for link in links),
        ]

    def clean_client(self):
        return self.clients.get(self.cleaned_data["client"])

    def clean_status(self) -> str | None:
        status = self.cleaned_data["status"] or EngagementStatus.ACTIVE
        return None if status == "all" else status


def _budget_row(engagement: Engagement, currency: str) -> dict:
    share = selectors.engagement_budget_used(engagement)
    budget = []
    if engagement.budget_amount_cents is not None:
        budget.append(format_money(engagement.budget_amount_cents, currency))
    if engagement.budget_hours is not None:
        budget.append(hours_text(engagement.budget_hours))
    return {
        "client": engagement.client.name,
        "name": engagement.name,
        "url": reverse("admin:practice_engagement_change", args=[engagement.pk]),
        "status": engagement.get_status_display(),
        "budget": " / ".join(budget),
        "actual_amount": format_money(engagement.actual_amount_cents, currency),
        "actual_hours": hours_text(engagement.actual_hours),
        "used": "—" if share is None else f"{floatformat(share * 100, 0)}%",
        "bar": 0 if share is None else min(int(share * 100), 100),
        "over": engagement.over_budget,
    }


def budgets_page(request):
    firms = list(staff_firms(request).order_by("name", "id"))
    form = BudgetQueryForm(request.GET, firms=firms)
    context = {
        **admin.site.each_context(request),
        "title": "Budgets",
        "form": form,
        "rows": None,
    }
    if not form.is_valid():
        for text in form.error_texts():
            messages.error(request, text)
    elif form.cleaned_data["firm"] is None:
        if firms:
            messages.info(request, "Choose a firm to see its budgets.")
        else:
            messages.warning(request, "You are not a member of any firm.")
    else:
        firm = form.cleaned_data["firm"]
        engagements = selectors.engagement_budgets(
            firm=firm,
            client=form.cleaned_data["client"],
            status=form.cleaned_data["status"],
            over_budget_only=form.cleaned_data["over"],
        )
        rows = [_budget_row(e, firm.currency) for e in engagements]
        context |= {"firm": firm, "rows": rows, "over_count": sum(r["over"] for r in rows)}
    return TemplateResponse(request, "admin/practice/budgets.html", context)


def _may_view(model):
    def has_permission(request) -> bool:
        model_admin = admin.site._registry.get(model)
        return bool(model_admin and model_admin.has_view_permission(request))

    return has_permission


# Registered when the practice admin imports this module (Approvals, then Budgets).
admin.site.register_page(
    AdminPage(
        app_label="practice",
        slug="approvals",
        name="Approvals",
        view=approvals_page,
        has_permission=_may_view(TimeEntry),
    )
)
admin.site.register_page(
    AdminPage(
        app_label="practice",
        slug="budgets",
        name="Budgets",
        view=budgets_page,
        has_permission=_may_view(Engagement),
    )
)
