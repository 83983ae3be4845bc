"""The running-timer panel on the time entries page, and the timers list: start, stop and discard
go through the timer service (a stop logs its time through the time entry service), refusals come
back as messages with nothing changed, and another firm's timers are out of reach.

Alice is ADMIN of Firm A (client Acme Corp), Bob a VIEWER of Firm A, Charlie ADMIN of Firm B
(client Globex Inc).
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.errors import ConflictError
from practice.models import TimeEntry, Timer
from practice.services import timers as timer_services
from practice.services.engagements import engagement_create
from practice.services.timers import timer_start
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

TIME_ENTRIES = "admin:practice_timeentry_changelist"


def panel(client) -> str:
    page = client.get(reverse(TIME_ENTRIES))
    assert page.status_code == 200
    html = page.content.decode()
    return html.split('id="timer-panel"', 1)[1].split('id="changelist"', 1)[0]


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def post(client, name: str, *args, data=None):
    """POST to a timer view, following the redirect back to the time entries list."""
    return client.post(
        reverse(f"admin:practice_timeentry_timer_{name}", args=args), data or {}, follow=True
    )


def running_since(persona, link, **kwargs) -> Timer:
    """A running timer of the persona's, started `kwargs` ago (hours=, minutes=)."""
    started = timer_start(firm=persona.firm, link=link, default_user=persona.user).timer
    started.started_at = timezone.now() - dt.timedelta(**kwargs)
    started.save(update_fields=["started_at"])
    return started


def colleague(persona):
    user = UserFactory(email="dana@alpha.test")
    MembershipFactory(user=user, entity=persona.firm, role="MEMBER")
    return user


# --- The panel -------------------------------------------------------------------------------------


def test_with_no_timer_the_panel_offers_to_start_one_on_the_firms_own_clients(
    alice_admin, acme, globex
):
    html = panel(alice_admin)
    assert "Start timer" in html
    assert "Acme Corp" in html and "Globex Inc" not in html
    assert "Stop and log time" not in html


def test_starting_from_the_panel_runs_a_timer_for_the_signed_in_user(alice, alice_admin, acme):
    response = post(alice_admin, "start", data={"client": acme.pk, "description": "Payroll run"})
    assert response.redirect_chain[-1][0] == reverse(TIME_ENTRIES)
    assert messages_of(response) == ["Started a timer on Acme Corp."]
    timer = Timer.objects.get()
    assert (timer.firm, timer.user, timer.client, timer.description, timer.status) == (
        alice.firm,
        alice.user,
        acme.client,
        "Payroll run",
        "running",
    )
    html = panel(alice_admin)
    assert "Acme Corp" in html and "Payroll run" in html
    assert "Stop and log time" in html and "Discard" in html and "Start timer" not in html


def test_the_panel_shows_how_long_the_timer_has_run_and_what_stopping_logs(
    alice, alice_admin, acme
):
    running_since(alice, acme, hours=2, minutes=5)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", panel(alice_admin)))
    assert "running 2 h 05 min" in text
    assert "stopping now logs 2.09 h" in text  # 7,500 s, rounded up to a hundredth of an hour


def test_stop_logs_the_time_through_the_time_entry_service(alice, alice_admin, acme):
    timer = running_since(alice, acme, minutes=90)
    response = post(alice_admin, "stop", timer.public_id)
    entry = TimeEntry.objects.get()
    assert (entry.user, entry.client, str(entry.hours)) == (alice.user, acme.client, "1.50")
    assert entry.history.count() == 1  # the service's history record
    assert messages_of(response) == [
        f"Stopped your timer on Acme Corp: logged 1.50 h on {entry.date:%Y-%m-%d}."
    ]
    timer.refresh_from_db()
    assert (timer.status, timer.time_entry) == ("stopped", entry)
    assert "Start timer" in panel(alice_admin)


def test_discard_logs_nothing(alice, alice_admin, acme):
    timer = running_since(alice, acme, minutes=10)
    response = post(alice_admin, "discard", timer.public_id)
    assert messages_of(response) == ["Discarded your timer on Acme Corp: no time was logged."]
    timer.refresh_from_db()
    assert timer.status == "discarded" and TimeEntry.objects.count() == 0


def test_starting_another_stops_the_running_one_and_says_so(alice, alice_admin, acme):
    first = running_since(alice, acme, minutes=30)
    response = post(alice_admin, "start", data={"client": acme.pk})
    assert messages_of(response)[0].startswith("Stopped your timer on Acme Corp: logged 0.50 h")
    first.refresh_from_db()
    assert first.status == "stopped"
    assert Timer.objects.filter(status="running").count() == 1


# --- Refusals --------------------------------------------------------------------------------------


def test_an_engagement_of_another_client_is_refused_with_the_services_message(
    alice, alice_admin, acme, make_client
):
    other = make_client(alice, "Other Co")
    elsewhere = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other close",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    before = db_fingerprint()
    response = post(alice_admin, "start", data={"client": acme.pk, "engagement": elsewhere.pk})
    assert messages_of(response) == ["engagementId: No such engagement for this client."]
    assert db_fingerprint() == before


def test_another_firms_client_cannot_be_chosen(alice_admin, globex):
    before = db_fingerprint()
    response = post(alice_admin, "start", data={"client": globex.pk})
    assert messages_of(response)[0].startswith("No timer started: client:")
    assert db_fingerprint() == before


def test_a_refused_entry_leaves_the_timer_running(alice, alice_admin, acme, monkeypatch):
    timer = running_since(alice, acme, minutes=20)

    def refusing(**kwargs):
        raise ConflictError("Time on or before 2026-03-31 is locked.", code="period_locked")

    monkeypatch.setattr(timer_services, "time_entry_create", refusing)
    before = db_fingerprint()
    response = post(alice_admin, "stop", timer.public_id)
    assert messages_of(response) == ["Time on or before 2026-03-31 is locked."]
    assert db_fingerprint() == before
    assert "Stop and log time" in panel(alice_admin)


def test_a_timer_that_stopped_meanwhile_is_refused_with_a_message(alice, alice_admin, acme):
    timer = running_since(alice, acme, minutes=20)
    timer_services.timer_discard(firm=alice.firm, public_id=timer.public_id)
    before = db_fingerprint()
    response = post(alice_admin, "stop", timer.public_id)
    assert "is not running" in messages_of(response)[0]
    assert db_fingerprint() == before


def test_a_colleagues_or_another_firms_timer_is_a_404_on_the_panel(
    alice, alice_admin, acme, charlie, globex
):
    theirs = running_since(charlie, globex, minutes=5)
    danas = timer_start(firm=alice.firm, link=acme, default_user=colleague(alice)).timer
    before = db_fingerprint()
    for action in ("stop", "discard"):
        assert post(alice_admin, action, theirs.public_id).status_code == 404
        assert post(alice_admin, action, danas.public_id).status_code == 404
        assert post(alice_admin, action, "tmr_nonsense").status_code == 404
    assert db_fingerprint() == before


def test_the_buttons_take_only_post(alice, alice_admin, acme):
    timer = running_since(alice, acme, minutes=5)
    assert alice_admin.get(reverse("admin:practice_timeentry_timer_start")).status_code == 405
    stop = reverse("admin:practice_timeentry_timer_stop", args=[timer.public_id])
    assert alice_admin.get(stop).status_code == 405
    timer.refresh_from_db()
    assert timer.status == "running"


def test_a_viewer_is_offered_no_start_and_may_not_start(bob, bob_admin, acme):
    html = panel(bob_admin)
    assert "Start timer" not in html and "No timer running." in html
    before = db_fingerprint()
    response = post(bob_admin, "start", data={"client": acme.pk})
    assert messages_of(response) == ["Your role in this firm is read-only."]
    assert db_fingerprint() == before


# --- The timers list -------------------------------------------------------------------------------


def test_the_timers_list_shows_only_the_firms_timers(alice, alice_admin, acme, charlie, globex):
    running_since(alice, acme, minutes=5)
    running_since(charlie, globex, minutes=5)
    page = alice_admin.get(reverse("admin:practice_timer_changelist"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Acme Corp" in html and "Globex Inc" not in html


def test_writing_staff_stop_a_colleagues_timer_from_the_list(alice, alice_admin, acme):
    dana = colleague(alice)
    timer = timer_start(firm=alice.firm, link=acme, default_user=dana).timer
    response = alice_admin.post(
        reverse("admin:practice_timer_changelist"),
        {"action": "stop", "_selected_action": [timer.pk]},
        follow=True,
    )
    assert "Stopped 1 timer(s) and logged their time." in messages_of(response)
    assert TimeEntry.objects.get().user == dana


def test_a_viewer_cannot_act_on_timers(alice, bob_admin, acme):
    timer = running_since(alice, acme, minutes=5)
    before = db_fingerprint()
    response = bob_admin.post(
        reverse("admin:practice_timer_changelist"),
        {"action": "discard", "_selected_action": [timer.pk]},
    )
    assert response.status_code in (200, 302, 403)
    assert db_fingerprint() == before


def test_a_timers_page_is_read_only_and_another_firms_is_a_404(
    alice, alice_admin, acme, charlie, globex
):
    mine = running_since(alice, acme, minutes=5)
    theirs = running_since(charlie, globex, minutes=5)
    page = alice_admin.get(reverse("admin:practice_timer_change", args=[mine.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert (
        alice_admin.get(reverse("admin:practice_timer_change", args=[theirs.pk])).status_code == 404
    )
