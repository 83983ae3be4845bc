"""The billing panel of the firm dashboard: this month's program fee, from the billing overview."""

from django.template.loader import render_to_string
from django.urls import reverse

from axiomatic.core.money import format_money
from axiomatic.entities.models import Entity
from billing.selectors import billing_overview


def program_fee_panel(request, firm: Entity) -> dict:
    overview = billing_overview(firm=firm, with_changes=False)
    html = render_to_string(
        "admin/dashboard/program_fee.html",
        {
            "overview": overview,
            # The program bills in USD, whatever currency the firm keeps its books in.
            "firm_pays": format_money(overview.totals.firm_pays_cents, "USD"),
            "clients_pay": format_money(overview.totals.clients_pay_cents, "USD"),
            "sync_url": reverse("admin:billing_stripesyncstate_changelist"),
        },
    )
    return {"id": "program-fee", "title": "Partner program fee this month", "html": html}
