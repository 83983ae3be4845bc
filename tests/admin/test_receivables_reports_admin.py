"""The AR aging and WIP pages under Billing: worked examples to the cent, as of a chosen day, one
firm at a time, in a fixed number of queries.

As of 2026-06-30, at $125.00 an hour unless said:

| client  | invoice                                 | due        | days late | open balance            |
|---------|-----------------------------------------|------------|-----------|-------------------------|
| Acme    | 4 h = $500.00                           | 2026-07-01 | -         | $500.00 current         |
| Acme    | 10 h = $1,250.00, $250.00 paid 06-10    | 2026-05-15 | 46        | $1,000.00 in 31-60      |
| Acme    | 2.5 h = $312.50                         | 2026-02-04 | 146       | $312.50 over 90         |
| Initech | 20 h = $2,500.00                        | 2026-06-20 | 10        | $2,500.00 in 1-30       |
| Initech | 8 h = $1,000.00, paid in full 07-05     | 2026-04-14 | 77        | $1,000.00 in 61-90      |

The July payment comes after the day, so it does not count yet. Globex (Charlie's firm) owes
$250.00 and never shows in Alice's report.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from practice.services.time_entries import time_entry_create
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import D, invoiced, paying, table_rows
from tests.billing.invoice_helpers import log
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

AS_OF = D(2026, 6, 30)
AGING = "/admin/billing/ar-aging/"
WIP = "/admin/billing/wip/"


@pytest.fixture
def initech(alice, make_client):
    return make_client(alice, "Initech")


@pytest.fixture
def receivables(alice, charlie, acme, initech, globex):
    invoiced(alice, acme, "4.00", issue=D(2026, 6, 1), due=D(2026, 7, 1))
    late = invoiced(alice, acme, "10.00", issue=D(2026, 5, 1), due=D(2026, 5, 15))
    paying(alice, late, 25_000, D(2026, 6, 10))
    invoiced(alice, acme, "2.50", issue=D(2026, 1, 5), due=D(2026, 2, 4))
    invoiced(alice, initech, "20.00", issue=D(2026, 6, 1), due=D(2026, 6, 20))
    settled_later = invoiced(alice, initech, "8.00", issue=D(2026, 3, 15), due=D(2026, 4, 14))
    paying(alice, settled_later, 100_000, D(2026, 7, 5))
    invoiced(charlie, globex, "2.00", issue=D(2026, 6, 1))


@pytest.fixture
def unbilled(alice, charlie, acme, initech, globex):
    """As of 2026-06-30: Acme 1.5 h + 3 h = $562.50 from 06-20; Initech 12 h at $150.00 =
    $1,800.00 from 05-31. Not counted: Acme's July time, its non-billable hour, Globex's time."""
    log(alice, acme, "1.50", day=D(2026, 6, 20))
    log(alice, acme, "3.00", day=D(2026, 6, 25))
    log(alice, acme, "2.00", day=D(2026, 7, 2))
    log(alice, acme, "1.00", day=D(2026, 6, 21), billable=False)
    log(alice, initech, "12.00", rate=15_000, day=D(2026, 5, 31))
    log(charlie, globex, "5.00", day=D(2026, 6, 1))


def _results(client, changelist_url: str) -> str:
    """The rows of a changelist (its filters name other clients)."""
    page = client.get(changelist_url).content.decode()
    return page.split('id="result_list"', 1)[1].split("</table>", 1)[0]


def report(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# -- AR aging ---------------------------------------------------------------------------------------


def test_ar_aging_shows_each_clients_open_balances_by_age_to_the_cent(receivables, alice_admin):
    html = report(alice_admin, AGING, as_of="2026-06-30")

    assert table_rows(html, "receivables-report") == [
        ["Client", "Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days", "Total"],
        ["Acme Corp", "$500.00", "$0.00", "$1,000.00", "$0.00", "$312.50", "$1,812.50"],
        ["Initech", "$0.00", "$2,500.00", "$0.00", "$1,000.00", "$0.00", "$3,500.00"],
        ["Total", "$500.00", "$2,500.00", "$1,000.00", "$1,000.00", "$312.50", "$5,312.50"],
    ]
    assert "Alpha &amp; Co CPA, as of 2026-06-30 (USD)" in html
    assert "Globex" not in html
    assert "531250" not in html and "181250" not in html


def test_ar_aging_counts_payments_only_once_they_are_dated(receivables, alice_admin):
    html = report(alice_admin, AGING, as_of="2026-07-31")
    rows = {row[0]: row[1:] for row in table_rows(html, "receivables-report")}
    # Initech's old invoice was paid on 07-05; its June invoice is now 41 days late.
    assert rows["Initech"] == ["$0.00", "$0.00", "$2,500.00", "$0.00", "$0.00", "$2,500.00"]


def test_an_aging_row_links_to_the_clients_invoices(receivables, acme, alice_admin):
    html = report(alice_admin, AGING, as_of="2026-06-30")
    query = urlencode({"client__id__exact": acme.client_id})
    link = f"{reverse('admin:billing_invoice_changelist')}?{query}"
    assert f'href="{link}"' in html.replace("&amp;", "&")

    results = _results(alice_admin, link)
    assert results.count('<td class="field-client nowrap">Acme Corp</td>') == 3
    assert "Initech" not in results


def test_ar_aging_defaults_to_today(receivables, alice_admin):
    from django.utils import timezone

    html = report(alice_admin, AGING)
    assert f"as of {timezone.localdate().isoformat()}" in html


# -- WIP --------------------------------------------------------------------------------------------


def test_wip_shows_each_clients_unbilled_time_at_standard_value(unbilled, alice_admin):
    html = report(alice_admin, WIP, as_of="2026-06-30")

    assert table_rows(html, "receivables-report") == [
        ["Client", "Entries", "Hours", "Amount", "Oldest entry"],
        ["Acme Corp", "2", "4.50", "$562.50", "2026-06-20"],
        ["Initech", "1", "12.00", "$1,800.00", "2026-05-31"],
        ["Total", "3", "16.50", "$2,362.50", ""],
    ]
    assert "Globex" not in html


def test_a_wip_row_links_to_the_clients_unbilled_billable_time(unbilled, acme, alice_admin):
    html = report(alice_admin, WIP, as_of="2026-06-30").replace("&amp;", "&")
    link = html.split(">Acme Corp</a>", 1)[0].rsplit('href="', 1)[1].rstrip('"')
    assert link.startswith(reverse("admin:practice_timeentry_changelist") + "?")

    results = _results(alice_admin, link)
    assert results.count('name="_selected_action"') == 2  # Acme's two billable June entries
    assert "Initech" not in results


# -- as of what, for which firm ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [AGING, WIP])
@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-02-30", "As of: Enter a valid date."),
        ("yesterday", "As of: Enter a valid date."),
        ("0001-01-01", "As of: Must be between 1900-01-01 and 2999-12-31."),
    ],
)
def test_a_bad_as_of_date_is_a_message_not_an_error(url, as_of, message, receivables, alice_admin):
    html = report(alice_admin, url, as_of=as_of)

    assert message in html
    assert 'id="receivables-report"' not in html


def test_someone_in_several_firms_chooses_one(alice, charlie, receivables, alice_admin):
    MembershipFactory(user=alice.user, entity=charlie.firm, role="VIEWER")

    html = report(alice_admin, AGING, as_of="2026-06-30")
    assert "Choose a firm to see its figures." in html
    assert 'id="receivables-report"' not in html

    theirs = report(alice_admin, AGING, as_of="2026-06-30", firm=charlie.firm.public_id)
    assert table_rows(theirs, "receivables-report")[1] == [
        "Globex Inc",
        "$250.00",
        "$0.00",
        "$0.00",
        "$0.00",
        "$0.00",
        "$250.00",
    ]


def test_a_superuser_chooses_a_firm(alice, receivables):
    root = logged_in(UserFactory(is_staff=True, is_superuser=True))
    assert "Choose a firm to see its figures." in report(root, AGING)
    html = report(root, AGING, as_of="2026-06-30", firm=alice.firm.public_id)
    assert table_rows(html, "receivables-report")[-1][-1] == "$5,312.50"


@pytest.mark.parametrize("url", [AGING, WIP])
def test_another_firms_figures_are_never_shown(url, charlie, receivables, unbilled, alice_admin):
    html = report(alice_admin, url, firm=charlie.firm.public_id, as_of="2026-06-30")

    assert "Firm: Select a valid choice." in html
    assert 'id="receivables-report"' not in html and "Globex" not in html


def test_a_viewer_reads_the_reports(receivables, bob_admin):
    html = report(bob_admin, AGING, as_of="2026-06-30")
    assert table_rows(html, "receivables-report")[-1][-1] == "$5,312.50"


@pytest.mark.parametrize("url", [AGING, WIP])
def test_staff_of_no_firm_may_not_open_the_reports(url, receivables):
    assert logged_in(UserFactory(is_staff=True)).get(url).status_code == 403


# -- in the admin's menus ---------------------------------------------------------------------------


def test_the_reports_are_listed_under_billing(world_a, alice_admin):
    for page in (reverse("admin:index"), reverse("admin:app_list", args=["billing"]), AGING):
        html = alice_admin.get(page).content.decode()
        billing = html.split('class="app-billing module', 1)[1].split("</table>", 1)[0]
        assert f'<a href="{AGING}"' in billing and ">AR aging</a>" in billing
        assert f'<a href="{WIP}"' in billing and ">Work in progress</a>" in billing


def test_the_dashboards_unbilled_panel_links_to_the_wip_report(alice, world_a, alice_admin):
    html = alice_admin.get(reverse("admin:index")).content.decode()
    panel = html.split('id="panel-unbilled"', 1)[1].split('id="panel-', 1)[0]
    assert f'href="{WIP}?firm={alice.firm.public_id}"' in panel


# -- query counts -----------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, {"as_of": "2026-06-30"}).status_code == 200
    return len(captured)


def _more_clients(persona, make_client, first: int, count: int) -> None:
    for n in range(first, first + count):
        link = make_client(persona, f"Client {n:02d}")
        invoiced(persona, link, "1.00", issue=D(2026, 6, 1), due=D(2026, 6, 15))
        time_entry_create(
            firm=persona.firm,
            link=link,
            work_date=D(2026, 6, 2),
            hours=Decimal("1.00"),
            rate_cents=10_000,
        )


@pytest.mark.parametrize("url", [AGING, WIP])
def test_the_reports_run_a_fixed_number_of_queries(url, alice, make_client, alice_admin):
    _more_clients(alice, make_client, 0, 2)
    few = _queries(alice_admin, url)
    _more_clients(alice, make_client, 2, 8)
    many = _queries(alice_admin, url)

    assert html_rows(alice_admin, url) == 10 + 2  # the clients, the header and the totals
    assert many == few


def html_rows(client, url) -> int:
    return len(table_rows(report(client, url, as_of="2026-06-30"), "receivables-report"))
