"""Review in the admin: Approvals (a staff member's week, approved through the approval services),
Budgets (engagements' budgets used) and Realization (per client, over a period).

Alice is ADMIN of Firm A, Bob a VIEWER of Firm A, Mia a MEMBER of Firm A, Charlie ADMIN of Firm B.
The worked examples are in tests/admin/review_helpers.py.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from practice.models import TimeEntry
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import table_rows
from tests.admin.review_helpers import (
    WEEK,
    billed_and_paid,
    budgeted,
    budgets,
    invoices_of_the_year,
    logged,
    member_of,
    week_of_time,
)
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

APPROVALS = reverse("admin:practice_approvals")
BUDGETS = reverse("admin:practice_budgets")
REALIZATION = reverse("admin:billing_realization")


def said(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def status_of(entries) -> list[str]:
    rows = dict(
        TimeEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list(
            "pk", "approval_status"
        )
    )
    return [rows[e.pk] for e in entries]


@pytest.fixture
def mia(alice):
    return member_of(alice.firm)


@pytest.fixture
def week(alice, acme, mia):
    return week_of_time(alice, acme, mia)


def week_query(user, monday=WEEK) -> dict:
    return {"staff": user.public_id, "week": monday.isoformat()}


def approve(client, user, action, entries=(), monday=WEEK):
    url = f"{APPROVALS}?staff={user.public_id}&week={monday.isoformat()}"
    return client.post(url, {"action": action, "entry": [e.public_id for e in entries]})


# -- Approvals: the week ----------------------------------------------------------------------------


def test_the_week_lists_the_staff_members_entries_by_day_with_day_totals(alice_admin, mia, week):
    response = alice_admin.get(APPROVALS, week_query(mia))

    assert response.status_code == 200
    rows = table_rows(response.content.decode(), "week-entries")
    assert rows[0] == [
        "Select",
        "Date",
        "Client",
        "Engagement",
        "Description",
        "Hours",
        "Amount",
        "Approval",
        "Billing",
    ]
    body = [r[1:] if r[0] == "" else r for r in rows[1:]]
    assert body == [
        [
            "Mon 2026-11-23",
            "Acme Corp",
            "—",
            "Bank reconciliation",
            "1.50 h",
            "$187.50",
            "Open",
            "Unbilled",
        ],
        ["Mon 2026-11-23", "Acme Corp", "—", "Payroll", "2.00 h", "$250.00", "Open", "Unbilled"],
        ["Total Mon 2026-11-23", "3.50 h", "$437.50", ""],
        [
            "Tue 2026-11-24",
            "Acme Corp",
            "—",
            "Invoices",
            "1.00 h",
            "$125.00",
            "Open",
            f"Billed ({week.billed.invoice_number})",
        ],
        ["Total Tue 2026-11-24", "1.00 h", "$125.00", ""],
        ["Wed 2026-11-25", "Acme Corp", "—", "Close", "3.00 h", "$375.00", "Open", "Unbilled"],
        ["Total Wed 2026-11-25", "3.00 h", "$375.00", ""],
        ["Week total", "7.50 h", "$937.50", ""],
    ]
    html = response.content.decode()
    assert "Alice's review" not in html and "Later" not in html
    assert "cents" not in html.lower()
    assert f'id="select-{week.billed.public_id}"' in html and "disabled" in html


def test_any_day_of_the_week_shows_its_week_with_links_to_the_next_and_previous(
    alice_admin, mia, week
):
    response = alice_admin.get(APPROVALS, week_query(mia, WEEK + dt.timedelta(days=4)))

    assert response.context["monday"] == WEEK
    assert "week=2026-11-16" in response.context["previous_url"]
    assert "week=2026-11-30" in response.context["next_url"]
    later = alice_admin.get(response.context["next_url"])
    assert [r[4] for r in table_rows(later.content.decode(), "week-entries")[1:2]] == ["Later"]


def test_the_page_asks_for_a_staff_member_first(alice_admin, week):
    response = alice_admin.get(APPROVALS)

    assert response.status_code == 200
    assert said(response) == ["Choose a staff member and a week to see their time."]
    assert "Mia Member" in response.content.decode()  # offered in the choice


# -- Approvals: approving ---------------------------------------------------------------------------


def test_approve_week_approves_the_open_unbilled_entries_shown(alice, alice_admin, mia, week):
    response = approve(alice_admin, mia, "approve_week")

    assert response.status_code == 302
    page = alice_admin.get(response.url)
    assert said(page) == ["Approved 3 time entries."]
    assert status_of(week.open_ones) == ["approved"] * 3
    assert status_of([week.billed, week.next_week, week.alices]) == ["open"] * 3
    assert TimeEntry.objects.get(pk=week.wednesday.pk).approved_by == alice.user
    assert "Nothing left to approve this week." in page.content.decode()


def test_ticked_entries_are_approved_and_unapproved(alice_admin, mia, week):
    response = approve(alice_admin, mia, "approve", week.monday)
    assert said(alice_admin.get(response.url)) == ["Approved 2 time entries."]
    assert status_of(week.open_ones) == ["approved", "approved", "open"]

    response = approve(alice_admin, mia, "unapprove", week.monday[:1])
    assert said(alice_admin.get(response.url)) == ["Returned to open: 1 time entry."]
    assert status_of(week.open_ones) == ["open", "approved", "open"]


def test_a_billed_entry_is_refused_in_the_services_words_and_nothing_changes(
    alice_admin, mia, week
):
    before = db_fingerprint()
    response = approve(alice_admin, mia, "approve", [week.monday[0], week.billed])

    messages = said(alice_admin.get(response.url))
    assert len(messages) == 1 and "already invoiced cannot be approved" in messages[0]
    assert status_of(week.open_ones) == ["open"] * 3
    assert db_fingerprint() == before


@pytest.mark.parametrize("other", ["next_week", "alices"])
def test_entries_not_on_the_page_are_refused(other, alice_admin, mia, week):
    before = db_fingerprint()
    response = approve(alice_admin, mia, "approve", [week.monday[0], getattr(week, other)])

    assert said(alice_admin.get(response.url)) == [
        "Only the entries listed on this page can be changed here."
    ]
    assert db_fingerprint() == before


def test_nothing_ticked_or_a_junk_action_changes_nothing(alice_admin, mia, week):
    before = db_fingerprint()
    assert said(alice_admin.get(approve(alice_admin, mia, "approve").url)) == [
        "No entries to change: tick the entries first."
    ]
    response = approve(alice_admin, mia, "delete_everything", week.monday)
    assert "Choose what to do" in said(alice_admin.get(response.url))[0]
    assert db_fingerprint() == before


# -- Approvals: who may ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "mia"])
def test_a_viewer_or_member_reads_the_week_and_may_not_approve(who, request, mia, week):
    user = mia if who == "mia" else request.getfixturevalue("bob").user
    client = logged_in(user)

    page = client.get(APPROVALS, week_query(mia))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bank reconciliation" in html and "only the firm's admins approve time" in html.lower()
    assert 'name="action"' not in html and 'name="entry"' not in html

    before = db_fingerprint()
    assert approve(client, mia, "approve_week").status_code == 403
    assert approve(client, mia, "approve", week.monday).status_code == 403
    assert status_of(week.open_ones) == ["open"] * 3
    assert db_fingerprint() == before


def test_another_firm_never_sees_or_changes_the_firms_time(charlie_admin, alice, mia, week):
    unknown = charlie_admin.get(APPROVALS, {"staff": "usr_nosuchperson", "week": "2026-11-23"})
    foreign = charlie_admin.get(APPROVALS, week_query(mia))

    assert said(foreign) == said(unknown) == ["Staff member: No such staff member in this firm."]
    html = foreign.content.decode()
    for text in ("Mia Member", "Bank reconciliation", "Acme", alice.firm.name):
        assert text not in html
    with_firm = charlie_admin.get(APPROVALS, {**week_query(mia), "firm": alice.firm.public_id})
    assert said(with_firm)[0] == "Firm: No such firm."

    before = db_fingerprint()
    response = approve(charlie_admin, mia, "approve", week.monday)
    assert response.status_code == 302
    assert said(charlie_admin.get(response.url)) == [
        "Staff member: No such staff member in this firm."
    ]
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "query, message",
    [
        ({"staff": "usr_x", "week": "2026-11-23"}, "Staff member: No such staff member"),
        ({"week": "2026-02-30"}, "Week of: Enter a valid date."),
        ({"week": "junk"}, "Week of: Enter a valid date."),
        ({"week": "0001-01-01"}, "Week of: "),
        ({"firm": "ent_junk"}, "Firm: No such firm."),
    ],
)
def test_junk_in_the_query_is_a_message_not_an_error(query, message, alice_admin, mia, week):
    response = alice_admin.get(APPROVALS, query)

    assert response.status_code == 200
    assert said(response)[0].startswith(message)


def test_the_week_runs_a_fixed_number_of_queries(alice, acme, alice_admin, mia):
    logged(alice, acme, mia, WEEK, "1.00")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_admin.get(APPROVALS, week_query(mia)).status_code == 200
        return len(captured)

    few = queries()
    engagement = budgeted(alice, acme, "Monthly close")
    for n in range(12):
        logged(alice, acme, mia, WEEK + dt.timedelta(days=n % 7), "0.50", engagement=engagement)
    assert queries() == few


# -- Budgets ----------------------------------------------------------------------------------------


@pytest.fixture
def engagements(alice, acme, mia):
    return budgets(alice, acme, mia)


def budget_rows(response) -> list[list[str]]:
    return table_rows(response.content.decode(), "budgets")[1:]


def test_budgets_show_each_active_engagements_budget_actual_and_share_used(
    alice_admin, engagements
):
    response = alice_admin.get(BUDGETS)

    assert response.status_code == 200
    assert table_rows(response.content.decode(), "budgets")[0] == [
        "Client",
        "Engagement",
        "Status",
        "Budget",
        "Actual value",
        "Actual hours",
        "Used",
    ]
    assert budget_rows(response) == [
        ["Acme Corp", "Payroll", "Active", "20.00 h", "$625.00", "5.00 h", "25%"],
        ["Acme Corp", "Tax return", "Active", "$2,000.00 / 4.00 h", "$1,000.00", "8.00 h", "50%"],
        [
            "Acme Corp",
            "Year-end accounts",
            "Active",
            "$1,000.00",
            "$1,250.00",
            "10.00 h",
            "125% Over budget",
        ],
    ]
    html = response.content.decode()
    assert html.count('class="budget-row over-budget"') == 1
    assert "1 over budget" in html and "cents" not in html.lower()


def test_budgets_filter_by_status_client_and_over_budget(
    alice, alice_admin, make_client, mia, engagements
):
    other = make_client(alice, "Initech")
    budgeted(alice, other, "Initech audit", hours="5.00")

    names = lambda query: [r[1] for r in budget_rows(alice_admin.get(BUDGETS, query))]  # noqa: E731
    assert names({}) == ["Payroll", "Tax return", "Year-end accounts", "Initech audit"]
    assert names({"status": "completed"}) == ["Old audit"]
    assert names({"status": "all", "over": "on"}) == ["Old audit", "Year-end accounts"]
    assert names({"client": other.client.public_id}) == ["Initech audit"]
    assert names({"over": "on"}) == ["Year-end accounts"]


@pytest.mark.parametrize(
    "query, message",
    [
        ({"status": "nonsense"}, "Status: No such status."),
        ({"client": "ent_junk"}, "Client: No such client of this firm."),
    ],
)
def test_junk_budget_filters_are_messages(query, message, alice_admin, engagements):
    response = alice_admin.get(BUDGETS, query)
    assert response.status_code == 200 and said(response) == [message]


def test_a_viewer_reads_the_budgets(bob_admin, engagements):
    assert len(budget_rows(bob_admin.get(BUDGETS))) == 3


def test_another_firm_never_sees_the_firms_engagements(charlie_admin, acme, engagements):
    mine = charlie_admin.get(BUDGETS)
    assert budget_rows(mine) == [["No engagements with a budget."]]
    foreign = charlie_admin.get(BUDGETS, {"client": acme.client.public_id})
    assert said(foreign) == ["Client: No such client of this firm."]
    for response in (mine, foreign):
        assert "Year-end" not in response.content.decode()
        assert "Acme" not in response.content.decode()


def test_budgets_run_a_fixed_number_of_queries(alice, acme, alice_admin, mia):
    budgeted(alice, acme, "First", amount=10_000)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_admin.get(BUDGETS).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        engagement = budgeted(alice, acme, f"Engagement {n}", hours="2.00")
        logged(alice, acme, mia, WEEK, "1.00", engagement=engagement)
    assert queries() == few


# -- Realization ------------------------------------------------------------------------------------


@pytest.fixture
def year(alice, make_client):
    return invoices_of_the_year(alice, make_client)


def test_realization_shows_each_clients_figures_and_the_totals(alice_admin, year):
    response = alice_admin.get(REALIZATION, {"date_from": "2026-01-01", "date_to": "2026-11-30"})

    assert response.status_code == 200
    rows = table_rows(response.content.decode(), "realization")
    assert rows == [
        [
            "Client",
            "Hours",
            "Standard value",
            "Billed",
            "Collected",
            "Billing realization",
            "Collection realization",
        ],
        ["Acme Corp", "10.00 h", "$1,250.00", "$1,000.00", "$600.00", "80.0%", "60.0%"],
        ["Initech", "4.00 h", "$600.00", "$600.00", "$0.00", "100.0%", "0.0%"],
        ["Total", "14.00 h", "$1,850.00", "$1,600.00", "$600.00", "86.5%", "37.5%"],
    ]
    assert "cents" not in response.content.decode().lower()


def test_realization_defaults_to_this_year_to_date(alice_admin, year):
    response = alice_admin.get(REALIZATION)

    today = timezone.localdate()
    assert response.context["date_from"] == today.replace(month=1, day=1)
    assert response.context["date_to"] == today
    assert [r[0] for r in table_rows(response.content.decode(), "realization")[1:]] == [
        "Acme Corp",
        "Initech",
        "Total",
    ]


def test_a_client_row_links_to_its_invoices(alice_admin, year):
    acme = year[0]
    html = alice_admin.get(REALIZATION).content.decode()
    assert f"/admin/billing/invoice/?client__id__exact={acme.client.pk}" in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"date_from": "2026-06-01", "date_to": "2026-01-01"}, "From: Must not be after"),
        ({"date_from": "junk"}, "From: Enter a valid date."),
        ({"date_to": "2026-13-01"}, "To: Enter a valid date."),
        ({"date_to": "9999-12-31"}, "To: "),
        ({"firm": "ent_junk"}, "Firm: No such firm."),
    ],
)
def test_junk_periods_are_messages_not_errors(query, message, alice_admin, year):
    response = alice_admin.get(REALIZATION, query)

    assert response.status_code == 200
    assert said(response)[0].startswith(message)
    assert response.context["report"] is None


def test_a_viewer_reads_realization_and_another_firm_sees_none_of_it(
    bob_admin, charlie_admin, year
):
    assert len(table_rows(bob_admin.get(REALIZATION).content.decode(), "realization")) == 4
    html = charlie_admin.get(REALIZATION).content.decode()
    assert "Acme" not in html and "Initech" not in html
    assert table_rows(html, "realization")[1] == ["No invoices issued in this period."]


def test_realization_runs_a_fixed_number_of_queries(alice, make_client, alice_admin):
    first = make_client(alice, "Client 00")
    billed_and_paid(alice, first, "1.00", 10_000, issue=dt.date(2026, 2, 2), paid=5_000)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_admin.get(REALIZATION).status_code == 200
        return len(captured)

    few = queries()
    for n in range(1, 8):
        link = make_client(alice, f"Client {n:02d}")
        billed_and_paid(alice, link, "1.00", 10_000, issue=dt.date(2026, 2, 2), paid=5_000)
    assert queries() == few


# -- The pages in the admin ------------------------------------------------------------------------


def test_the_pages_are_in_the_workplace_bar_and_their_apps(alice_admin, week):
    html = alice_admin.get(reverse("admin:index")).content.decode()
    for url in (APPROVALS, BUDGETS, REALIZATION):
        assert f'href="{url}"' in html
    assert (
        f'href="{APPROVALS}"'
        in alice_admin.get(reverse("admin:app_list", args=["practice"])).content.decode()
    )
