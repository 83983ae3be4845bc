"""The billing panel of the firm dashboard: this month's program fee, from the billing overview."""

from django.template.loader import render_to_string
from django.urls import reverse

from axiomatic.core.money import format_cents
from axiomatic.entities.models import Entity
from billing.selectors import billing_overview
from billing.serializers import BillingOverviewSerializer


def program_fee_panel(request, firm: Entity) -> dict:
    overview = billing_overview(firm=firm)
    html = render_to_string(
        "admin/dashboard/program_fee.html",
        {
            # The panel shows the overview as the API answers it (the template reads its names).
            "overview": BillingOverviewSerializer(overview).data,
            "firm_pays": format_cents(overview.totals.firm_pays_cents),
            "clients_pay": format_cents(overview.totals.clients_pay_cents),
            "sync_url": reverse("admin:billing_stripesyncstate_changelist"),
        },
    )
    return {"id": "program-fee", "title": "Partner program fee this month", "html": html}
