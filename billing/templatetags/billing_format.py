"""Money on the client's pages: `{{ invoice.total_cents|money:invoice.currency }}` -> $1,234.56.

Amounts stay integer cents everywhere; `axiomatic.core.money.format_cents` does the digits and this
adds the currency: its symbol where one is unambiguous for our currencies, else its ISO code after
the amount. A negative amount (a write-down) reads -$120.00.
"""

from django import template

from axiomatic.core.money import format_cents

register = template.Library()

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


@register.filter
def money(cents, currency: str = "USD") -> str:
    if cents in (None, ""):
        return ""
    cents = int(cents)
    digits = format_cents(abs(cents))
    sign = "-" if cents < 0 else ""
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        return f"{sign}{digits} {currency}"
    return f"{sign}{symbol}{digits}"
