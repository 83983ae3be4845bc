"""New invoice: bill one client's unbilled time, with items and an adjustment, from the admin.

Reached from the WIP page ("Bill this client") at /admin/billing/new-invoice/?client=<client id>.
The page lists the client's unbilled, billable time that has a rate (approved time only when the
firm bills approved time only), every entry ticked, a few blank item rows (fixed fees,
disbursements), a write-down or write-up with its reason, and the issue and due dates.

"Preview" shows the invoice as it would be, through `invoice_preview` (the same checks and the
same pricing as creating it: nothing is written, no number is taken). "Create invoice" calls
`invoice_create_from_time`, the API's service, and goes to the new invoice's page. A refusal comes
back on the form, in money rather than the API's cents.

Without a client (the Billing section lists the page) it sends to the WIP page to choose one.
Anyone who may see the firm's time may open the page and preview; creating needs a role that
writes in the firm (the API's invoice POST: ADMIN or MEMBER), else 403 and no button. A client the
user's firms do not reach, an unknown id and junk all get the same 404. The page runs a fixed
number of queries however many entries are listed.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.forms import formset_factory
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from axiomatic.admin_site import AdminPage
from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.errors import ApplicationError
from axiomatic.core.forms import MoneyField
from axiomatic.core.money import format_money
from axiomatic.entities.admin_scope import staff_firms, staff_scope
from billing.models import InvoiceLineKind
from billing.serializers import MAX_ENTRIES_PER_INVOICE, MAX_ITEMS_PER_INVOICE
from billing.services.invoices import (
    Adjustment,
    InvoiceItem,
    invoice_create_from_time,
    invoice_preview,
)
from practice.models import ApprovalStatus, BillingStatus, ClientLink, TimeEntry
from practice.selectors import firm_profile

BLANK_ITEMS = 3
WRITE_DOWN, WRITE_UP = "down", "up"


class ItemForm(forms.Form):
    """A fixed fee or disbursement: both fields, or neither (a blank row is left out)."""

    description = forms.CharField(max_length=500, required=False)
    amount = MoneyField(required=False, min_cents=1)

    def clean(self):
        cleaned = super().clean()
        description, amount = cleaned.get("description", "").strip(), cleaned.get("amount")
        if description and amount is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the item's amount.")
        if amount is not None and not description:
            self.add_error("description", "Describe the item.")
        return cleaned

    def item(self) -> InvoiceItem | None:
        description = self.cleaned_data.get("description", "").strip()
        amount = self.cleaned_data.get("amount")
        return InvoiceItem(description, amount) if description and amount else None


ItemFormSet = formset_factory(
    ItemForm, extra=BLANK_ITEMS, max_num=MAX_ITEMS_PER_INVOICE, validate_max=True
)


class NewInvoiceForm(forms.Form):
    entries = forms.MultipleChoiceField(required=False, label="Time entries")
    adjustment_kind = forms.ChoiceField(
        label="Adjustment",
        choices=[(WRITE_DOWN, "Write-down"), (WRITE_UP, "Write-up")],
        initial=WRITE_DOWN,
    )
    adjustment_amount = MoneyField(
        label="Adjustment amount", required=False, help_text="Spread over the lines pro rata."
    )
    adjustment_reason = forms.CharField(
        label="Reason", max_length=500, required=False, help_text="Required with an adjustment."
    )
    issue_date = IsoDateField(label="Issue date", required=False, help_text="Empty: today.")
    due_date = IsoDateField(
        label="Due date", required=False, help_text="Empty: after the firm's payment terms."
    )

    def __init__(self, *args, entry_ids: list[str], currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].choices = [(i, i) for i in entry_ids]
        self.fields["adjustment_amount"].label = f"Adjustment amount ({currency})"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("adjustment_amount") and not cleaned.get("adjustment_reason", "").strip():
            self.add_error("adjustment_reason", "Give the reason for the adjustment.")
        return cleaned

    def adjustment(self) -> Adjustment:
        amount = self.cleaned_data.get("adjustment_amount") or 0
        if self.cleaned_data["adjustment_kind"] == WRITE_DOWN:
            amount = -amount
        return Adjustment(amount, self.cleaned_data.get("adjustment_reason", "").strip())


# The service's field names (the API's) as this form's.
SERVICE_FIELDS = {
    "timeEntryIds": "entries",
    "adjustment.amount": "adjustment_amount",
    "adjustment.reason": "adjustment_reason",
    "dueDate": "due_date",
    "issueDate": "issue_date",
}


def _add_refusal(form: NewInvoiceForm, error: ApplicationError) -> None:
    """The service's refusal on the form: its message, and each field's detail on its field. The
    API counts money in cents; the page says it without them."""
    shown = set()
    for field, details in error.fields.items():
        for detail in details:
            if field == "adjustment.amount":
                detail = (
                    "Would take the total below 0."
                    if "below" in detail
                    else "Would make the total too large."
                )
            elif field == "dueDate":
                detail = "Must not be before the issue date."
            elif "cents" in detail:
                detail = "The invoice total would be too large: bill fewer entries."
            shown.add(detail)
            form.add_error(SERVICE_FIELDS.get(field), detail)
    if error.message and error.message not in shown and "cents" not in error.message:
        form.add_error(None, error.message)


def _client_link(request) -> ClientLink:
    """The active link of one of the user's firms to ?client= (and ?firm=, for someone who reaches
    several): a 404 for an unknown client, junk, or a client the user's firms do not reach."""
    client_id = request.GET.get("client", "")
    links = ClientLink.objects.filter(
        firm__in=staff_firms(request), client__public_id=client_id, archived_at__isnull=True
    )
    if request.GET.get("firm"):
        links = links.filter(firm__public_id=request.GET["firm"])
    link = links.select_related("firm", "client").order_by("firm__name", "id").first()
    scope = staff_scope(request)
    if link is None or (scope is not None and link.client_id not in scope.entity_ids):
        raise Http404("No such client.")
    return link


def _may_create(request, link: ClientLink) -> bool:
    scope = staff_scope(request)
    return scope is None or link.firm_id in scope.writable_firm_ids


def _unbilled_entries(link: ClientLink) -> list[TimeEntry]:
    """The client's time the service would bill: billable, unbilled, with a rate (and approved
    when the firm bills approved time only), oldest first, as many as one invoice takes."""
    entries = TimeEntry.objects.filter(
        firm=link.firm,
        client=link.client,
        billable=True,
        billing_status=BillingStatus.UNBILLED,
        rate_cents__isnull=False,
    )
    if firm_profile(link.firm).require_approval:
        entries = entries.filter(approval_status=ApprovalStatus.APPROVED)
    entries = entries.select_related("user", "engagement").order_by("date", "id")
    return list(entries[:MAX_ENTRIES_PER_INVOICE])


def _entry_rows(entries: list[TimeEntry], chosen: set[str], currency: str) -> list[dict]:
    return [
        {
            "id": e.public_id,
            "checked": e.public_id in chosen,
            "date": e.date,
            "staff": str(e.user) if e.user else "-",
            "engagement": e.engagement.name if e.engagement else "-",
            "description": e.description,
            "hours": e.hours,
            "rate": format_money(e.rate_cents, currency),
            "amount": format_money(e.amount_cents or 0, currency),
        }
        for e in entries
    ]


def _preview_context(preview) -> dict:
    money = lambda cents: format_money(cents, preview.currency)  # noqa: E731
    return {
        "issue_date": preview.issue_date,
        "due_date": preview.due_date,
        "subtotal": money(preview.subtotal_cents),
        "adjustment": money(preview.adjustment_cents) if preview.adjustment_cents else None,
        "adjustment_reason": preview.adjustment_reason,
        "total": money(preview.total_cents),
        "lines": [
            {
                "kind": InvoiceLineKind(line.kind).label,
                "date": line.date,
                "description": line.description,
                "hours": "-" if line.hours is None else line.hours,
                "rate": "-" if line.rate_cents is None else money(line.rate_cents),
                "standard": money(line.standard_amount_cents),
                "adjustment": money(line.adjustment_cents) if line.adjustment_cents else "-",
                "amount": money(line.amount_cents),
            }
            for line in preview.lines
        ],
    }


def new_invoice_view(request):
    if not request.GET.get("client"):
        # Reached from the Billing section's list: the client is chosen on the WIP page.
        messages.info(request, 'Choose the client to bill: each row\'s "Bill this client".')
        return HttpResponseRedirect(reverse("admin:billing_wip"))
    link = _client_link(request)
    firm, currency = link.firm, link.firm.currency
    may_create = _may_create(request, link)
    posted = request.method == "POST"
    creating = posted and "create" in request.POST
    if creating and not may_create:
        raise PermissionDenied
    entries = _unbilled_entries(link)
    entry_ids = [e.public_id for e in entries]
    if posted:
        form = NewInvoiceForm(request.POST, entry_ids=entry_ids, currency=currency)
        items = ItemFormSet(request.POST, prefix="item")
        chosen = set(request.POST.getlist("entries"))
    else:
        form = NewInvoiceForm(
            entry_ids=entry_ids, currency=currency, initial={"entries": entry_ids}
        )
        items = ItemFormSet(prefix="item")
        chosen = set(entry_ids)
    preview = None
    if posted and form.is_valid() and items.is_valid():
        arguments = {
            "firm": firm,
            "link": link,
            "time_entry_ids": form.cleaned_data["entries"],
            "items": [item for f in items.forms if (item := f.item())],
            "adjustment": form.adjustment(),
            "issue_date": form.cleaned_data["issue_date"],
            "due_date": form.cleaned_data["due_date"],
        }
        try:
            if creating:
                invoice = invoice_create_from_time(**arguments, created_by=request.user)
            else:
                preview = invoice_preview(**arguments)
        except ApplicationError as error:
            _add_refusal(form, error)
        else:
            if creating:
                url = reverse("admin:billing_invoice_change", args=[invoice.pk])
                messages.success(
                    request,
                    format_html(
                        "Created {} for {}: total {}.",
                        invoice.display_number,
                        link.client.name,
                        format_money(invoice.total_cents, invoice.currency),
                    ),
                )
                return HttpResponseRedirect(url)
    if posted and (form.errors or any(items.errors) or items.non_form_errors()):
        messages.error(request, "Please correct the errors below.")
    context = {
        **admin.site.each_context(request),
        "title": f"New invoice for {link.client.name}",
        "firm": firm,
        "client": link.client,
        "form": form,
        "items": items,
        "entry_rows": _entry_rows(entries, chosen, currency),
        "listed_all": len(entries) < MAX_ENTRIES_PER_INVOICE,
        "preview": _preview_context(preview) if preview else None,
        "may_create": may_create,
        "wip_url": reverse("admin:billing_wip"),
    }
    return TemplateResponse(request, "admin/billing/new_invoice.html", context)


def register() -> None:
    admin.site.register_page(
        AdminPage(
            app_label="billing",
            slug="new-invoice",
            name="New invoice",
            view=new_invoice_view,
            has_permission=_may_view_time,
            nav=False,
        )
    )


def _may_view_time(request) -> bool:
    model_admin = admin.site._registry.get(TimeEntry)
    return bool(model_admin and model_admin.has_view_permission(request))
