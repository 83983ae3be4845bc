"""Spreading an invoice adjustment over its lines (axiomatic.core.money.allocate_adjustment)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axiomatic.core.money import allocate_adjustment

lines = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=40)


@st.composite
def lines_and_adjustment(draw):
    standard = draw(lines)
    adjustment = draw(st.integers(min_value=-sum(standard), max_value=10**12))
    return standard, adjustment


@given(lines_and_adjustment())
def test_lines_sum_to_the_total_none_below_zero_each_within_a_cent_of_its_share(case):
    standard, adjustment = case
    amounts = allocate_adjustment(standard, adjustment)
    total = sum(standard) + adjustment
    assert len(amounts) == len(standard)
    assert sum(amounts) == total
    assert all(a >= 0 for a in amounts)
    subtotal = sum(standard)
    if subtotal:
        for s, a in zip(standard, amounts, strict=True):
            assert abs(a - Fraction(s * total, subtotal)) < 1


@given(lines_and_adjustment())
def test_the_same_input_gives_the_same_lines(case):
    standard, adjustment = case
    assert allocate_adjustment(list(standard), adjustment) == allocate_adjustment(
        list(standard), adjustment
    )


@given(lines)
def test_no_adjustment_leaves_every_line_at_its_standard_amount(standard):
    assert allocate_adjustment(standard, 0) == standard


def test_remainders_go_to_the_largest_lines_first():
    # 100.00 off 300.00 + 200.00 + 100.00: exact shares 250.00, 166.666..., 83.333... -> floors
    # 25000, 16666, 8333 cents; the one cent left goes to the largest line, not the largest fraction.
    assert allocate_adjustment([30_000, 20_000, 10_000], -10_000) == [25_001, 16_666, 8_333]
    # 1 cent up over three equal lines: the first of the tied largest takes it.
    assert allocate_adjustment([100, 100, 100], 1) == [101, 100, 100]
    assert allocate_adjustment([100, 300, 100], 2) == [100, 302, 100]


def test_zero_lines_share_a_write_up_equally():
    assert allocate_adjustment([0, 0, 0], 100) == [34, 33, 33]


@pytest.mark.parametrize(
    ("standard", "adjustment"), [([], 0), ([100], -101), ([-1, 5], 0), ([100], 1.5)]
)
def test_refuses_what_cannot_be_allocated(standard, adjustment):
    with pytest.raises(ValueError):
        allocate_adjustment(standard, adjustment)
