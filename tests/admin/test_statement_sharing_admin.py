"""Sharing a statement from the admin (Reports > Statements, then Report shares).

Alice (ADMIN of Firm A) views Acme Corp's income statement for 2026-01-01..2026-06-30 against the
previous year, and makes a share link valid 30 days: the page shows its URL once, and the link is
listed under the statement and in Report shares. Someone opens it twice; its page lists both opens
(when, the hashed address, the browser) and Alice revokes it there: the link then answers
"revoked". Bob (VIEWER) reads the same statement and its downloads but gets no button and a 403;
Charlie (Firm B) naming Acme is a form error, and Acme's shares are a 404 for him.
"""

import datetime as dt
import hashlib
import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axiomatic.entities.models import Role
from axiomatic.ledger.models import Book
from reports.models import ReportShare, ReportShareAccess
from reports.services import share_create, share_open
from tests.admin.conftest import logged_in
from tests.admin.test_statements_admin import URL, post, query
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

INCOME = {"report": "income_statement", "compare": "previous_year"}
SHARE = {"share-expires_in_days": "30", "share-max_access_count": ""}


def share_page(share) -> str:
    return reverse("admin:reports_reportshare_change", args=[share.pk])


def revoke_url(share) -> str:
    return reverse("admin:reports_reportshare_revoke", args=[share.pk])


def statement_url(target, **params) -> str:
    return f"{URL}?{urlencode({**query(target, **INCOME), **params})}"


def create(client, target, data=None, **params):
    return client.post(statement_url(target, **params), SHARE if data is None else data)


def shown_url(html: str) -> str:
    match = re.search(r'id="share-url" value="([^"]+)"', html)
    assert match, "no share link shown"
    return match.group(1)


@pytest.fixture
def acme_books(acme) -> Book:
    """Acme's General Ledger: 2,500.00 revenue and 1,200.50 rent in 2026, less a year before."""
    gl = Book.objects.get(entity=acme.client, is_primary=True)
    post(gl, dt.date(2025, 3, 1), "1000", "3000", 1_000_000, "Owner's capital")
    post(gl, dt.date(2025, 5, 10), "1100", "4000", 150_000, "Invoice 1")
    post(gl, dt.date(2026, 2, 10), "1100", "4000", 250_000, "Invoice 2")
    post(gl, dt.date(2026, 5, 31), "6000", "1000", 120_050, "May rent")
    return gl


@pytest.fixture
def member_admin(alice) -> Client:
    user = UserFactory(email="mia@firm-a.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
    return logged_in(user)


@pytest.fixture
def acme_share(alice, acme) -> ReportShare:
    share, _ = share_create(
        entity=acme.client,
        book=Book.objects.get(entity=acme.client, is_primary=True),
        report_type="income_statement",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 6, 30),
        compare="previous_year",
        expires_in_days=7,
        max_access_count=None,
        created_by=alice.user,
    )
    return share


def opened(share, times: int) -> str:
    """Open the link `times` times (as the public page does); returns the token."""
    token = "tok_" + "x" * 43
    ReportShare.objects.filter(pk=share.pk).update(
        token_hash=hashlib.sha256(token.encode()).hexdigest()
    )
    for n in range(times):
        share_open(token=token, ip=f"203.0.113.{n % 250}", user_agent=f"Browser/{n}")
    return token


# --- Creating a link from the Statements page ------------------------------------------------------


def test_an_admin_shares_the_statement_and_sees_the_link_once(
    alice, acme, acme_books, alice_admin, settings
):
    settings.SITE_URL = "https://practice.example"
    html = page_of(alice_admin, statement_url(acme.client))
    assert "Create share link" in html and "Download PDF" in html and "Download XLSX" in html

    response = create(alice_admin, acme.client)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    share = ReportShare.objects.get()
    assert (share.entity, share.report_type, share.compare) == (
        acme.client,
        "income_statement",
        "previous_year",
    )
    assert (share.date_from, share.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
    assert share.book == acme_books and share.created_by == alice.user
    assert share.max_access_count is None
    assert 29 <= (share.expires_at - share.created_at).days <= 30
    url = shown_url(html)
    assert url.startswith("https://practice.example/") and "/tok_" in url
    assert "Copy link" in html and "axiomatic/admin/reports.js" in html
    assert share.public_id in html  # listed under the statement
    assert 'id="statement-table"' in html  # the statement stays on the page

    # Shown once: the page after that lists the link, never its token again.
    again = page_of(alice_admin, statement_url(acme.client))
    assert url not in again and share.public_id in again and 'id="share-url"' not in again
    assert url not in page_of(alice_admin, share_page(share))

    # The URL opens the statement, for anyone.
    opened_page = Client().get(url.removeprefix(settings.SITE_URL), follow=True)
    assert opened_page.status_code == 200 and "Acme Corp" in opened_page.content.decode()


def page_of(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def test_a_limit_on_opens_is_kept_and_a_member_may_share_too(acme, acme_books, member_admin):
    response = create(
        member_admin, acme.client, {"share-expires_in_days": "1", "share-max_access_count": "3"}
    )
    assert response.status_code == 200
    share = ReportShare.objects.get()
    assert share.max_access_count == 3 and (share.expires_at - share.created_at).days in (0, 1)
    assert "0 of 3" in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"share-expires_in_days": "365"}, "Select a valid choice."),
        ({"share-expires_in_days": "abc"}, "Select a valid choice."),
        ({"share-expires_in_days": "7", "share-max_access_count": "0"}, "greater than or equal"),
        ({"share-expires_in_days": "7", "share-max_access_count": "x"}, "Enter a whole number."),
        ({}, "This field is required."),
    ],
)
def test_bad_share_input_is_a_form_error(acme, acme_books, alice_admin, data, message):
    response = create(alice_admin, acme.client, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and 'id="share-url"' not in html
    assert not ReportShare.objects.exists()


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-45"},
        {"date_from": "2026-07-01"},
        {"report": "nonsense"},
        {"entity": "ent_doesnotexist"},
        {"book": "bk_doesnotexist"},
        {"report": "general_ledger", "compare": "previous_year"},
    ],
)
def test_a_bad_statement_query_shares_nothing(acme, acme_books, alice_admin, params):
    response = create(alice_admin, acme.client, **params)
    assert response.status_code == 200
    assert "Please correct the error" in response.content.decode()
    assert not ReportShare.objects.exists()


def test_a_viewer_reads_and_downloads_but_may_not_share(acme, acme_books, bob_admin):
    html = page_of(bob_admin, statement_url(acme.client))
    assert 'id="statement-table"' in html and "Download PDF" in html
    assert "Create share link" not in html
    pdf = bob_admin.get(statement_url(acme.client, output="pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = bob_admin.get(statement_url(acme.client, output="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert create(bob_admin, acme.client).status_code == 403
    assert not ReportShare.objects.exists()


def test_another_firm_naming_acme_gets_a_form_error_and_nothing_is_made(
    acme, globex, acme_books, charlie_admin
):
    response = create(charlie_admin, acme.client)
    html = response.content.decode()
    assert response.status_code == 200 and "Select a valid choice" in html
    assert "Acme" not in html and not ReportShare.objects.exists()
    globex_gl = Book.objects.get(entity=globex.client, is_primary=True)
    # Globex with Acme's book: refused like a book that does not exist.
    response = create(charlie_admin, globex.client, book=acme_books.public_id)
    assert "Select a valid choice" in response.content.decode()
    assert not ReportShare.objects.exists()
    assert globex_gl  # charlie may share his own firm's statements
    assert create(charlie_admin, globex.client).status_code == 200
    assert ReportShare.objects.get().entity == globex.client


def test_a_post_without_a_csrf_token_is_refused(alice, acme, acme_books):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert create(client, acme.client).status_code == 403
    assert not ReportShare.objects.exists()


# --- The share's page and the list -----------------------------------------------------------------


def test_the_list_shows_what_each_link_is_and_its_state(alice, acme, acme_share, alice_admin):
    opened(acme_share, 2)
    html = page_of(alice_admin, reverse("admin:reports_reportshare_changelist"))
    for text in (
        acme_share.public_id,
        "Acme Corp",
        "Income statement",
        "2026-01-01 – 2026-06-30",
        alice.user.email,
        "Live",
        "Last opened",
    ):
        assert text in html, text
    assert "cents" not in html.lower()
    ReportShare.objects.filter(pk=acme_share.pk).update(
        expires_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    assert "Expired" in page_of(alice_admin, reverse("admin:reports_reportshare_changelist"))


def test_the_shares_page_lists_its_opens_and_has_no_save_button(acme, acme_share, alice_admin):
    opened(acme_share, 2)
    html = page_of(alice_admin, share_page(acme_share))
    access = ReportShareAccess.objects.filter(share=acme_share).order_by("id").first()
    assert "Browser/0" in html and "Browser/1" in html
    assert access.ip_hash[:16] in html and "203.0.113.0" not in html
    assert '<th scope="col">Opened</th>' in html
    assert "Revoke link" in html and 'name="_save"' not in html
    assert "Income statement" in html and "Previous year" in html
    assert "cents" not in html.lower()


def test_revoking_from_the_shares_page_stops_the_link(acme, acme_share, alice_admin):
    token = opened(acme_share, 1)
    response = alice_admin.post(revoke_url(acme_share), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Share link revoked" in html and "Revoked" in html and "Revoke link" not in html
    acme_share.refresh_from_db()
    assert acme_share.revoked_at is not None
    public = Client().get(reverse("report-share-open", args=[token]))
    assert public.status_code == 410 and "This report link was withdrawn" in public.content.decode()
    # Again: says so, changes nothing.
    again = alice_admin.post(revoke_url(acme_share), follow=True).content.decode()
    assert "already revoked" in again


def test_a_revoke_needs_a_post(acme_share, alice_admin):
    assert alice_admin.get(revoke_url(acme_share)).status_code == 405
    acme_share.refresh_from_db()
    assert acme_share.revoked_at is None


def test_a_viewer_sees_the_share_but_may_not_revoke_it(acme_share, bob_admin):
    html = page_of(bob_admin, share_page(acme_share))
    assert acme_share.public_id in html and "Revoke link" not in html
    assert bob_admin.post(revoke_url(acme_share)).status_code == 403
    acme_share.refresh_from_db()
    assert acme_share.revoked_at is None


def test_a_member_revokes(acme_share, member_admin):
    assert member_admin.post(revoke_url(acme_share)).status_code == 302
    acme_share.refresh_from_db()
    assert acme_share.revoked_at is not None


def test_another_firm_never_reaches_acmes_share(acme_share, charlie_admin):
    assert charlie_admin.get(share_page(acme_share)).status_code in (302, 404)
    assert charlie_admin.post(revoke_url(acme_share)).status_code == 404
    listing = page_of(charlie_admin, reverse("admin:reports_reportshare_changelist"))
    assert acme_share.public_id not in listing
    acme_share.refresh_from_db()
    assert acme_share.revoked_at is None


@pytest.mark.parametrize("junk", ["999999", "abc", "shr_nothing", "1%2F2"])
def test_junk_share_ids_are_not_found(acme_share, alice_admin, junk):
    assert alice_admin.post(f"/admin/reports/reportshare/{junk}/revoke/").status_code == 404
    assert alice_admin.get(f"/admin/reports/reportshare/{junk}/change/").status_code in (302, 404)


# --- Queries ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        page_of(client, url)
    return len(captured)


def test_the_share_page_and_list_take_as_many_queries_for_30_opens_as_for_1(
    acme, acme_share, alice_admin
):
    opened(acme_share, 1)
    page_few = _queries(alice_admin, share_page(acme_share))
    list_few = _queries(alice_admin, reverse("admin:reports_reportshare_changelist"))
    token = opened(acme_share, 0)
    for n in range(29):
        share_open(token=token, ip=f"198.51.100.{n}", user_agent=f"Other/{n}")
    assert ReportShareAccess.objects.filter(share=acme_share).count() == 30
    assert _queries(alice_admin, share_page(acme_share)) == page_few
    assert _queries(alice_admin, reverse("admin:reports_reportshare_changelist")) == list_few


def test_the_statements_page_takes_as_many_queries_with_many_shares(
    alice, acme, acme_books, alice_admin, acme_share
):
    few = _queries(alice_admin, statement_url(acme.client))
    for _ in range(12):
        share_create(
            entity=acme.client,
            book=acme_books,
            report_type="balance_sheet",
            date_from=dt.date(2026, 1, 1),
            date_to=dt.date(2026, 6, 30),
            expires_in_days=7,
            max_access_count=5,
            created_by=alice.user,
        )
    assert _queries(alice_admin, statement_url(acme.client)) == few
