"""What a firm's program billing must be in Stripe, computed from our tables alone.

The firm's own subscription has one item per client tier plan, with quantity = its active
consolidated clients in that tier, and the volume discount (its partner tier's percent) as a coupon.
Each active client_direct client has its own subscription of one item: its tier's plan at the
discounted amount (the volume discount applies to every program client, whoever pays).

Plans and coupons carry ids derived from what they charge (tier, amount, currency; percent), so an
id never changes meaning: a price edited in the admin is a new plan, not an edited one.
"""

from dataclasses import dataclass, field

from axiomatic.core.money import discounted_cents
from axiomatic.entities.models import Entity
from billing.pricing import partner_tier_for, partner_tiers
from practice.models import BillingMode, ClientLink
from practice.pricing import tier_fees_cents
from practice.selectors import active_client_links

PRODUCT_ID = "axiomatic-partner-program"
PRODUCT_NAME = "Axiomatic partner program"
CURRENCY = "usd"


def plan_id(tier: str, cents: int) -> str:
    return f"axiomatic-{tier.lower()}-{cents}-{CURRENCY}"


def coupon_id(percent: int) -> str:
    return f"axiomatic-volume-{percent}pct"


@dataclass
class DesiredProgram:
    firm: Entity
    items: dict[str, int]  # plan id -> quantity, consolidated clients only
    coupon_percent: int
    direct: dict[int, str]  # ClientLink id -> plan id (discounted)
    plans: dict[str, tuple[str, int]] = field(default_factory=dict)  # plan id -> (tier, cents)
    links: dict[int, ClientLink] = field(default_factory=dict)


def desired_program(firm: Entity) -> DesiredProgram:
    """What Stripe must hold for this firm, from the database (three queries)."""
    links = list(active_client_links(firm).select_related("client").order_by("id"))
    prices = tier_fees_cents()
    _, percent = partner_tier_for(len(links), partner_tiers())
    desired = DesiredProgram(firm=firm, items={}, coupon_percent=percent, direct={})
    for link in links:
        desired.links[link.id] = link
        list_cents = prices[link.client_tier]
        if link.billing_mode == BillingMode.CONSOLIDATED:
            plan = plan_id(link.client_tier, list_cents)
            desired.plans[plan] = (link.client_tier, list_cents)
            desired.items[plan] = desired.items.get(plan, 0) + 1
        else:
            cents = discounted_cents(list_cents, percent)
            plan = plan_id(link.client_tier, cents)
            desired.plans[plan] = (link.client_tier, cents)
            desired.direct[link.id] = plan
    return desired
