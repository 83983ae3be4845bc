"""Journey 3, log time, in a real browser: Alice fills her week for two clients with the keyboard
only, saves it and sees the totals; a day of 30 hours is refused on its cell with nothing saved
and the focus on it; she starts and stops a timer and its entry joins the week; she copies last
week's rows. Every page is looked at (a screenshot and axe-core)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from practice.models import TimeEntry
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from practice.services.timesheets import week_of
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def alices_world(alice, acme, make_client):
    initech = make_client(alice, "Initech")
    engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Monthly close",
        start_date=timezone.localdate(),
        type="bookkeeping",
    )
    last_monday = week_of(timezone.localdate()) - dt.timedelta(days=7)
    for link, description in ((acme, "Bookkeeping"), (initech, "Calls")):
        time_entry_create(
            firm=alice.firm,
            link=link,
            work_date=last_monday,
            hours=Decimal("2.00"),
            description=description,
            default_user=alice.user,
        )
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    return initech


def type_in(page, text: str) -> None:
    page.keyboard.type(text)
    page.keyboard.press("Tab")


def this_weeks_entries(alice) -> int:
    monday = week_of(timezone.localdate())
    return TimeEntry.objects.filter(user=alice.user, date__gte=monday).count()


def test_journey3_log_a_week_by_keyboard_refuse_a_cell_time_it_and_copy_last_week(
    live_server, new_page, alice, alices_world, screenshots
):
    page = new_page()
    admin_login(page, live_server.url, alice.user.email)
    page.locator("#workplace-nav").get_by_role("link", name="Timesheet").click()
    expect(page.locator("h1")).to_have_text("Timesheet")
    journey_step(page, screenshots, "journey3-timesheet")

    # Keyboard only: the first empty row's client, engagement, description, then Mon and Tue.
    page.locator("#ts-0-client").focus()
    page.keyboard.press("ArrowDown")  # Acme Corp
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # Monthly close
    page.keyboard.press("Tab")
    type_in(page, "Close")
    type_in(page, "1.5")  # Mon
    page.keyboard.type("2")  # Tue
    for _ in range(6):  # Tue's cell, Wed..Sun: the next row's client select
        page.keyboard.press("Tab")
    expect(page.locator("#ts-1-client")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # Initech
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # no engagement
    type_in(page, "Payroll")
    page.keyboard.type("3")  # Mon
    expect(page.locator("#ts-grand-total")).to_have_text("6.50")  # the script's live total
    page.keyboard.press("Enter")

    expect(page.locator(".messagelist")).to_contain_text("Saved your week: 3 logged")
    expect(page.locator("#ts-0-total")).to_have_text("3.50")
    expect(page.locator("#ts-1-total")).to_have_text("3.00")
    expect(page.locator("#ts-day-0-total")).to_have_text("4.50")
    expect(page.locator("#ts-grand-total")).to_have_text("6.50")
    expect(
        page.get_by_label("Hours for Acme Corp / Monthly close / Close on", exact=False).first
    ).to_have_value("1.50")
    assert this_weeks_entries(alice) == 3
    journey_step(page, screenshots, "journey3-saved")

    # 30 hours on Initech's Tuesday: refused on that cell, nothing saved, the focus on it.
    page.locator("#ts-1-0").focus()
    page.keyboard.press("Tab")
    page.keyboard.type("30")
    page.keyboard.press("Enter")
    cell = page.locator("#ts-1-1")
    expect(page.locator("#ts-errors")).to_contain_text("Nothing was saved")
    expect(cell).to_be_focused()
    expect(cell).to_have_value("30")
    expect(cell).to_have_attribute("aria-invalid", "true")
    expect(cell).to_have_attribute("aria-describedby", "ts-1-1-error")
    expect(page.locator("#ts-1-1-error")).to_contain_text("at most 24")
    assert this_weeks_entries(alice) == 3
    journey_step(page, screenshots, "journey3-refused")

    # A timer: start it on Acme Corp, stop it, and its entry joins the week.
    page.select_option("#timer_client", label="Acme Corp")
    page.fill("#timer_description", "Phone call")
    page.get_by_role("button", name="Start timer").click()
    expect(page.locator(".messagelist")).to_contain_text("Started a timer on Acme Corp.")
    expect(page.locator("#ts-timer")).to_contain_text("Phone call")
    journey_step(page, screenshots, "journey3-timer-running")
    page.get_by_role("button", name="Stop and log time").click()
    expect(page.locator(".messagelist")).to_contain_text("Stopped your timer on Acme Corp")
    expect(page.locator("#timesheet")).to_contain_text("Phone call")
    assert this_weeks_entries(alice) == 4
    journey_step(page, screenshots, "journey3-timer-stopped")

    # Last week's rows, copied with their hours empty: nothing saved until Save.
    page.get_by_role("button", name="Copy last week's rows").click()
    expect(page.locator(".messagelist")).to_contain_text("nothing is saved until you save")
    grid = page.locator("#timesheet")
    expect(grid.locator('input[value="Bookkeeping"]')).to_have_count(1)
    expect(grid.locator('input[value="Calls"]')).to_have_count(1)
    assert this_weeks_entries(alice) == 4
    journey_step(page, screenshots, "journey3-copied")
