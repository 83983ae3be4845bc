"""Money: integer cents everywhere inside. Every conversion and every rounding lives here.

- An amount for time is hours x rate (cents per hour), rounded half-up to the cent, per line.
  An invoice total is the sum of its rounded lines, never a rounding of the sum.
- `monthlyFee` in the contract is whole currency units (79); `cents_to_units` makes it.
- Program fees: a volume discount and a proration for part of a month, each rounded half-up once.
- An invoice adjustment (a write-down or write-up) is spread over the lines pro rata to their
  standard amounts by `allocate_adjustment`: each line gets the floor of its exact share, and the
  cents left over go one each to the largest lines first, so the lines sum to the total exactly.
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


# Symbols of the currencies firms bill in; any other prints its ISO code after the amount.
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "$", "AUD": "$", "NZD": "$", "EUR": "€", "GBP": "£"}


def format_currency(cents: int, currency: str = "USD") -> str:
    """1234567, "USD" -> '$12,345.67'; -500 -> '-$5.00'; 100, "CHF" -> '1.00 CHF'. What a person
    reads wherever money is shown outside a statement's columns."""
    text = format_cents(abs(cents))
    sign = "-" if cents < 0 else ""
    symbol = CURRENCY_SYMBOLS.get(currency.upper())
    if symbol is None:
        return f"{sign}{text} {currency.upper()}"
    return f"{sign}{symbol}{text}"


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


def allocate_adjustment(standard: list[int], adjustment: int) -> list[int]:
    """The lines' amounts after spreading `adjustment` (cents, negative = write-down) over their
    `standard` amounts pro rata; they sum to sum(standard) + adjustment exactly.

    Each line gets floor(standard x total / subtotal); the remaining cents (fewer than the number
    of lines) go one each to the lines with the largest standard amounts, ties to the earlier line,
    so the result depends on nothing but the input. With a non-negative total no line goes below
    0. Lines that are all zero share the adjustment equally. Raises ValueError for a negative total
    or amount, or no lines.
    """
    if not standard:
        raise ValueError("no lines to allocate over")
    if any(type(s) is not int or s < 0 for s in standard) or type(adjustment) is not int:
        raise ValueError("standard amounts must be non-negative integers of cents")
    subtotal = sum(standard)
    total = subtotal + adjustment
    if total < 0:
        raise ValueError("the adjustment would take the total below 0")
    weights = standard if subtotal > 0 else [1] * len(standard)
    weight_sum = sum(weights)
    amounts = [w * total // weight_sum for w in weights]
    left = total - sum(amounts)
    by_size = sorted(range(len(weights)), key=lambda i: (-weights[i], i))
    for i in by_size[:left]:
        amounts[i] += 1
    return amounts


REALIZATION_PLACES = Decimal("0.0001")


def ratio(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator to four decimal places, rounded half-up (a realization: billed /
    standard, collected / billed); None when the denominator is 0."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        REALIZATION_PLACES, rounding=ROUND_HALF_UP
    )


def prorata_cents(cents: int, *, part: int, whole: int) -> Fraction:
    """The exact share part/whole of `cents`, unrounded: summed over a group, then rounded once
    with `half_up_cents`."""
    return Fraction(cents * part, whole) if whole else Fraction(0)


def half_up_cents(value: Fraction) -> int:
    return _half_up(value)
