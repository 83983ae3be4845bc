"""Fiscal years and comparison periods: the calendar arithmetic of statements.

- A fiscal year starts on the first day of the entity's `fiscalYearStartMonth` (1 to 12; 1 is the
  calendar year) and lasts twelve months. A March year-end is start month 4: the fiscal year holding
  2026-02-15 runs 2025-04-01..2026-03-31.
- A comparison period sits beside the statement's own:
  `previous_period` is the same length just before it. A period of whole calendar months (`from` a
  1st, `to` a month end) moves back by its number of months, so February compares with January (28
  days with 31) and a quarter with the quarter before; any other period moves back by its number of
  days. `previous_year` is the same dates a year earlier: February 29 becomes February 28, and a
  `to` that is a month end stays one (2025-02-28 compares with 2024-02-29).
- Dates before year 1 do not exist: a comparison that would reach there is refused (ValueError, a
  400 at the API), and a fiscal year that would start there starts on 0001-01-01 instead.
"""

import calendar
import datetime as dt

from axiomatic.ledger.periods import fiscal_year_start  # noqa: F401 (re-exported)
from reports.statements.shapes import CompareMode, Comparison


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def is_month_end(day: dt.date) -> bool:
    return day == month_end(day)


def shift_months(day: dt.date, months: int) -> dt.date:
    """`day` moved by `months`, its day of the month capped at the target month's length
    (March 31 less one month is February 28 or 29). ValueError outside years 1..9999."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError("The date falls outside years 1 to 9999.")
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def day_before(day: dt.date) -> dt.date | None:
    """The day before `day`, or None before 0001-01-01 (a balance "before" it is nothing)."""
    return None if day == dt.date.min else day - dt.timedelta(days=1)


def comparison_period(mode: str, date_from: dt.date, date_to: dt.date) -> Comparison:
    """The period compared with `date_from`..`date_to` (see the module's docstring)."""
    mode = CompareMode(mode)
    try:
        if mode == CompareMode.PREVIOUS_YEAR:
            start = shift_months(date_from, -12)
            end = shift_months(date_to, -12)
            if is_month_end(date_to):
                end = month_end(end)
        elif date_from.day == 1 and is_month_end(date_to):
            months = (date_to.year - date_from.year) * 12 + date_to.month - date_from.month + 1
            start = shift_months(date_from, -months)
            end = month_end(shift_months(date_to, -months))
        else:
            end = date_from - dt.timedelta(days=1)
            start = end - (date_to - date_from)
    except (OverflowError, ValueError) as error:
        raise ValueError("The comparison period would start before the year 1.") from error
    return Comparison(mode=mode, date_from=start, date_to=end)
