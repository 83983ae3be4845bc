"""What a client link change costs: recorded when practice announces it (after commit).

Billing keeps the tier and mode it last saw for each link, so an "updated" announcement becomes a
tier change and/or a mode change. Each change carries its effective date and the prorated amount of
the discounted monthly fee for the rest of that month (negative for an archival).
"""

import calendar
import datetime as dt

from django.db import transaction
from django.utils import timezone

from axiomatic.core.money import discounted_cents, prorated_cents
from billing.models import LinkBillingSnapshot, ProgramChange, ProgramChangeKind
from billing.pricing import partner_tier_for, partner_tiers
from practice.models import ClientLink
from practice.pricing import tier_fees_cents
from practice.selectors import active_client_links


def _rest_of_month(cents: int, day: dt.date) -> int:
    days_in_month = calendar.monthrange(day.year, day.month)[1]
    return prorated_cents(cents, days=days_in_month - day.day + 1, days_in_period=days_in_month)


@transaction.atomic
def program_change_record(*, link_id: int, change: str) -> list[ProgramChange]:
    link = ClientLink.objects.select_for_update().filter(pk=link_id).first()
    if link is None:
        return []
    today = timezone.localdate()
    prices = tier_fees_cents()
    _, percent = partner_tier_for(active_client_links(link.firm).count(), partner_tiers())

    def fee(tier: str) -> int:
        return discounted_cents(prices[tier], percent)

    snapshot = LinkBillingSnapshot.objects.select_for_update().filter(link=link).first()
    changes: list[ProgramChange] = []

    def add(kind, before, after, cents):
        changes.append(
            ProgramChange(
                firm_id=link.firm_id,
                link=link,
                kind=kind,
                from_value=before,
                to_value=after,
                effective_date=today,
                prorated_cents=cents,
            )
        )

    if snapshot is None:
        if link.archived_at is None:
            add(
                ProgramChangeKind.ADDED,
                "",
                link.client_tier,
                _rest_of_month(fee(link.client_tier), today),
            )
        snapshot = LinkBillingSnapshot(link=link)
    elif link.archived_at is not None and not snapshot.archived:
        add(
            ProgramChangeKind.ARCHIVED,
            snapshot.client_tier,
            "",
            -_rest_of_month(fee(snapshot.client_tier), today),
        )
    elif link.archived_at is None:
        if snapshot.client_tier != link.client_tier:
            delta = fee(link.client_tier) - fee(snapshot.client_tier)
            add(
                ProgramChangeKind.TIER_CHANGED,
                snapshot.client_tier,
                link.client_tier,
                _rest_of_month(delta, today),
            )
        if snapshot.billing_mode != link.billing_mode:
            add(ProgramChangeKind.MODE_CHANGED, snapshot.billing_mode, link.billing_mode, 0)
    snapshot.client_tier = link.client_tier
    snapshot.billing_mode = link.billing_mode
    snapshot.archived = link.archived_at is not None
    snapshot.save()
    ProgramChange.objects.bulk_create(changes)
    return changes
