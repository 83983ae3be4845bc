"""Reads of the program price tables (one query each)."""

from billing.models import ClientTierPrice, PartnerTier

FALLBACK_TIER = ("REGISTERED", 0)


def tier_prices_cents() -> dict[str, int]:
    return dict(ClientTierPrice.objects.values_list("tier", "monthly_cents"))


def partner_tiers() -> list[PartnerTier]:
    return list(PartnerTier.objects.order_by("min_clients"))


def partner_tier_for(active_clients: int, tiers: list[PartnerTier]) -> tuple[str, int]:
    """(name, discount percent) of the highest tier whose threshold the count reaches."""
    reached = [t for t in tiers if t.min_clients <= active_clients]
    if not reached:
        return FALLBACK_TIER
    best = max(reached, key=lambda t: t.min_clients)
    return best.name, best.discount_percent
