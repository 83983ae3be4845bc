import re
import time
from decimal import Decimal

import pytest

from axiomatic.core.ids import is_public_id, new_public_id
from axiomatic.core.money import amount_cents, cents_to_units, format_cents


def test_public_ids_are_prefixed_url_safe_and_unique():
    ids = {new_public_id("te") for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"te_[0-9a-z]{26}", i) for i in ids)


def test_public_ids_sort_by_creation_time():
    first = new_public_id("ent")
    time.sleep(0.002)
    assert new_public_id("ent") > first


def test_is_public_id_checks_prefix_and_shape():
    good = new_public_id("bk")
    assert is_public_id(good, "bk")
    assert not is_public_id(good, "ent")
    assert not is_public_id(good.upper(), "bk")
    assert not is_public_id(good + "x", "bk")
    assert not is_public_id(123, "bk")
    assert not is_public_id(None, "bk")
    with pytest.raises(ValueError):
        new_public_id("zz")


@pytest.mark.parametrize(
    ("hours", "rate", "cents"),
    [
        ("2.50", 15000, 37500),
        ("0.01", 12345, 123),  # 123.45 -> 123
        ("0.01", 12350, 124),  # 123.50 -> 124, half up
        ("1.33", 10001, 13301),  # 13301.33
        ("0.03", 16650, 500),  # 499.5 -> 500
        ("24.00", 0, 0),
    ],
)
def test_amount_is_hours_times_rate_rounded_half_up(hours, rate, cents):
    assert amount_cents(hours=Decimal(hours), rate_cents=rate) == cents


def test_amount_refuses_floats():
    with pytest.raises(TypeError):
        amount_cents(hours=2.5, rate_cents=100)


def test_units_and_formatting():
    assert cents_to_units(7900) == 79
    with pytest.raises(ValueError):
        cents_to_units(7950)
    assert format_cents(123456789) == "1,234,567.89"
    assert format_cents(-5) == "(0.05)"
    assert format_cents(-5, parentheses=False) == "-0.05"
    assert format_cents(0) == "0.00"
