"""Timestamps as the wire and our files write them: UTC ISO 8601 with `Z` (DESIGN.md)."""

import datetime as dt


def utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
