"""AR aging and work in progress as admin pages under Billing, from the receivables selectors.

Each page shows one firm's report as of a day (default today): one row per client, then the totals,
every amount with `format_money`. The firm is the staff member's; someone who reaches several (a
superuser reaches every firm) chooses one first. A date that is not one, or one outside the API's
bounds, is an error message and no figures, never a 500. Each client's row links to what makes its
figure up: its invoices (aging), or its billable time still unbilled and dated by the day (WIP),
and a WIP row offers "Bill this client" (the new invoice page, `billing.admin.new_invoice`).

The pages run a fixed number of queries whatever the number of invoices or entries: the session and
user, the staff scope and its firms, the report's one grouped query, and one look-up of the clients'
primary keys for the links (the reports name clients by public id).
"""

from collections.abc import Callable

from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from axiomatic.admin_site import AdminPage
from axiomatic.core.money import format_money
from axiomatic.entities.admin_scope import staff_firms
from axiomatic.entities.models import Entity
from billing.admin.forms import ReportQueryForm
from billing.models import Invoice
from billing.selectors.receivables import BUCKETS, ar_aging, wip
from practice.models import BillingStatus, TimeEntry

AGING_COLUMNS = ("Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Total")


def _client_pks(public_ids: list[str]) -> dict[str, int]:
    return dict(Entity.objects.filter(public_id__in=public_ids).values_list("public_id", "pk"))


def aging_report(firm: Entity, as_of) -> dict:
    aging = ar_aging(firm=firm, as_of=as_of)
    pks = _client_pks([c.client_entity_id for c in aging.clients])
    invoices = reverse("admin:billing_invoice_changelist")

    def cells(row) -> list[str]:
        return [format_money(getattr(row, name), aging.currency) for name in (*BUCKETS, "total")]

    return {
        "columns": AGING_COLUMNS,
        "rows": [
            {
                "name": c.name,
                "url": f"{invoices}?{urlencode({'client__id__exact': pks[c.client_entity_id]})}",
                "cells": cells(c),
            }
            for c in aging.clients
        ],
        "totals": cells(aging.totals),
        "empty": "No open balances.",
    }


def wip_report(firm: Entity, as_of) -> dict:
    report = wip(firm=firm, as_of=as_of)
    pks = _client_pks([c.client_entity_id for c in report.clients])
    time_entries = reverse("admin:practice_timeentry_changelist")
    new_invoice = reverse("admin:billing_new_invoice")

    def link(client_pk: int) -> str:
        query = {
            "client__id__exact": client_pk,
            "billable__exact": 1,
            "billing_status__exact": BillingStatus.UNBILLED,
            "date__lte": as_of.isoformat(),
        }
        return f"{time_entries}?{urlencode(query)}"

    return {
        "columns": ("Entries", "Hours", "Amount", "Oldest entry"),
        "rows": [
            {
                "name": c.name,
                "url": link(pks[c.client_entity_id]),
                # "Bill this client": the new invoice page, for this client at this firm.
                "bill": {"url": new_invoice, "client": c.client_entity_id, "firm": firm.public_id},
                "cells": [
                    str(c.entries),
                    str(c.hours),
                    format_money(c.amount, report.currency),
                    c.oldest_date.isoformat() if c.oldest_date else "-",
                ],
            }
            for c in report.clients
        ],
        "totals": [
            str(report.totals.entries),
            str(report.totals.hours),
            format_money(report.totals.amount, report.currency),
            "",
        ],
        "empty": "No unbilled billable time.",
        # The links list the time unbilled now; a past day's report counts time billed since.
        "note": None
        if as_of >= timezone.localdate()
        else "Each client's link lists its time that is unbilled today, dated by that day.",
    }


def _report_view(*, title: str, build: Callable[[Entity, object], dict], other: tuple[str, str]):
    def view(request):
        firms = list(staff_firms(request).order_by("name", "id"))
        form = ReportQueryForm(request.GET, firms=firms)
        context = {
            **admin.site.each_context(request),
            "title": title,
            "form": form,
            "report": None,
            "other_report": {"name": other[0], "url": reverse(other[1])},
        }
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label or field.replace("_", " ").capitalize()
                for error in errors:
                    messages.error(request, f"{label}: {error}")
        elif form.cleaned_data["firm"] is None:
            if firms:
                messages.info(request, "Choose a firm to see its figures.")
            else:
                messages.warning(request, "You are not a member of any firm.")
        else:
            firm, as_of = form.cleaned_data["firm"], form.cleaned_data["as_of"]
            context |= {"firm": firm, "as_of": as_of, "report": build(firm, as_of)}
        return TemplateResponse(request, "admin/billing/receivables_report.html", context)

    return view


def _may_view(model) -> Callable:
    def has_permission(request) -> bool:
        model_admin = admin.site._registry.get(model)
        return bool(model_admin and model_admin.has_view_permission(request))

    return has_permission


def register() -> None:
    admin.site.register_page(
        AdminPage(
            app_label="billing",
            slug="ar-aging",
            name="AR aging",
            view=_report_view(
                title="AR aging",
                build=aging_report,
                other=("Work in progress", "admin:billing_wip"),
            ),
            has_permission=_may_view(Invoice),
        )
    )
    admin.site.register_page(
        AdminPage(
            app_label="billing",
            slug="wip",
            name="Work in progress",
            view=_report_view(
                title="Work in progress (unbilled time)",
                build=wip_report,
                other=("AR aging", "admin:billing_ar_aging"),
            ),
            has_permission=_may_view(TimeEntry),
        )
    )
