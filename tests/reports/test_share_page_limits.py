"""The page a share link's open leads to obeys the link: it serves a few fetches per open (the link's
count limits opens, and one open must not serve the report to everyone it is forwarded to), stops
when the link expires or is revoked, and shares the link's per-address rate limit."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from reports.models import ReportShare, ReportShareAccess
from reports.services import VIEWS_PER_OPEN
from tests.reports.test_share_links import (  # noqa: F401 (fixtures)
    assert_problem_page,
    make_share,
    open_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def _page(share) -> tuple[Client, str]:
    visitor = Client()
    opened = visitor.get(open_url(share.token))
    assert opened.status_code == 302, opened.content[:300]
    return visitor, opened["Location"]


def test_a_single_use_link_page_serves_a_few_fetches_not_twenty(alice):
    share = make_share(alice, maxAccessCount=1)
    visitor, page = _page(share)
    answers = [visitor.get(page).status_code for _ in range(20)]
    assert answers == [200] * VIEWS_PER_OPEN + [410] * (20 - VIEWS_PER_OPEN)
    assert_problem_page(visitor.get(page + "?format=pdf"), 410, "expired")
    # And the link itself is used up.
    assert_problem_page(Client().get(open_url(share.token)), 410, "expired")


def test_each_open_grants_its_own_fetches(alice):
    share = make_share(alice, maxAccessCount=2)
    _, first = _page(share)
    _, second = _page(share)
    assert first != second
    for _ in range(VIEWS_PER_OPEN):
        assert Client().get(first).status_code == 200
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_the_page_stops_when_the_link_expires(alice):
    share = make_share(alice)
    visitor, page = _page(share)
    assert visitor.get(page).status_code == 200
    ReportShare.objects.filter(public_id=share.id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_problem_page(visitor.get(page), 410, "expired")
    assert_problem_page(visitor.get(page + "?format=pdf"), 410, "expired")


def test_the_page_stops_when_the_link_is_revoked(alice):
    share = make_share(alice)
    visitor, page = _page(share)
    assert visitor.get(page).status_code == 200
    revoked = alice.client.post(f"/api/reports/share/{share.id}/revoke", {}, format="json")
    assert revoked.status_code == 200, revoked.content
    assert_problem_page(visitor.get(page), 410, "withdrawn")


def test_the_page_shares_the_links_rate_limit(alice, settings):
    settings.SHARE_RATE_LIMIT_PER_MINUTE = 3
    share = make_share(alice)
    visitor, page = _page(share)  # 1 of 3
    assert visitor.get(page).status_code == 200  # 2
    assert visitor.get(page).status_code == 200  # 3
    limited = visitor.get(page)
    assert_problem_page(limited, 429, "Too many requests")
    assert int(limited["Retry-After"]) >= 1


def test_an_open_with_control_characters_in_its_user_agent_is_logged_without_them(alice):
    share = make_share(alice)
    opened = Client(HTTP_USER_AGENT="Mozilla\x00/5.0\r\nX").get(open_url(share.token))
    assert opened.status_code == 302
    assert ReportShareAccess.objects.get().user_agent == "Mozilla/5.0X"
