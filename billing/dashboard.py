"""The billing panel of the firm dashboard: this month's program fee, from the billing overview."""

from django.template.loader import render_to_string
from django.urls import reverse

from axiomatic.core.money import format_cents
from axiomatic.entities.models import Entity
from billing.selectors import billing_overview


def program_fee_panel(request, firm: Entity) -> dict:
    overview = billing_overview(firm=firm)
    totals = overview["totals"]
    html = render_to_string(
        "admin/dashboard/program_fee.html",
        {
            "overview": overview,
            "firm_pays": format_cents(totals["firmPaysCents"]),
            "clients_pay": format_cents(totals["clientsPayCents"]),
            "sync_url": reverse("admin:billing_stripesyncstate_changelist"),
        },
    )
    return {"id": "program-fee", "title": "Partner program fee this month", "html": html}
