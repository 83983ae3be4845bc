"""Invoices as the billed client sees them: the client's own people, not the firm's staff.

A client user reaches an invoice because they belong to (have a Membership of) the entity it bills,
whatever their role there. Firm staff, even of the firm that issued it, do not reach it here unless
they are members of the client entity too: these reads back the client's pages, and the firm has
its own (the admin, the API). An unknown id, a malformed one and another entity's invoice all come
back as None, so every page answers them with the same 404.

Voided invoices stay visible, marked void with nothing due: the client may have been sent the
invoice and should see that it no longer stands. Voided payments are left out; the live ones are
what `amount_paid_cents` sums.
"""

from collections import defaultdict

from django.db.models import Prefetch

from axiomatic.core.ids import is_public_id
from axiomatic.entities.models import Entity
from billing.models import Invoice, InvoiceLine, Payment


def client_invoices_by_entity(*, entities: list[Entity]) -> dict[int, list[Invoice]]:
    """The invoices billed to each of `entities` (by entity pk), newest first. One query whatever
    the number of entities and invoices. The caller passes only entities the user belongs to."""
    by_entity: dict[int, list[Invoice]] = defaultdict(list)
    invoices = (
        Invoice.objects.filter(client__in=[entity.pk for entity in entities])
        .select_related("firm")
        .order_by("client_id", "-issue_date", "-number", "-id")
    )
    for invoice in invoices:
        by_entity[invoice.client_id].append(invoice)
    return dict(by_entity)


def client_invoice_get(*, user, public_id: str) -> Invoice | None:
    """The invoice `public_id` if `user` belongs to the entity it bills, else None; with its firm,
    client, lines and live payments (four queries)."""
    if not is_public_id(public_id, "inv") or not user.is_authenticated:
        return None
    lines = InvoiceLine.objects.order_by("position", "id")
    payments = Payment.objects.filter(voided_at__isnull=True).order_by("date", "id")
    return (
        Invoice.objects.filter(public_id=public_id, client__memberships__user=user)
        .select_related("firm", "client")
        .prefetch_related(
            Prefetch("lines", queryset=lines), Prefetch("payments", queryset=payments)
        )
        .first()
    )
