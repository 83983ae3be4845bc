"""Money: integer cents everywhere inside. Every conversion and every rounding lives here.

- An amount for time is hours x rate (cents per hour), rounded half-up to the cent, per line.
  An invoice total is the sum of its rounded lines, never a rounding of the sum.
- `monthlyFee` in the contract is whole currency units (79); `cents_to_units` makes it.
- Program fees: a volume discount and a proration for part of a month, each rounded half-up once.
- People read and type amounts in currency units: `format_money` shows cents as "$1,234.56" (the
  admin's one way of showing money), `parse_money` reads "1,234.56" back into cents exactly, refusing
  fractions of a cent rather than rounding them away.
- Hours: a timer's elapsed seconds become hours rounded up to 0.01 h (`hours_from_seconds`), and an
  invoice bills each entry's hours rounded to the firm's step, up or to the nearest
  (`round_hours`: 6 or 15 minutes, ...), while the entry keeps its own.
- An invoice adjustment (a write-down or write-up) is spread over the lines pro rata to their
  standard amounts by `allocate_adjustment`: each line gets the floor of its exact share, and the
  cents left over go one each to the largest lines first, so the lines sum to the total exactly.
"""

import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from fractions import Fraction

CENTS_PER_UNIT = 100
MAX_CENTS = 10**15  # ten trillion in currency units: far above any real amount, far below int64


def amount_cents(*, hours: Decimal, rate_cents: int) -> int:
    """Hours x rate in cents, rounded half-up to the cent."""
    if not isinstance(hours, Decimal):
        raise TypeError("hours must be a Decimal")
    return int((hours * rate_cents).quantize(Decimal(1), rounding=ROUND_HALF_UP))


HUNDREDTH = Decimal("0.01")
MAX_HOURS = Decimal("24.00")


def hours_from_seconds(seconds: float) -> Decimal:
    """Elapsed seconds as hours, rounded up to 0.01 h (36 s), at least 0.01 and at most 24 (the
    largest entry): 1 s -> 0.01, 37 s -> 0.02, 5400 s -> 1.50."""
    hours = (Decimal(max(int(seconds), 0)) / 3600).quantize(HUNDREDTH, rounding=ROUND_CEILING)
    return min(max(hours, HUNDREDTH), MAX_HOURS)


def round_hours(hours: Decimal, *, minutes: int, mode: str) -> Decimal:
    """`hours` rounded to a step of `minutes` (0 = unchanged), "up" or to the "nearest" step (a
    half step goes up), to two places. 15 minutes: 1.10 h -> 1.25 up, 1.00 nearest; 1.125 h ->
    1.25 nearest. 6 minutes: 0.33 h -> 0.40 up, 0.30 nearest. A step of 10 minutes is 1/6 h, so
    0.05 h -> 0.17 up (10 min, to the cent of an hour)."""
    if not isinstance(hours, Decimal):
        raise TypeError("hours must be a Decimal")
    if not minutes:
        return hours
    if mode not in ("up", "nearest"):
        raise ValueError(f"unknown rounding mode {mode!r}")
    steps = Fraction(hours) * 60 / minutes
    if mode == "up":
        whole = -(-steps.numerator // steps.denominator)
    else:
        whole = int(steps + Fraction(1, 2)) if steps >= 0 else -int(-steps + Fraction(1, 2))
    exact = Fraction(whole * minutes, 60)
    rounded = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        HUNDREDTH, rounding=ROUND_HALF_UP
    )
    return rounded


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


# Symbols for the currencies a firm is likely to keep its books in; any other shows its code.
CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "EUR": "\u20ac", "GBP": "\u00a3"}
_MONEY_TEXT = re.compile(r"(?P<units>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<cents>\d{1,2}))?")


def format_money(cents: int, currency: str = "USD") -> str:
    """1234567 -> '$12,345.67' (USD); -5000 -> '-$50.00'; other currencies '12,345.67 CHF'."""
    text = format_cents(abs(cents))
    symbol = CURRENCY_SYMBOLS.get(currency)
    shown = f"{symbol}{text}" if symbol else f"{text} {currency}"
    return f"-{shown}" if cents < 0 else shown


def parse_money(text: str) -> int:
    """'1,234.56' (or '$1234.5', '1234') -> 123456 cents. A non-negative amount with at most two
    decimals: '12.345' is refused rather than rounded, since nobody means a fraction of a cent.
    Raises ValueError for anything else."""
    cleaned = text.strip().replace(" ", "")
    for symbol in sorted(CURRENCY_SYMBOLS.values(), key=len, reverse=True):
        if cleaned.startswith(symbol):
            cleaned = cleaned[len(symbol) :]
            break
    match = _MONEY_TEXT.fullmatch(cleaned)
    if not cleaned or match is None or not (match["units"] or match["cents"]):
        raise ValueError(f"{text!r} is not an amount like 1234.56")
    units = int((match["units"] or "0").replace(",", ""))
    cents = int((match["cents"] or "0").ljust(2, "0"))
    total = units * CENTS_PER_UNIT + cents
    if total > MAX_CENTS:
        raise ValueError(f"{text!r} is larger than any amount this system keeps")
    return total


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


def cents_to_decimal(cents: int) -> Decimal:
    """Cents as an exact Decimal of currency units, two places: 123456 -> Decimal('1234.56'),
    -1200 -> Decimal('-12.00'), 0 -> Decimal('0.00'). What a spreadsheet or a CSV holds: a plain
    number, never text. Exact, whatever the size (a Decimal read from a string is never rounded to
    the context's precision), and never a float, whose 0.1 + 0.2 is not 0.3."""
    if type(cents) is not int:
        raise TypeError("cents must be an int")
    return Decimal(f"{cents}e-2")
