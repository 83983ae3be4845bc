"""Which rate a time entry takes when the request gives none: its engagement's, the client's, the
staff member's in effect on the entry's date, the firm's, else none; stored with its source and
never re-priced by later rate changes; derived again only when an edit changes what it came from.
And time on fixed-fee and non-billable engagements is not billable unless the request says so.

Alice (Firm A's ADMIN) bills at $120.00 from 2026-01-01 and $150.00 from 2026-03-01; the firm's
default is $90.00; Acme has no rate of its own, Rated Co $200.00.
"""

import datetime as dt

import pytest

from practice.models import Engagement, StaffRate
from practice.services.clients import client_update, firm_default_rate_set
from practice.services.engagements import engagement_create
from tests.helpers import api, in_firm
from tests.practice.staff_helpers import rate, rates_url
from tests.practice.time_helpers import create, entry_url, listing, tasks_of

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def rates(alice):
    firm_default_rate_set(firm=alice.firm, rate_cents=9_000)
    rate(alice.firm, alice.user, 12_000, D(2026, 1, 1))
    rate(alice.firm, alice.user, 15_000, D(2026, 3, 1))


@pytest.fixture
def rated(alice, make_client):
    return make_client(alice, "Rated Co", default_rate_cents=20_000)


def engagement(persona, link, name="Books", *, rate_cents=None, billing_method="hourly"):
    made = engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=D(2026, 1, 1),
        type="bookkeeping",
    )
    fee = 50_000 if billing_method == "fixed_fee" else None
    Engagement.objects.filter(pk=made.pk).update(
        rate_cents=rate_cents, billing_method=billing_method, fee_cents=fee
    )
    made.refresh_from_db()
    return made


def priced(entry: dict) -> tuple:
    return entry["rate"], entry["rateSource"], entry["amount"]


def edit(persona, entry: dict, **changes) -> dict:
    return api(persona).patch(
        entry_url(entry["id"]), changes, params=in_firm(persona.firm.public_id)
    )["entry"]


# --- Each source, in order --------------------------------------------------------------------------


def test_each_source_in_its_order(alice, bob, acme, rated, rates):
    books = engagement(alice, rated, rate_cents=25_000)
    unpriced_books = engagement(alice, rated, "Unpriced")
    kwargs = {"date": "2026-02-10", "hours": 2}

    assert priced(create(alice, rated, rate=30_000, engagementId=books.public_id, **kwargs)) == (
        30_000,
        "explicit",
        60_000,
    )
    assert priced(create(alice, rated, engagementId=books.public_id, **kwargs)) == (
        25_000,
        "engagement",
        50_000,
    )
    # An engagement without a rate of its own passes to the client's.
    assert priced(create(alice, rated, engagementId=unpriced_books.public_id, **kwargs)) == (
        20_000,
        "client",
        40_000,
    )
    assert priced(create(alice, acme, **kwargs)) == (12_000, "staff", 24_000)
    # Bob has no staff rate: the firm's.
    assert priced(create(alice, acme, userId=bob.user.public_id, **kwargs)) == (
        9_000,
        "firm",
        18_000,
    )


def test_no_rate_anywhere_is_none(alice, acme):
    assert priced(create(alice, acme)) == (None, "none", None)


def test_the_staff_rate_is_the_entry_users_not_the_callers(alice, bob, acme, rates):
    rate(alice.firm, bob.user, 8_000, D(2026, 1, 1))
    entry = create(alice, acme, userId=bob.user.public_id, date="2026-03-05", hours=1)
    assert priced(entry) == (8_000, "staff", 8_000)


def test_a_rate_at_another_firm_is_not_this_firms(alice, charlie, acme):
    rate(charlie.firm, alice.user, 50_000, D(2026, 1, 1))  # alice is not even charlie's
    assert priced(create(alice, acme)) == (None, "none", None)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2025-12-31", (9_000, "firm")),  # before her first rate
        ("2026-01-01", (12_000, "staff")),  # the first rate's own day
        ("2026-02-28", (12_000, "staff")),  # the day before the change
        ("2026-03-01", (15_000, "staff")),  # the day of the change
        ("2026-03-02", (15_000, "staff")),  # the day after
    ],
)
def test_the_staff_rate_in_effect_on_the_entrys_date(alice, acme, rates, day, expected):
    entry = create(alice, acme, date=day, hours=1)
    assert (entry["rate"], entry["rateSource"]) == expected
    assert entry["amount"] == expected[0]


# --- Stored, never re-priced ------------------------------------------------------------------------


def test_later_rate_changes_never_reprice_logged_time(alice, acme, rates):
    logged = create(alice, acme, date="2026-03-10", hours=2)
    assert priced(logged) == (15_000, "staff", 30_000)

    # Her March rate corrected (same day: replaced), a new one for the same period, the firm's
    # default changed: the entry keeps what it was logged at, in the list and after an edit.
    api(alice).post(
        rates_url(alice.user.public_id), {"rate": 16_000, "effectiveFrom": "2026-03-01"}
    )
    api(alice).post(
        rates_url(alice.user.public_id), {"rate": 17_000, "effectiveFrom": "2026-03-05"}
    )
    firm_default_rate_set(firm=alice.firm, rate_cents=1_000)

    (listed,) = listing(alice)["entries"]
    assert priced(listed) == (15_000, "staff", 30_000)
    assert priced(edit(alice, logged, hours=3, description="More")) == (15_000, "staff", 45_000)
    assert (
        StaffRate.objects.filter(user=alice.user, effective_from=D(2026, 3, 1)).get().rate_cents
        == 16_000
    )

    # New time does take the new rate.
    assert priced(create(alice, acme, date="2026-03-10", hours=1)) == (17_000, "staff", 17_000)


# --- Edits: derived again only when what the rate came from changes --------------------------------


def test_a_new_date_across_a_rate_change_derives_the_staff_rate_again(alice, acme, rates):
    entry = create(alice, acme, date="2026-02-28", hours=2)
    assert priced(edit(alice, entry, date="2026-03-01")) == (15_000, "staff", 30_000)
    assert priced(edit(alice, entry, date="2025-12-31")) == (9_000, "firm", 18_000)


def test_a_new_user_takes_their_rate(alice, bob, acme, rates):
    rate(alice.firm, bob.user, 8_000, D(2026, 1, 1))
    entry = create(alice, acme, date="2026-02-10", hours=1)
    assert priced(edit(alice, entry, userId=bob.user.public_id)) == (8_000, "staff", 8_000)
    assert priced(edit(alice, entry, userId=None)) == (9_000, "firm", 9_000)


def test_a_new_engagement_takes_its_rate_and_leaving_it_falls_back(alice, acme, rates):
    books = engagement(alice, acme, rate_cents=25_000)
    entry = create(alice, acme, date="2026-02-10", hours=1)
    assert priced(edit(alice, entry, engagementId=books.public_id)) == (
        25_000,
        "engagement",
        25_000,
    )
    assert priced(edit(alice, entry, engagementId=None)) == (12_000, "staff", 12_000)


def test_a_task_naming_a_priced_engagement_brings_its_rate(alice, acme, rates):
    books = engagement(alice, acme, rate_cents=25_000)
    task = tasks_of(books)[0]
    entry = create(alice, acme, date="2026-02-10", hours=1)
    assert priced(edit(alice, entry, taskId=task.public_id))[:2] == (25_000, "engagement")


def test_edits_that_leave_its_sources_alone_keep_the_rate_even_if_rates_changed(alice, acme, rates):
    entry = create(alice, acme, date="2026-02-10", hours=1)
    StaffRate.objects.filter(user=alice.user).update(rate_cents=99_000)
    firm_default_rate_set(firm=alice.firm, rate_cents=1)
    # The same date, user and client given again: nothing it came from changed.
    same = edit(
        alice,
        entry,
        hours=2,
        description="Close",
        billable=False,
        date="2026-02-10",
        userId=alice.user.public_id,
        entityId=acme.client.public_id,
    )
    assert priced(same) == (12_000, "staff", 24_000)


def test_an_explicit_rate_survives_every_change_until_cleared(alice, bob, acme, rates):
    books = engagement(alice, acme, rate_cents=25_000)
    entry = create(alice, acme, date="2026-02-10", hours=1, rate=5_000)
    moved = edit(
        alice, entry, date="2026-03-10", userId=bob.user.public_id, engagementId=books.public_id
    )
    assert priced(moved) == (5_000, "explicit", 5_000)
    assert priced(edit(alice, entry, rate=None)) == (25_000, "engagement", 25_000)


def test_moving_to_a_client_with_a_rate_takes_the_clients(alice, acme, rated, rates):
    entry = create(alice, acme, date="2026-02-10", hours=1)
    assert priced(edit(alice, entry, entityId=rated.client.public_id)) == (20_000, "client", 20_000)


def test_a_client_rate_set_later_is_taken_only_when_the_entry_is_edited_at_its_source(
    alice, acme, rates
):
    entry = create(alice, acme, date="2026-02-10", hours=1)
    client_update(link=acme, changes={"default_rate_cents": 20_000})
    assert priced(edit(alice, entry, hours=2)) == (12_000, "staff", 24_000)
    assert priced(edit(alice, entry, date="2026-02-11")) == (20_000, "client", 40_000)


# --- Billable by default ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "billable"),
    [("hourly", True), ("fixed_fee", False), ("non_billable", False)],
)
def test_time_on_an_engagement_is_billable_as_its_method_says(alice, acme, method, billable):
    work = engagement(alice, acme, billing_method=method)
    assert create(alice, acme, engagementId=work.public_id)["billable"] is billable
    # Named through one of its tasks, the same.
    task = tasks_of(work)[0]
    assert create(alice, acme, taskId=task.public_id)["billable"] is billable


@pytest.mark.parametrize("method", ["fixed_fee", "non_billable"])
def test_the_request_may_still_say_billable(alice, acme, method):
    work = engagement(alice, acme, billing_method=method)
    assert create(alice, acme, engagementId=work.public_id, billable=True)["billable"] is True


def test_without_an_engagement_time_is_billable_unless_told(alice, acme):
    assert create(alice, acme)["billable"] is True
    assert create(alice, acme, billable=False)["billable"] is False


def test_moving_time_between_engagements_follows_their_defaults(alice, acme):
    hourly = engagement(alice, acme, "Hourly")
    internal = engagement(alice, acme, "Internal", billing_method="non_billable")
    entry = create(alice, acme, engagementId=hourly.public_id)
    assert entry["billable"] is True

    assert edit(alice, entry, engagementId=internal.public_id)["billable"] is False
    assert edit(alice, entry, engagementId=hourly.public_id)["billable"] is True
    assert edit(alice, entry, engagementId=internal.public_id, billable=True)["billable"] is True


def test_a_flag_set_against_the_default_stays_through_a_move(alice, acme):
    hourly = engagement(alice, acme, "Hourly")
    other_hourly = engagement(alice, acme, "Other hourly")
    internal = engagement(alice, acme, "Internal", billing_method="non_billable")
    fixed = engagement(alice, acme, "Fixed", billing_method="fixed_fee")
    not_billed = create(alice, acme, engagementId=hourly.public_id, billable=False)
    billed = create(alice, acme, engagementId=internal.public_id, billable=True)

    assert edit(alice, not_billed, engagementId=other_hourly.public_id)["billable"] is False
    assert edit(alice, billed, engagementId=fixed.public_id)["billable"] is True


def test_moving_non_billable_time_to_another_client_makes_it_billable(alice, acme, rated):
    internal = engagement(alice, acme, "Internal", billing_method="non_billable")
    entry = create(alice, acme, engagementId=internal.public_id)
    moved = edit(alice, entry, entityId=rated.client.public_id)
    assert (moved["engagementId"], moved["billable"]) == (None, True)


def test_editing_other_fields_leaves_billable_alone(alice, acme):
    internal = engagement(alice, acme, "Internal", billing_method="non_billable")
    entry = create(alice, acme, engagementId=internal.public_id)
    assert edit(alice, entry, hours=4)["billable"] is False
