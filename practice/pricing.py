"""The program's monthly fee per client tier, as practice shows it on a client link.

The billing app owns the price table (editable in the admin) and registers it here at start-up with
`register_fee_source`; until one is registered (or for a tier it does not know) the published list
prices below apply. Practice never imports billing: it sits below it.
"""

from collections.abc import Callable

from axiomatic.core.money import cents_to_units
from practice.models import ClientTier

LIST_PRICES_CENTS: dict[str, int] = {
    ClientTier.STARTER: 7_900,
    ClientTier.PROFESSIONAL: 14_900,
    ClientTier.BUSINESS: 29_900,
}

FeeSource = Callable[[], dict[str, int]]
_fee_source: FeeSource | None = None


def register_fee_source(source: FeeSource | None) -> None:
    global _fee_source
    _fee_source = source


def tier_fees_cents() -> dict[str, int]:
    """Every tier's monthly fee in cents (one read of the price table per call)."""
    fees = dict(LIST_PRICES_CENTS)
    if _fee_source is not None:
        fees.update(_fee_source())
    return fees


def fee_fields(tier: str, fees: dict[str, int] | None = None) -> dict[str, int]:
    """{"monthlyFee": 79, "monthlyFeeCents": 7900}: whole units, as the contract shows, and cents."""
    cents = (fees or tier_fees_cents())[tier]
    units = cents_to_units(cents) if cents % 100 == 0 else round(cents / 100, 2)
    return {"monthlyFee": units, "monthlyFeeCents": cents}
