"""Realization as an admin page under Billing (/admin/billing/realization/), from the receivables
selector the API's /api/practice/billing/realization answers with.

Per client, of the invoices issued in a period (from January 1 of this year to today unless dates
are given): the standard value of what was billed, what was billed, what was collected, billing
realization (billed / standard) and collection realization (collected / billed), then the totals;
every amount with `format_money` in the firm's currency. The firm is the staff member's; someone who
reaches several (a superuser reaches every firm) chooses one. A date that is not one, outside the
API's bounds, or a period that ends before it starts is an error message and no figures, never a
500.

The page runs a fixed number of queries whatever the number of invoices or clients: the session and
user, the staff scope and its firms, the report's one grouped query, and one look-up of the clients'
primary keys for the links to their invoices.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.money import format_money
from axiomatic.entities.admin_scope import staff_firms
from axiomatic.entities.models import Entity
from billing.models import Invoice
from billing.selectors.receivables import RealizationRow, realization


class RealizationQueryForm(forms.Form):
    """The firm (when the user reaches more than one) and the period of issue dates. Always bound:
    an empty query is this year to date."""

    firm = forms.ChoiceField(required=False, error_messages={"invalid_choice": "No such firm."})
    date_from = IsoDateField(label="From", required=False)
    date_to = IsoDateField(label="To", required=False)

    def __init__(self, data, *, firms: list):
        data = data.copy()
        today = timezone.localdate()
        if not data.get("date_from"):
            data["date_from"] = today.replace(month=1, day=1).isoformat()
        if not data.get("date_to"):
            data["date_to"] = today.isoformat()
        if len(firms) == 1 and not data.get("firm"):
            data["firm"] = firms[0].public_id
        super().__init__(data)
        self.firms = {firm.public_id: firm for firm in firms}
        self.fields["firm"].choices = [
            ("", "Choose a firm"),
            *((f.public_id, f.name) for f in firms),
        ]

    def clean_firm(self):
        return self.firms.get(self.cleaned_data["firm"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError({"date_from": "Must not be after the end of the period."})
        return cleaned

    @property
    def several_firms(self) -> bool:
        return len(self.firms) > 1


def _percent(share) -> str:
    return "—" if share is None else f"{floatformat(share * 100, 1)}%"


def _cells(row: RealizationRow, currency: str) -> list[str]:
    return [
        f"{row.hours:.2f} h",
        format_money(row.standard_amount, currency),
        format_money(row.billed_amount, currency),
        format_money(row.collected_amount, currency),
        _percent(row.billing_realization),
        _percent(row.collection_realization),
    ]


COLUMNS = (
    "Hours",
    "Standard value",
    "Billed",
    "Collected",
    "Billing realization",
    "Collection realization",
)


def realization_report(firm: Entity, date_from, date_to) -> dict:
    report = realization(firm=firm, date_from=date_from, date_to=date_to, group_by="client")
    pks = dict(
        Entity.objects.filter(public_id__in=[r.key for r in report.rows]).values_list(
            "public_id", "pk"
        )
    )
    invoices = reverse("admin:billing_invoice_changelist")
    return {
        "columns": COLUMNS,
        "rows": [
            {
                "name": row.name,
                "url": f"{invoices}?{urlencode({'client__id__exact': pks[row.key]})}"
                if row.key in pks
                else None,
                "cells": _cells(row, firm.currency),
            }
            for row in report.rows
        ],
        "totals": _cells(report.totals, firm.currency),
    }


def realization_page(request):
    firms = list(staff_firms(request).order_by("name", "id"))
    form = RealizationQueryForm(request.GET, firms=firms)
    context = {
        **admin.site.each_context(request),
        "title": "Realization",
        "form": form,
        "report": None,
    }
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label or field.capitalize()}: {error}")
    elif form.cleaned_data["firm"] is None:
        if firms:
            messages.info(request, "Choose a firm to see its figures.")
        else:
            messages.warning(request, "You are not a member of any firm.")
    else:
        firm = form.cleaned_data["firm"]
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        context |= {
            "firm": firm,
            "date_from": start,
            "date_to": end,
            "report": realization_report(firm, start, end),
        }
    return TemplateResponse(request, "admin/billing/realization.html", context)


def _may_view_invoices(request) -> bool:
    model_admin = admin.site._registry.get(Invoice)
    return bool(model_admin and model_admin.has_view_permission(request))


admin.site.register_page(
    AdminPage(
        app_label="billing",
        slug="realization",
        name="Realization",
        view=realization_page,
        has_permission=_may_view_invoices,
    )
)
