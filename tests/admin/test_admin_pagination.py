"""A firm's changelists never count or scan its whole table (issue 20): the capped paginator, the
date hierarchy read from the first and last date, and related filters that do not read the list.

The cap is lowered for the tests (`COUNT_CAP` = 5, 3 rows a page), so a dozen time entries stand
for 200,000.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.entities import admin_scope
from axiomatic.entities.admin_scope import CappedCount, CappedPaginator
from practice.models import TimeEntry
from practice.services.time_entries import time_entry_create

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:practice_timeentry_changelist"


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(admin_scope, "COUNT_CAP", 5)
    monkeypatch.setattr(admin.site._registry[TimeEntry], "list_per_page", 3)


def _log(persona, link, days_ago: int, n: int = 1) -> list[TimeEntry]:
    today = timezone.localdate()
    return [
        time_entry_create(
            firm=persona.firm,
            link=link,
            work_date=today - dt.timedelta(days=days_ago + i),
            hours=Decimal("1.00"),
            description=f"work {days_ago + i}",
            default_user=persona.user,
        )
        for i in range(n)
    ]


@pytest.fixture
def twelve(alice, make_client) -> list[TimeEntry]:
    link = make_client(alice, "Acme", default_rate_cents=10_000)
    return _log(alice, link, 0, 12)


def _get(client, url: str, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    return response, [q["sql"] for q in captured.captured_queries]


def _time_counts(sqls: list[str]) -> list[str]:
    return [s for s in sqls if "COUNT(" in s.upper() and "practice_timeentry" in s]


def _rows(html: str) -> list[str]:
    return re.findall(r'name="_selected_action" value="(\d+)"', html)


def test_a_long_list_counts_at_most_the_cap_and_says_so(small_cap, twelve, alice_admin):
    response, sqls = _get(alice_admin, reverse(CHANGELIST))

    assert response.status_code == 200
    html = response.content.decode()
    assert "5+ time entries" in html
    assert len(_rows(html)) == 3
    counts = _time_counts(sqls)
    assert counts, "the paginator counts"
    for sql in counts:  # every count of time entries reads at most the cap's rows
        assert re.search(r"LIMIT\s+6\b", sql), sql
    assert response.context["cl"].full_result_count is None


def test_pages_still_work_past_the_cap(small_cap, twelve, alice_admin):
    url = reverse(CHANGELIST)
    seen: list[str] = []
    for page in (1, 2, 3, 4):  # page 3 is past the cap's 5 rows, page 4 the last (rows 10-12)
        response = alice_admin.get(url, {"p": page})
        assert response.status_code == 200, page
        rows = _rows(response.content.decode())
        assert len(rows) == 3, page
        seen += rows
    assert sorted(seen, key=int) == sorted((str(e.pk) for e in twelve), key=int)
    # Newest first, as before: the first page holds the three latest days.
    first = _rows(alice_admin.get(url).content.decode())
    assert first == [str(e.pk) for e in twelve[:3]]
    # A page past the end is the admin's "invalid page" redirect, never a 500 or an empty list.
    past = alice_admin.get(url, {"p": 9})
    assert past.status_code == 302 and past["Location"].endswith("?e=1")
    assert alice_admin.get(url, {"p": "junk"}).status_code == 200  # Django: junk is page 1


def test_a_short_list_keeps_its_exact_count(small_cap, alice, make_client, alice_admin):
    link = make_client(alice, "Acme", default_rate_cents=10_000)
    _log(alice, link, 0, 4)
    response = alice_admin.get(reverse(CHANGELIST))
    html = response.content.decode()
    assert "4 time entries" in html and "+ time entries" not in html
    assert len(_rows(html)) == 3  # two pages of 3 and 1
    assert len(_rows(alice_admin.get(reverse(CHANGELIST), {"p": 2}).content.decode())) == 1


def test_a_search_counts_up_to_the_cap_too(small_cap, twelve, alice_admin):
    response, sqls = _get(alice_admin, reverse(CHANGELIST), q="work")  # all twelve match
    html = response.content.decode()
    assert "5+ results" in html and "Show all" in html  # never "(12 total)": not counted
    assert len(_rows(html)) == 3
    for sql in _time_counts(sqls):
        assert re.search(r"LIMIT\s+6\b", sql), sql


def test_select_all_acts_on_every_row_not_the_counted_ones(small_cap, twelve, alice_admin):
    """ "Select all 5+" selects across pages: the action gets the whole filtered list."""
    response = alice_admin.post(
        reverse(CHANGELIST),
        {
            "action": "approve_selected",
            "select_across": "1",
            "index": "0",
            "_selected_action": [str(twelve[0].pk)],
        },
    )
    assert response.status_code == 302
    assert TimeEntry.objects.filter(approval_status="approved").count() == 12


def test_the_date_hierarchy_lists_years_without_a_distinct_over_the_rows(
    small_cap, alice, make_client, alice_admin
):
    link = make_client(alice, "Acme", default_rate_cents=10_000)
    _log(alice, link, 0, 2)
    _log(alice, link, 800, 1)  # two or three years back
    response, sqls = _get(alice_admin, reverse(CHANGELIST))

    html = response.content.decode()
    today = timezone.localdate()
    first = (today - dt.timedelta(days=800)).year
    for year in range(first, today.year + 1):
        assert f"date__year={year}" in html
    assert not [s for s in sqls if "DISTINCT" in s.upper() and "practice_timeentry" in s]
    assert len([s for s in sqls if "MIN(" in s.upper() and "practice_timeentry" in s]) == 1
    # A year's months come from its bounds too; a month's days are the real ones.
    response = alice_admin.get(reverse(CHANGELIST), {"date__year": first})
    assert response.status_code == 200


def test_the_client_filter_offers_reachable_clients_without_reading_the_list(
    alice, charlie, make_client, alice_admin
):
    mine = make_client(alice, "Acme", default_rate_cents=10_000)
    idle = make_client(alice, "Idle Co")  # no time: still a client the filter may offer
    theirs = make_client(charlie, "Globex", default_rate_cents=10_000)
    _log(alice, mine, 0, 2)
    _log(charlie, theirs, 0, 1)
    response, sqls = _get(alice_admin, reverse(CHANGELIST))

    html = response.content.decode()
    assert f"client__id__exact={mine.client_id}" in html
    assert f"client__id__exact={idle.client_id}" in html
    assert f"client__id__exact={theirs.client_id}" not in html
    # No DISTINCT client over the time entries (the date hierarchy's days of one month may be).
    assert not [s for s in sqls if "DISTINCT" in s.upper() and '"client_id"' in s], sqls
    filtered = alice_admin.get(reverse(CHANGELIST), {"client__id__exact": mine.client_id})
    assert len(_rows(filtered.content.decode())) == 2


def test_the_capped_count_prints_as_the_cap_and_pages_as_a_number(small_cap):
    count = CappedCount(6)
    assert str(count) == "5+" and f"{count}" == "5+" and count == 6 and count > 5
    paginator = CappedPaginator(list(range(12)), 3)
    assert paginator.count == 12  # a list is counted as it is: nothing to cap
