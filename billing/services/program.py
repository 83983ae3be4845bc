"""What a client link change costs: recorded when practice announces it (after commit).

Billing keeps the tier and mode it last saw for each link, so an "updated" announcement becomes a
tier change and/or a mode change. Each change carries its effective date and the prorated amount of
the discounted monthly fee for the rest of that month (negative for an archival).
"""

import calendar
import datetime as dt
from collections.abc import Callable

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
    prices = tier_fees_cents()
    _, percent = partner_tier_for(active_client_links(link.firm).count(), partner_tiers())
    snapshot = LinkBillingSnapshot.objects.select_for_update().filter(link=link).first()
    changes = _changes_since_snapshot(
        link,
        snapshot,
        fee=lambda tier: discounted_cents(prices[tier], percent),
        today=timezone.localdate(),
    )
    snapshot = snapshot or LinkBillingSnapshot(link=link)
    snapshot.client_tier = link.client_tier
    snapshot.billing_mode = link.billing_mode
    snapshot.archived = link.archived_at is not None
    snapshot.save()
    ProgramChange.objects.bulk_create(changes)
    return changes


def _changes_since_snapshot(
    link: ClientLink,
    snapshot: LinkBillingSnapshot | None,
    *,
    fee: Callable[[str], int],
    today: dt.date,
) -> list[ProgramChange]:
    """What changed since billing last saw the link; `fee` is a tier's discounted monthly fee."""

    def change(kind: str, before: str, after: str, cents: int) -> ProgramChange:
        return ProgramChange(
            firm_id=link.firm_id,
            link=link,
            kind=kind,
            from_value=before,
            to_value=after,
            effective_date=today,
            prorated_cents=cents,
        )

    if snapshot is None:  # first seen: an active link was added (an archived one costs nothing)
        if link.archived_at is not None:
            return []
        added = _rest_of_month(fee(link.client_tier), today)
        return [change(ProgramChangeKind.ADDED, "", link.client_tier, added)]
    if link.archived_at is not None:
        if snapshot.archived:
            return []
        credit = -_rest_of_month(fee(snapshot.client_tier), today)
        return [change(ProgramChangeKind.ARCHIVED, snapshot.client_tier, "", credit)]
    changes = []
    if snapshot.client_tier != link.client_tier:
        delta = _rest_of_month(fee(link.client_tier) - fee(snapshot.client_tier), today)
        changes.append(
            change(ProgramChangeKind.TIER_CHANGED, snapshot.client_tier, link.client_tier, delta)
        )
    if snapshot.billing_mode != link.billing_mode:
        changes.append(
            change(ProgramChangeKind.MODE_CHANGED, snapshot.billing_mode, link.billing_mode, 0)
        )
    return changes
