"""Dates in one format wherever a person reads them: the admin's lists and forms, its own pages,
emails and documents all show 2026-12-02 (ISO 8601), as the API writes dates. Django's English
formats ("Dec. 2, 2026") are replaced here; the year-month and month-day headings of the date
hierarchy keep Django's ("December 2026", "December 2")."""

DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
