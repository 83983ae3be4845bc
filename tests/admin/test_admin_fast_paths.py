"""What keeps the big pages fast (the bench's admin rows) without changing what they show:

- searches on the big lists: ids exactly, entities by the start of their name, the memo or
  description by substring (a trigram index behind it on PostgreSQL), never another firm's rows;
- the engagement list's actuals, set on the page's rows by one grouped query (annotated on the
  whole list only when sorted by them);
- the dashboard's unbilled panel, grouped by client id and then named;
- the timer panel's long selects (`LongSelect`), the same choices as Django's `<select>`.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.forms import LongSelect
from axiomatic.ledger.models import JournalEntry
from practice.admin.timers import TimerStartForm
from practice.models import ClientLink, Engagement
from practice.services.engagements import engagement_create
from practice.services.time_entries import time_entry_create
from tests.helpers import requires_postgres

pytestmark = pytest.mark.django_db

CHANGELIST = {
    "time": "admin:practice_timeentry_changelist",
    "journal": "admin:ledger_journalentry_changelist",
    "engagements": "admin:practice_engagement_changelist",
}


def _log(persona, link, description, days_ago=0, hours="1.00"):
    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=timezone.localdate() - dt.timedelta(days=days_ago),
        hours=Decimal(hours),
        description=description,
        default_user=persona.user,
    )


def _listed(client, name, **query) -> str:
    response = client.get(reverse(CHANGELIST[name]), query)
    assert response.status_code == 200
    return response.content.decode()


# -- searches -----------------------------------------------------------------------------------


def test_a_time_search_finds_an_exact_id_a_client_by_its_name_and_a_word_of_the_description(
    alice, charlie, make_client, alice_admin
):
    acme = make_client(alice, "Acme Corp")
    zenith = make_client(alice, "Zenith Ltd")
    payroll = _log(alice, acme, "Payroll run for March")
    audit = _log(alice, zenith, "Audit fieldwork")
    theirs = make_client(charlie, "Acme Overseas")
    foreign = _log(charlie, theirs, "Payroll run abroad")

    # The list shows descriptions: each entry is known by its own.
    by_id = _listed(alice_admin, "time", q=audit.public_id)
    assert audit.description in by_id and payroll.description not in by_id
    by_client = _listed(alice_admin, "time", q="acme")  # the start of the client's name
    assert payroll.description in by_client and audit.description not in by_client
    assert payroll.description not in _listed(alice_admin, "time", q="corp")  # not inside it
    by_word = _listed(alice_admin, "time", q="ROLL RUN")
    assert payroll.description in by_word and audit.description not in by_word
    # Another firm's entries and clients never match, by id, name or words.
    for term in (foreign.public_id, "Acme Overseas", "abroad"):
        assert foreign.description not in _listed(alice_admin, "time", q=term)


def test_a_journal_search_finds_an_entry_by_id_entity_name_and_memo(
    alice, make_client, alice_admin
):
    acme = make_client(alice, "Acme Corp", default_rate_cents=10_000)
    _log(alice, acme, "Bookkeeping")
    from billing.services.invoices import invoice_create_from_time
    from practice.models import TimeEntry

    entry_ids = list(
        TimeEntry.objects.filter(client=acme.client).values_list("public_id", flat=True)
    )
    invoice = invoice_create_from_time(firm=alice.firm, link=acme, time_entry_ids=entry_ids)
    posted = JournalEntry.objects.get(pk=invoice.journal_entry_id)

    shown = posted.display_number  # what the list shows of an entry
    assert posted.entity_id == alice.firm.pk, posted.entity
    assert shown in _listed(alice_admin, "journal", q=posted.public_id)
    assert shown in _listed(alice_admin, "journal", q=alice.firm.name[:5])
    memo_word = posted.memo.split()[-1]
    assert shown in _listed(alice_admin, "journal", q=memo_word)
    assert shown not in _listed(alice_admin, "journal", q="no such memo anywhere")


def test_a_search_runs_the_same_queries_however_many_clients_match(alice, make_client, alice_admin):
    link = make_client(alice, "Client 000")
    _log(alice, link, "Work")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            _listed(alice_admin, "time", q="client")
        return len(captured)

    before = queries()
    for n in range(1, 30):
        _log(alice, make_client(alice, f"Client {n:03d}"), "Work")
    assert queries() == before


@requires_postgres
def test_the_substring_searches_have_trigram_indexes_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('journalentry_memo_trgm', 'timeentry_description_trgm')"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"journalentry_memo_trgm", "timeentry_description_trgm"}
    assert all(
        "gin_trgm_ops" in definition and "upper" in definition for definition in found.values()
    )


# -- the engagement list's actuals ----------------------------------------------------------------


def _engagement(persona, link, name):
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=timezone.localdate(),
        type="advisory",
    )


def _with_time(persona, link, engagement, hours):
    entry = _log(persona, link, f"{engagement.name} work", hours=hours)
    entry.engagement = engagement
    entry.save(update_fields=["engagement"])
    return entry


def test_the_engagement_list_shows_each_rows_actuals_from_one_query_for_the_page(
    alice, make_client, alice_admin
):
    link = make_client(alice, "Acme Corp", default_rate_cents=10_000)
    busy = _engagement(alice, link, "Busy engagement")
    idle = _engagement(alice, link, "Idle engagement")
    _with_time(alice, link, busy, "2.50")
    _with_time(alice, link, busy, "1.00")

    with CaptureQueriesContext(connection) as captured:
        html = _listed(alice_admin, "engagements")
    assert "$350.00 / 3.50 h" in html and "$0.00 / 0.00 h" in html
    listing = [q["sql"] for q in captured if 'FROM "practice_engagement"' in q["sql"]]
    # No subquery over time entries in the list's own query: the page's rows get theirs after.
    assert listing and not any("practice_timeentry" in sql for sql in listing)
    assert idle.name in html


def test_sorted_by_actuals_the_list_puts_the_busiest_engagement_first(
    alice, make_client, alice_admin
):
    link = make_client(alice, "Acme Corp", default_rate_cents=10_000)
    small = _engagement(alice, link, "Small engagement")
    big = _engagement(alice, link, "Big engagement")
    _with_time(alice, link, small, "1.00")
    _with_time(alice, link, big, "5.00")
    html = alice_admin.get(reverse(CHANGELIST["engagements"])).content.decode()
    headers = re.findall(r'<th scope="col" class="(?:sortable )?column-(\w+)', html)
    column = headers.index("actual") + 1  # the changelist's columns count the checkbox as 0
    descending = _listed(alice_admin, "engagements", o=f"-{column}")
    assert descending.index("Big engagement") < descending.index("Small engagement")
    ascending = _listed(alice_admin, "engagements", o=str(column))
    assert ascending.index("Small engagement") < ascending.index("Big engagement")


def test_an_engagements_page_shows_its_actuals(alice, make_client, alice_admin):
    link = make_client(alice, "Acme Corp", default_rate_cents=10_000)
    engagement = _engagement(alice, link, "Advisory")
    _with_time(alice, link, engagement, "2.00")
    page = alice_admin.get(reverse("admin:practice_engagement_change", args=[engagement.pk]))
    assert "$200.00 / 2.00 h" in page.content.decode()


# -- the dashboard's unbilled panel ----------------------------------------------------------------


def test_the_unbilled_panel_lists_clients_by_name_with_their_totals(
    alice, make_client, alice_admin
):
    zed = make_client(alice, "zed Holdings", default_rate_cents=10_000)
    able = make_client(alice, "Able Partners", default_rate_cents=10_000)
    middle = make_client(alice, "Mid Corp", default_rate_cents=10_000)
    _log(alice, zed, "a", hours="1.00")
    _log(alice, able, "b", hours="2.00")
    _log(alice, able, "c", hours="0.50")
    _log(alice, middle, "d", hours="3.00")
    html = alice_admin.get(reverse("admin:index")).content.decode()
    panel = html[html.index('id="panel-unbilled"') :]
    order = [panel.index(name) for name in ("Able Partners", "Mid Corp", "zed Holdings")]
    assert order == sorted(order)  # by name, whatever the case
    assert "$250.00" in panel and "$650.00" in panel  # Able's 2.5 h; the total of 6.5 h


# -- the timer panel's selects ---------------------------------------------------------------------


def test_long_select_renders_what_djangos_select_renders():
    choices = [("", "Choose"), (1, "Acme & Co"), (2, '<b>"Bold"</b>')]
    ours = LongSelect(choices=choices).render("client", 2, attrs={"id": "x", "required": True})
    assert ours == (
        '<select name="client" id="x" required><option value="">Choose</option>'
        '<option value="1">Acme &amp; Co</option>'
        '<option value="2" selected>&lt;b&gt;&quot;Bold&quot;&lt;/b&gt;</option></select>'
    )


def test_the_timer_form_lists_the_firms_active_clients_and_engagements(alice, charlie, make_client):
    acme = make_client(alice, "Acme Corp")
    _engagement(alice, acme, "Acme advisory")
    gone = make_client(alice, "Gone Ltd")
    ClientLink.objects.filter(pk=gone.pk).update(archived_at=timezone.now())
    theirs = make_client(charlie, "Globex Inc")
    _engagement(charlie, theirs, "Globex advisory")

    html = str(TimerStartForm(firm_ids=frozenset({alice.firm.pk})))
    assert f'<option value="{acme.pk}">Acme Corp</option>' in html
    engagement = Engagement.objects.get(name="Acme advisory")
    assert f'<option value="{engagement.pk}">Acme Corp: Acme advisory</option>' in html
    assert "Gone Ltd" not in html and "Globex" not in html
    bound = TimerStartForm({"client": acme.pk}, firm_ids=frozenset({alice.firm.pk}))
    assert bound.is_valid(), bound.errors
    assert f'<option value="{acme.pk}" selected>' in str(bound["client"])
