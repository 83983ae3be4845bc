"""Money: integer cents everywhere inside. Every conversion and every rounding lives here.

- An amount for time is hours x rate (cents per hour), rounded half-up to the cent, per line.
  An invoice total is the sum of its rounded lines, never a rounding of the sum.
- `monthlyFee` in the contract is whole currency units (79); `cents_to_units` makes it.
- Program fees: a volume discount and a proration for part of a month, each rounded half-up once.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENTS_PER_UNIT = 100
MAX_CENTS = 10**15  # ten trillion in currency units: far above any real amount, far below int64


def amount_cents(*, hours: Decimal, rate_cents: int) -> int:
    """Hours x rate in cents, rounded half-up to the cent."""
    if not isinstance(hours, Decimal):
        raise TypeError("hours must be a Decimal")
    return int((hours * rate_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def cents_to_units(cents: int) -> int:
    """Whole currency units from cents; only for amounts that are whole units by construction."""
    units, remainder = divmod(cents, CENTS_PER_UNIT)
    if remainder:
        raise ValueError(f"{cents} cents is not a whole number of currency units")
    return units


def format_cents(cents: int, *, parentheses: bool = True) -> str:
    """1234567 -> '12,345.67'; negatives in parentheses, as statements print them."""
    sign = cents < 0
    units, rest = divmod(abs(cents), CENTS_PER_UNIT)
    text = f"{units:,}.{rest:02d}"
    if sign:
        return f"({text})" if parentheses else f"-{text}"
    return text


def _half_up(value: Fraction) -> int:
    """Round a non-negative or negative exact fraction half away from zero to an integer."""
    sign = -1 if value < 0 else 1
    whole, rest = divmod(abs(value.numerator), value.denominator)
    return sign * (whole + (1 if 2 * rest >= value.denominator else 0))


def discounted_cents(cents: int, percent: int) -> int:
    """A fee after a percentage discount, rounded half-up to the cent."""
    return _half_up(Fraction(cents * (100 - percent), 100))


def prorated_cents(cents: int, *, days: int, days_in_period: int) -> int:
    """The part of a period's amount for `days` of it, rounded half-up (negative amounts too)."""
    return _half_up(Fraction(cents * days, days_in_period))
