"""The weekly timesheet page (/admin/practice/timesheet/): the signed-in user's week in one firm,
saved in one submit through the time services, with refusals on their cells; the timer box; copy
last week's rows; who may see and save what; queries flat as rows grow.

Alice is ADMIN of Firm A (Acme Corp, Initech), Bob a VIEWER of Firm A, Charlie ADMIN of Firm B
(Globex Inc). The week is 2026-11-30 (Mon) to 2026-12-06 (Sun).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from axiomatic.entities.models import Role
from practice.models import TimeEntry, Timer
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from practice.services.timers import timer_start
from practice.services.timesheets import week_of
from tests.admin.conftest import logged_in
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

PAGE = "/admin/practice/timesheet/"
MON = dt.date(2026, 11, 30)
WEEK = f"{PAGE}?week={MON.isoformat()}"


def log(persona, link, day, hours, description="", user=None):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=day,
        hours=Decimal(hours),
        description=description,
        default_user=user or persona.user,
    )


def grid_post(rows, action="save"):
    """The grid's POST: rows of (client link, engagement or None, description, {day: typed})."""
    data = {"row-count": str(len(rows))}
    if action.startswith("timer-"):
        data["action"] = action  # the timer forms' hidden field
    else:
        data[action] = "pressed"  # the grid's buttons: Save week, Add rows, Copy last week's rows
    for i, (link, engagement, description, hours) in enumerate(rows):
        data[f"row-{i}-client"] = link.client.public_id if link else ""
        data[f"row-{i}-engagement"] = engagement.public_id if engagement else ""
        data[f"row-{i}-description"] = description
        for day, typed in hours.items():
            data[f"row-{i}-d{day}"] = typed
    return data


def page_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def initech(alice, make_client):
    return make_client(alice, "Initech")


@pytest.fixture
def close(alice, acme):
    return engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Monthly close",
        start_date=MON,
        type="bookkeeping",
    )


@pytest.fixture
def member(alice):
    user = UserFactory(email="dana@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
    return user


# --- What the page shows ---------------------------------------------------------------------------


def test_the_week_shows_entries_in_their_cells_with_row_day_and_week_totals(
    alice, alice_admin, acme, initech, close
):
    log(alice, acme, MON, "1.50", "Close")
    log(alice, acme, MON + dt.timedelta(1), "2.00", "Close")
    log(alice, initech, MON + dt.timedelta(1), "3.25")
    response = alice_admin.get(WEEK)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-label="Hours for Acme Corp / Close on Mon 2026-11-30"' in html
    assert re.search(r'name="row-0-d0"[^>]*value="1.50"', html)
    assert 'id="ts-0-total">3.50<' in html
    assert 'id="ts-day-1-total">5.25<' in html
    assert 'id="ts-grand-total">6.75<' in html
    assert "Monthly close" in html  # the engagement select of the empty rows
    assert 'aria-label="Client for new row 3"' in html


def test_without_a_week_it_shows_this_week_and_any_day_picks_its_monday(alice_admin, acme):
    this_monday = week_of(timezone.localdate())
    assert alice_admin.get(PAGE).context["week"] == this_monday
    assert alice_admin.get(f"{PAGE}?week=2026-12-03").context["week"] == MON
    html = alice_admin.get(WEEK).content.decode()
    assert "?week=2026-11-23" in html and "?week=2026-12-07" in html


@pytest.mark.parametrize("junk", ["soon", "2026-02-30", "99999-01-01", "0001-01-01"])
def test_a_week_that_is_not_a_date_is_a_message_and_this_week(alice_admin, acme, junk):
    response = alice_admin.get(f"{PAGE}?week={junk}")
    assert response.status_code == 200
    assert response.context["week"] == week_of(timezone.localdate())
    assert any("not a date" in m for m in page_messages(response))


def test_several_entries_in_a_cell_show_their_sum_read_only(alice, alice_admin, acme):
    log(alice, acme, MON, "1.00")
    log(alice, acme, MON, "0.50")
    html = alice_admin.get(WEEK).content.decode()
    assert 'name="row-0-d0"' not in html
    assert "2 entries: change them on the time entries page" in html
    assert 'id="ts-grand-total">1.50<' in html


def test_days_in_the_locked_period_are_read_only(alice, alice_admin, acme):
    from practice.services.settings import firm_settings_update

    firm_settings_update(firm=alice.firm, by=alice.user, changes={"time_lock_date": MON})
    html = alice_admin.get(WEEK).content.decode()
    assert 'name="row-0-d0"' not in html and 'name="row-0-d1"' in html
    assert "locked period" in html


# --- Saving ----------------------------------------------------------------------------------------


def test_one_submit_saves_the_changed_cells_through_the_time_service(
    alice, alice_admin, acme, initech, close
):
    kept = log(alice, acme, MON, "1.00", "Close")
    post = grid_post(
        [
            (acme, None, "Close", {0: "1.00"}),
            (acme, close, "", {1: "2.5"}),
            (initech, None, "Payroll", {2: "4"}),
            (None, None, "", {}),
        ]
    )
    response = alice_admin.post(WEEK, post, follow=True)
    assert response.redirect_chain[-1][0] == WEEK
    assert page_messages(response) == ["Saved your week: 2 logged, 0 changed, 0 removed."]
    entries = TimeEntry.objects.filter(user=alice.user).order_by("date")
    assert [(e.date.isoformat(), str(e.hours), e.description) for e in entries] == [
        ("2026-11-30", "1.00", "Close"),
        ("2026-12-01", "2.50", ""),
        ("2026-12-02", "4.00", "Payroll"),
    ]
    assert entries[0].pk == kept.pk  # the same figure: the entry as it was
    assert entries[1].engagement == close


def test_a_refused_save_keeps_the_typed_figures_and_shows_each_error_on_its_cell(
    alice, alice_admin, acme, initech
):
    before = db_fingerprint()
    post = grid_post([(acme, None, "", {0: "2", 1: "30"}), (initech, None, "", {0: "1.5"})])
    response = alice_admin.post(WEEK, post)
    assert response.status_code == 200
    assert db_fingerprint() == before
    html = response.content.decode()
    cell = re.search(r'<input[^>]*name="row-0-d1"[^>]*>', html).group(0)
    assert 'value="30"' in cell and 'aria-invalid="true"' in cell
    assert 'aria-describedby="ts-0-1-error"' in cell and "autofocus" in cell
    assert re.search(r'id="ts-0-1-error">Must be more than 0 and at most 24', html)
    assert 'value="2"' in html and 'value="1.5"' in html  # the other typed figures kept
    assert "Nothing was saved: 1 figure to fix." in html
    assert 'href="#ts-0-1"' in html


def test_a_member_saves_their_own_week(alice, member, acme):
    response = logged_in(member).post(WEEK, grid_post([(acme, None, "", {4: "6"})]))
    assert response.status_code == 302
    entry = TimeEntry.objects.get()
    assert (entry.user, entry.date, entry.hours) == (member, MON + dt.timedelta(4), Decimal("6"))


def test_only_the_users_own_entries_are_shown_and_changed(alice, member, alice_admin, acme):
    theirs = log(alice, acme, MON, "5.00", user=member)
    html = alice_admin.get(WEEK).content.decode()
    assert "5.00" not in html
    alice_admin.post(WEEK, grid_post([(acme, None, "", {0: ""})]))
    assert TimeEntry.objects.get(pk=theirs.pk).hours == Decimal("5.00")


def test_copy_last_weeks_rows_prefills_them_with_empty_hours_and_saves_nothing(
    alice, alice_admin, acme, initech, close
):
    log(alice, acme, MON - dt.timedelta(7), "3.00", "Close")
    log(alice, initech, MON - dt.timedelta(3), "1.00", "Calls")
    before = db_fingerprint()
    response = alice_admin.post(WEEK, grid_post([(acme, None, "", {0: "2"})], action="copy"))
    assert response.status_code == 200 and db_fingerprint() == before
    rows = response.context["grid"].rows
    assert [(r["label"], [c["value"] for c in r["cells"]][:2]) for r in rows] == [
        ("Acme Corp", ["2", ""]),  # what was typed stays typed
        ("Acme Corp / Close", ["", ""]),
        ("Initech / Calls", ["", ""]),
    ]


def test_add_rows_keeps_the_typed_figures_and_adds_empty_rows(alice_admin, acme):
    response = alice_admin.post(WEEK, grid_post([(acme, None, "", {0: "2"})], action="add-rows"))
    rows = response.context["grid"].rows
    assert len(rows) == 4 and rows[0]["cells"][0]["value"] == "2"
    assert not TimeEntry.objects.exists()


# --- The timer box ---------------------------------------------------------------------------------


def test_start_and_stop_from_the_page_log_an_entry_that_shows_in_the_week(alice, alice_admin, acme):
    html = alice_admin.get(PAGE).content.decode()
    assert "Start timer" in html
    response = alice_admin.post(
        PAGE, {"action": "timer-start", "client": acme.pk, "description": "Payroll"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(PAGE)
    assert "Started a timer on Acme Corp." in page_messages(response)
    timer = Timer.objects.get(status="running")
    assert "Stop and log time" in response.content.decode()
    response = alice_admin.post(
        PAGE, {"action": "timer-stop", "timer": timer.public_id}, follow=True
    )
    assert any(m.startswith("Stopped your timer on Acme Corp") for m in page_messages(response))
    entry = TimeEntry.objects.get()
    assert entry.user == alice.user and entry.description == "Payroll"
    assert "Hours for Acme Corp / Payroll on" in response.content.decode()


def test_another_firms_timer_cannot_be_stopped_from_the_page(charlie, alice_admin, acme, globex):
    theirs = timer_start(firm=charlie.firm, link=globex, default_user=charlie.user).timer
    response = alice_admin.post(PAGE, {"action": "timer-stop", "timer": theirs.public_id})
    assert response.status_code == 404
    assert Timer.objects.get(pk=theirs.pk).status == "running"


# --- Who sees and saves what -----------------------------------------------------------------------


def test_a_viewer_reads_the_week_without_inputs_and_every_post_is_403(bob, bob_admin, acme):
    log(bob, acme, MON, "1.00")  # time logged for bob (through the API by a colleague)
    html = bob_admin.get(WEEK).content.decode()
    assert 'class="ts-hours"' not in html and "Save week" not in html
    assert "Start timer" not in html and "read-only" in html
    before = db_fingerprint()
    for action in ("save", "copy", "timer-start"):
        data = {**grid_post([(acme, None, "", {1: "2"})], action=action), "client": acme.pk}
        assert bob_admin.post(WEEK, data).status_code == 403
    assert db_fingerprint() == before


def test_another_firms_clients_are_never_listed_and_naming_one_saves_nothing(
    alice, charlie_admin, acme, globex, close
):
    html = charlie_admin.get(WEEK).content.decode()
    assert "Globex Inc" in html and "Acme Corp" not in html and "Monthly close" not in html
    before = db_fingerprint()
    response = charlie_admin.post(
        WEEK, grid_post([(globex, None, "", {0: "1"}), (acme, None, "", {0: "2"})])
    )
    assert response.status_code == 200
    assert "No such client of this firm." in response.content.decode()
    response = charlie_admin.post(WEEK, grid_post([(globex, close, "", {0: "1"})]))
    assert "No such engagement for this client." in response.content.decode()
    assert db_fingerprint() == before


@pytest.mark.parametrize("count", ["junk", "-4", "100000"])
def test_a_junk_post_is_an_answer_not_a_500(alice_admin, acme, count):
    response = alice_admin.post(
        WEEK, {"row-count": count, "row-0-client": "ent_nope", "row-0-d0": "1"}
    )
    assert response.status_code in (200, 302)
    assert not TimeEntry.objects.exists()


def test_someone_in_two_firms_chooses_the_firm_first(alice, charlie, acme, globex):
    MembershipFactory(user=alice.user, entity=charlie.firm, role=Role.VIEWER)
    client = logged_in(alice.user)
    response = client.get(WEEK)
    assert response.context["firm"] is None
    assert "Choose a firm to see your week." in page_messages(response)
    assert client.post(WEEK, grid_post([(acme, None, "", {0: "1"})])).status_code == 403
    html = client.get(f"{WEEK}&firm={alice.firm.public_id}").content.decode()
    assert "Acme Corp" in html and "Globex Inc" not in html and 'id="ts-firm"' in html
    html = client.get(f"{WEEK}&firm={charlie.firm.public_id}").content.decode()
    assert "Save week" not in html  # a viewer there
    assert client.get(f"{WEEK}&firm=ent_unknown").context["firm"] is None


def test_signed_out_the_page_asks_to_sign_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_the_page_is_listed_in_the_workplace_bar(alice_admin, acme):
    html = alice_admin.get("/admin/").content.decode()
    assert f'href="{PAGE}"' in html


# --- Queries ---------------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_page_runs_the_same_queries_for_2_rows_and_20(alice, alice_admin, make_client):
    links = [make_client(alice, f"Client {n:02d}") for n in range(20)]
    for n, link in enumerate(links[:2]):
        log(alice, link, MON + dt.timedelta(n % 7), "1.00", f"Work {n}")
    few = _queries(alice_admin, WEEK)
    for n, link in enumerate(links[2:], start=2):
        log(alice, link, MON + dt.timedelta(n % 7), "1.00", f"Work {n}")
        log(alice, link, MON + dt.timedelta((n + 1) % 7), "2.00", f"Work {n}")
        engagement_create(
            firm=alice.firm, client=link.client, name=f"Job {n}", start_date=MON, type="advisory"
        )
    assert len(alice_admin.get(WEEK).context["grid"].rows) > 20
    assert _queries(alice_admin, WEEK) == few
