from django import template

from axiomatic.core.money import format_cents

register = template.Library()


@register.filter
def cents(value) -> str:
    """1234567 -> 12,345.67; negatives in parentheses, as statements print them."""
    if value in (None, ""):
        return ""
    return format_cents(int(value))
