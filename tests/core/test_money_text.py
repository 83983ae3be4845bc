"""Money as people read and type it: cents shown as "$1,234.56", and typed amounts read back into
exact cents (never rounded)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axiomatic.core.money import MAX_CENTS, format_money, parse_money


def test_format_money_shows_the_symbol_thousands_and_two_decimals():
    assert format_money(123456) == "$1,234.56"
    assert format_money(5) == "$0.05"
    assert format_money(0) == "$0.00"
    assert format_money(100_000_000) == "$1,000,000.00"


def test_format_money_shows_a_negative_amount_with_a_minus_sign():
    assert format_money(-5000) == "-$50.00"


def test_format_money_of_another_currency():
    assert format_money(123456, "EUR") == "\u20ac1,234.56"
    assert format_money(123456, "CHF") == "1,234.56 CHF"


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234.56", 123_456),
        ("$1,234.56", 123_456),
        (" 1,234,567.8 ", 123_456_780),
        ("1234", 123_400),
        (".5", 50),
        ("0.05", 5),
        ("0", 0),
    ],
)
def test_parse_money_reads_units_into_exact_cents(text, cents):
    assert parse_money(text) == cents


@pytest.mark.parametrize(
    "text",
    ["", "$", "abc", "12.345", "-5", "1,23", "12,34.00", "1e3", "1.2.3", "10000000000000.01"],
)
def test_parse_money_refuses_what_is_not_an_amount_of_cents(text):
    with pytest.raises(ValueError):
        parse_money(text)


@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_what_format_money_shows_parse_money_reads_back(cents):
    assert parse_money(format_money(cents)) == cents
