"""GET /api/practice/clients/{entityId}, /time/{timeEntryId} and /engagements/{engagementId}: the
list's item under its envelope key, the same 404 for another firm's ids and unknown ones (nothing
changed), a 400 for junk ids, and one or two queries for the object whatever it holds."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from practice.services.clients import client_archive
from tests.helpers import api, assert_error, db_fingerprint
from tests.practice import client_helpers, engagement_helpers, time_helpers

pytestmark = pytest.mark.django_db

CLIENTS = client_helpers.CLIENTS
TIME = time_helpers.TIME
ENGAGEMENTS = engagement_helpers.ENGAGEMENTS


def _get(persona, path, *, named=True, **kwargs):
    params = {"firmEntityId": persona.firm.public_id} if named else None
    return api(persona).get(path, params, **kwargs)


@pytest.fixture
def objects(alice, acme, bookkeeping):
    """One of each, in alice's firm: (client id, time entry, engagement)."""
    entry = time_helpers.create(alice, acme, engagementId=bookkeeping.public_id)
    return acme.client.public_id, entry["id"], bookkeeping.public_id


@pytest.fixture
def foreign(charlie, globex, make_client):
    """The same kinds of object in charlie's firm."""
    engagement = engagement_helpers.create(charlie, globex)
    entry = time_helpers.create(charlie, globex)
    return globex.client.public_id, entry["id"], engagement["id"]


def _urls(client_id, entry_id, engagement_id) -> list[str]:
    return [f"{CLIENTS}/{client_id}", f"{TIME}/{entry_id}", f"{ENGAGEMENTS}/{engagement_id}"]


# --- The list's item ------------------------------------------------------------------------------


def test_a_client_is_as_the_list_shows_it(alice, acme, objects):
    listed = {c["id"]: c for c in client_helpers.listing(alice)["clients"]}
    body = _get(alice, f"{CLIENTS}/{acme.client.public_id}")
    assert body == {"client": listed[acme.client.public_id]}
    assert set(body["client"]) == client_helpers.LIST_ITEM_KEYS


def test_a_time_entry_is_as_the_list_shows_it(alice, objects):
    _, entry_id, _ = objects
    listed = {e["id"]: e for e in time_helpers.listing(alice)["entries"]}
    body = _get(alice, f"{TIME}/{entry_id}")
    assert body == {"entry": listed[entry_id]}
    assert set(body["entry"]) == time_helpers.ENTRY_KEYS


def test_an_engagement_is_as_the_list_shows_it(alice, objects):
    _, _, engagement_id = objects
    listed = engagement_helpers.by_id(alice)
    body = _get(alice, f"{ENGAGEMENTS}/{engagement_id}")
    assert body == {"engagement": listed[engagement_id]}
    assert set(body["engagement"]) == engagement_helpers.ENGAGEMENT_KEYS
    assert body["engagement"]["actualHours"] == 2.5  # the actuals, as in the list


def test_the_firm_may_be_left_out_by_a_key_and_a_one_firm_session(alice, bob, objects):
    for url in _urls(*objects):
        named = _get(alice, url)
        assert _get(alice, url, named=False) == named
        assert _get(bob, url, named=False) == named  # a VIEWER reads


# --- Not found, and junk ------------------------------------------------------------------------


def test_another_firms_ids_are_the_same_404_as_unknown_ones(alice, objects, foreign):
    unknown = (new_public_id("ent"), new_public_id("te"), new_public_id("eng"))
    before = db_fingerprint()
    for theirs, nobodys in zip(_urls(*foreign), _urls(*unknown), strict=True):
        a = _get(alice, theirs, status=404, code="not_found")
        b = _get(alice, nobodys, status=404, code="not_found")
        assert (a["message"], a["fields"]) == (b["message"], b["fields"])
    assert db_fingerprint() == before


def test_asking_in_another_firm_is_a_404(alice, charlie, objects):
    for url in _urls(*objects):
        params = {"firmEntityId": charlie.firm.public_id}
        api(alice).get(url, params, status=404, code="not_found")


def test_an_archived_client_is_not_found(alice, acme, objects):
    client_archive(link=acme)
    _get(alice, f"{CLIENTS}/{acme.client.public_id}", status=404, code="not_found")


# Well-formed ids of another kind are written out, not made with new_public_id(): a test's id
# must be the same in every process that collects it (pytest-xdist compares them).
@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"{CLIENTS}/ent_nope", "entityId"),
        (f"{CLIENTS}/eng_01m8tbg9xbn13dzzmb0bvd3mxk", "entityId"),
        (f"{TIME}/te_0", "timeEntryId"),
        (f"{TIME}/ent_01m8tbg9xbt68202e6765v2ncj", "timeEntryId"),
        (f"{ENGAGEMENTS}/x", "engagementId"),
        (f"{ENGAGEMENTS}/te_01m8tbg9xbbnzktcw1gdhtzas8", "engagementId"),
    ],
)
def test_junk_ids_are_a_400_naming_the_id(alice, path, field):
    error = _get(alice, path, status=400, code="validation_error")
    assert set(error["fields"]) == {field}


def test_anonymous_is_401(anon, objects):
    for url in _urls(*objects):
        assert_error(api(anon).request("GET", url), 401, "not_authenticated")


# --- Queries ------------------------------------------------------------------------------------


def _queries(persona, url) -> list[str]:
    _get(persona, url)  # the first call of a minute stamps the key's use
    with CaptureQueriesContext(connection) as ctx:
        _get(persona, url)
    return [q["sql"] for q in ctx.captured_queries]


def _reading(queries, *tables) -> int:
    return sum(1 for sql in queries if any(f'"{t}"' in sql for t in tables))


def test_one_or_two_queries_each_whatever_the_object_holds(alice, acme, bookkeeping, objects):
    client_url, entry_url, engagement_url = _urls(*objects)
    assert _reading(_queries(alice, client_url), "practice_clientlink") == 1
    assert _reading(_queries(alice, entry_url), "practice_timeentry") == 1
    # The engagement and its actuals in one query, its tasks in a second.
    first = _queries(alice, engagement_url)
    assert _reading(first, "practice_engagement", "practice_task") == 2
    time_helpers.bulk_entries(alice, acme, 40, engagement=bookkeeping)
    assert len(_queries(alice, engagement_url)) == len(first)
    assert _get(alice, engagement_url)["engagement"]["actualHours"] == 42.5
