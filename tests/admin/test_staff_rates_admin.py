"""Staff and their rates in the admin: the Staff page shows each firm's people with their role,
today's rate and every rate; rates are set through `staff_rate_set` by a firm ADMIN only (typed as
money, a second rate on a day replacing the first); the firm's other staff read them; another
firm's are a 404.

Alice is ADMIN of Firm A, Bob its VIEWER, Dave its MEMBER; Charlie is ADMIN of Firm B.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.entities.models import Role
from practice.models import StaffRate
from tests.admin.conftest import logged_in
from tests.admin.receivables_helpers import table_rows
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

STAFF_PAGE = "/admin/practice/staff/"
ADD = reverse("admin:practice_staffrate_add")
LIST = reverse("admin:practice_staffrate_changelist")
DAY = dt.timedelta(days=1)


def change_url(rate: StaffRate) -> str:
    return reverse("admin:practice_staffrate_change", args=[rate.pk])


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def dave(firm_a):
    user = UserFactory(email="dave@alpha.test", full_name="Dave Dunn", is_staff=True)
    MembershipFactory(user=user, entity=firm_a, role=Role.MEMBER)
    return user


@pytest.fixture
def rates(alice, dave):
    """Dave's rates: $120.00 until yesterday, $150.00 from yesterday, $175.00 from next week."""
    made = [
        StaffRate.objects.create(
            firm=alice.firm, user=dave, rate_cents=cents, effective_from=day, created_by=alice.user
        )
        for cents, day in (
            (12_000, today() - 30 * DAY),
            (15_000, today() - DAY),
            (17_500, today() + 7 * DAY),
        )
    ]
    return made


def add_form(firm, user, day, rate: str) -> dict:
    return {"firm": firm.pk, "user": user.pk, "effective_from": str(day), "rate": rate}


# -- the Staff page ---------------------------------------------------------------------------------


def test_the_staff_page_shows_each_person_with_role_and_rates(alice, bob, dave, rates):
    page = logged_in(alice.user).get(STAFF_PAGE)
    assert page.status_code == 200
    rows = table_rows(page.content.decode(), f"staff-{alice.firm.public_id}")
    people = {row[1]: row for row in rows[1:]}
    assert people["dave@alpha.test"][:5] == [
        "Dave Dunn",
        "dave@alpha.test",
        "Member",
        "$150.00",
        f"from {today() - 30 * DAY}: $120.00"
        f"from {today() - DAY}: $150.00"
        f"from {today() + 7 * DAY}: $175.00",
    ]
    assert people["bob@alpha.test"][2:5] == ["Viewer", "—", "none"]
    assert people["alice@alpha.test"][2] == "Admin"
    # An ADMIN may set anyone's rate from here.
    assert page.content.decode().count('class="set-rate"') == 3


def test_the_firms_other_staff_see_it_without_setting_rates(alice, bob, dave, rates):
    for user in (bob.user, dave):
        page = logged_in(user).get(STAFF_PAGE)
        assert page.status_code == 200
        assert b"$150.00" in page.content and b'class="set-rate"' not in page.content


def test_another_firm_sees_only_its_own_people(alice, charlie, dave, rates):
    page = logged_in(charlie.user).get(STAFF_PAGE)
    assert page.status_code == 200
    assert b"dave@alpha.test" not in page.content and b"charlie@bravo.test" in page.content


def test_the_page_is_listed_under_practice_and_closed_to_strangers(alice, client):
    index = logged_in(alice.user).get(reverse("admin:app_list", args=["practice"]))
    assert STAFF_PAGE.encode() in index.content
    assert client.get(STAFF_PAGE).status_code == 302  # to the login page
    outsider = UserFactory(is_staff=True)  # staff flag, no firm
    assert logged_in(outsider).get(STAFF_PAGE).status_code == 403


def test_the_page_takes_the_same_queries_for_3_or_30_people(alice, dave, rates):
    session = logged_in(alice.user)
    session.get(STAFF_PAGE)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert session.get(STAFF_PAGE).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(27):
        user = UserFactory()
        MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
        StaffRate.objects.create(
            firm=alice.firm, user=user, rate_cents=10_000 + n, effective_from=today()
        )
    assert count() == few


# -- setting rates ----------------------------------------------------------------------------------


def test_an_admin_adds_a_rate_typed_as_money(alice, dave):
    response = logged_in(alice.user).post(ADD, add_form(alice.firm, dave, today(), "1,250.50"))
    assert response.status_code == 302, response.content
    stored = StaffRate.objects.get()
    assert (stored.user, stored.rate_cents, stored.effective_from, stored.created_by) == (
        dave,
        125_050,
        today(),
        alice.user,
    )


def test_a_second_rate_on_the_same_day_replaces_the_first(alice, dave, rates):
    response = logged_in(alice.user).post(ADD, add_form(alice.firm, dave, today() - DAY, "160"))
    assert response.status_code == 302, response.content
    assert StaffRate.objects.filter(user=dave).count() == 3
    assert StaffRate.objects.get(user=dave, effective_from=today() - DAY).rate_cents == 16_000


def test_an_admin_corrects_a_rate_on_its_page(alice, dave, rates):
    session = logged_in(alice.user)
    page = session.get(change_url(rates[1]))
    assert b'value="150.00"' in page.content
    response = session.post(change_url(rates[1]), {"rate": "155.00"})
    assert response.status_code == 302, response.content
    rates[1].refresh_from_db()
    assert (rates[1].rate_cents, rates[1].effective_from) == (15_500, today() - DAY)


def test_the_rates_list_marks_the_one_in_effect_today(alice, dave, rates):
    page = logged_in(alice.user).get(LIST)
    html = page.content.decode()
    rows = table_rows(html, "result_list")[1:]
    assert {cell for row in rows for cell in row if cell.startswith("$")} == {
        "$120.00",
        "$150.00",
        "$175.00",
    }
    rows = html.split('id="result_list"', 1)[1].split("</table>", 1)[0].split("<tr")[2:]
    in_effect = [row for row in rows if 'alt="True"' in row]
    assert len(in_effect) == 1 and "$150.00" in in_effect[0]


@pytest.mark.parametrize("typed", ["", "abc", "-5.00", "1.005"])
def test_a_rate_that_is_not_money_is_refused(alice, dave, typed):
    page = logged_in(alice.user).post(ADD, add_form(alice.firm, dave, today(), typed))
    assert page.status_code == 200
    assert not StaffRate.objects.exists()


def test_the_person_must_be_one_of_the_firms(alice, charlie, acme, dave):
    owner = UserFactory(email="owner@acme.test")
    MembershipFactory(user=owner, entity=acme.client, role=Role.ADMIN)
    session = logged_in(alice.user)
    page = session.get(ADD)
    # The choice lists the firm's people only: never every user.
    assert b"dave@alpha.test" in page.content
    assert b"charlie@bravo.test" not in page.content and b"owner@acme.test" not in page.content
    for stranger in (charlie.user, owner):
        refused = session.post(ADD, add_form(alice.firm, stranger, today(), "100"))
        assert refused.status_code == 200
    assert not StaffRate.objects.exists()


def test_a_member_or_viewer_reads_rates_but_cannot_set_them(alice, bob, dave, rates):
    before = db_fingerprint()
    for user in (bob.user, dave):
        session = logged_in(user)
        assert session.get(LIST).status_code == 200
        assert session.get(ADD).status_code == 403
        assert session.post(ADD, add_form(alice.firm, dave, today(), "1")).status_code == 403
        page = session.get(change_url(rates[1]))
        assert page.status_code == 200 and b'name="rate"' not in page.content
        assert b"$150.00" in page.content
        assert session.post(change_url(rates[1]), {"rate": "1"}).status_code == 403
    assert db_fingerprint() == before


def test_another_firms_rates_are_404(alice, charlie, rates):
    session = logged_in(charlie.user)
    assert session.get(change_url(rates[0])).status_code == 404
    assert session.post(change_url(rates[0]), {"rate": "1"}).status_code == 404
    listed = session.get(LIST)
    assert b"dave@alpha.test" not in listed.content
    # Nor may he add one for Firm A (not a firm he administers).
    refused = session.post(ADD, add_form(alice.firm, alice.user, today(), "1"))
    assert refused.status_code == 200
    assert StaffRate.objects.count() == 3
