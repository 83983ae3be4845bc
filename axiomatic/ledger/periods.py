"""Fiscal years: an entity's year starts on the first day of its `fiscal_year_start_month`."""

import datetime as dt


def fiscal_year_start(day: dt.date, start_month: int) -> dt.date:
    """The first day of the fiscal year holding `day`, for a fiscal year starting in `start_month`."""
    if not 1 <= start_month <= 12:
        raise ValueError("start_month must be 1 to 12.")
    year = day.year if day.month >= start_month else day.year - 1
    if year < dt.MINYEAR:
        return dt.date.min  # nothing is dated before year 1: the fiscal year starts with time
    return dt.date(year, start_month, 1)
