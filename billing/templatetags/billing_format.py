"""Money on the client's pages: `{{ invoice.total_cents|money:invoice.currency }}` -> $1,234.56,
through `axiomatic.core.money.format_money`, the one place cents become text. A negative amount (a
write-down) reads -$120.00."""

from django import template

from axiomatic.core.money import format_money

register = template.Library()


@register.filter
def money(cents, currency: str = "USD") -> str:
    if cents in (None, ""):
        return ""
    return format_money(int(cents), currency)
