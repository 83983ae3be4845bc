"""Who may use the engagements API: anonymous callers are 401, a viewer cannot write, another
firm's ids are the same 404 as unknown ones, and a firm outside the partner program is refused."""

import pytest

from axiomatic.core.ids import new_public_id
from axiomatic.entities.models import PartnerEnrollment
from tests.helpers import api, assert_error, db_snapshot
from tests.practice.engagement_helpers import (
    ENGAGEMENTS,
    complete_task,
    create,
    create_body,
    firm_query,
    item_url,
    listed,
    practice_rows,
    status_change,
    task_completion,
    task_url,
)

pytestmark = pytest.mark.django_db


# --- Access -------------------------------------------------------------------------------------


def _write_requests(persona, engagement: dict, link) -> list:
    """Each write endpoint, called by `persona` against `engagement` (in `persona`'s firm)."""
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    q = firm_query(persona)
    c = api(persona)
    return [
        lambda: c.request("POST", ENGAGEMENTS, create_body(persona, link)),
        lambda: c.request("PATCH", ENGAGEMENTS, task_completion(persona, tid)),
        lambda: c.request("PATCH", ENGAGEMENTS, status_change(persona, eid, "cancelled")),
        lambda: c.request("PATCH", item_url(eid) + q, {"name": "Hijacked"}),
        lambda: c.request("POST", task_url(eid, tid, "complete") + q),
        lambda: c.request("POST", task_url(eid, tid, "reopen") + q),
    ]


def test_anonymous_is_401_everywhere_and_changes_nothing(alice, anon, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    q = firm_query(alice)
    before, rows = db_snapshot(), practice_rows()
    nobody = api(anon)
    for response in (
        nobody.request("GET", ENGAGEMENTS + q),
        nobody.request("POST", ENGAGEMENTS, create_body(alice, acme)),
        nobody.request("PATCH", ENGAGEMENTS, {"firmEntityId": alice.firm.public_id, "taskId": tid}),
        nobody.request("PATCH", item_url(eid) + q, {"name": "x"}),
        nobody.request("POST", task_url(eid, tid, "complete") + q),
        nobody.request("POST", task_url(eid, tid, "reopen") + q),
    ):
        assert_error(response, 401, "not_authenticated")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_viewer_cannot_write_and_changes_nothing(alice, bob, acme):
    engagement = create(alice, acme, type="advisory")
    complete_task(alice, engagement["tasks"][0]["id"])
    before, rows = db_snapshot(), practice_rows()
    for request in _write_requests(bob, engagement, acme):
        assert_error(request(), 403, "permission_denied")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_another_firms_engagement_and_task_ids_are_the_same_404_as_unknown_ones(
    alice, charlie, acme, globex
):
    mine = create(alice, acme, type="advisory")
    theirs = create(charlie, globex, type="audit")
    eid, tid = mine["id"], mine["tasks"][0]["id"]
    their_eid = theirs["id"]
    unknown_eid, unknown_tid = new_public_id("eng"), new_public_id("task")
    q = firm_query(charlie)
    c = api(charlie)
    pairs = [
        (lambda e, t: c.request("PATCH", ENGAGEMENTS, task_completion(charlie, t))),
        (lambda e, t: c.request("PATCH", ENGAGEMENTS, status_change(charlie, e, "cancelled"))),
        (lambda e, t: c.request("PATCH", ENGAGEMENTS, status_change(charlie, e, "completed"))),
        (lambda e, t: c.request("PATCH", item_url(e) + q, {"name": "Hijacked"})),
        (lambda e, t: c.request("POST", task_url(e, t, "complete") + q)),
        (lambda e, t: c.request("POST", task_url(e, t, "reopen") + q)),
        # Charlie's own engagement in the path, alice's task under it.
        (lambda e, t: c.request("POST", task_url(their_eid, t, "complete") + q)),
    ]
    before, rows = db_snapshot(), practice_rows()
    for call in pairs:
        foreign = call(eid, tid)
        unknown = call(unknown_eid, unknown_tid)
        assert_error(foreign, 404, "not_found")
        assert foreign.content == unknown.content
    assert db_snapshot() == before
    assert practice_rows() == rows
    assert [e["id"] for e in listed(charlie)] == [their_eid]


def test_another_firms_id_as_firm_is_404_on_every_endpoint(alice, charlie, acme):
    engagement = create(alice, acme, type="advisory")
    eid, tid = engagement["id"], engagement["tasks"][0]["id"]
    c = api(charlie)
    before, rows = db_snapshot(), practice_rows()
    answers = []
    for firm_id in (alice.firm.public_id, new_public_id("ent")):
        q = f"?firmEntityId={firm_id}"
        answers.append(
            [
                c.request("GET", ENGAGEMENTS + q),
                c.request("POST", ENGAGEMENTS, create_body(alice, acme, firmEntityId=firm_id)),
                c.request("PATCH", ENGAGEMENTS, {"firmEntityId": firm_id, "taskId": tid}),
                c.request(
                    "PATCH",
                    ENGAGEMENTS,
                    {"firmEntityId": firm_id, "engagementId": eid, "status": "cancelled"},
                ),
                c.request("PATCH", item_url(eid) + q, {"name": "Hijacked"}),
                c.request("POST", task_url(eid, tid, "complete") + q),
                c.request("POST", task_url(eid, tid, "reopen") + q),
            ]
        )
    for foreign, unknown in zip(*answers, strict=True):
        assert_error(foreign, 404, "not_found")
        assert foreign.content == unknown.content
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_suspended_firm_gets_partner_program_required(alice, acme):
    engagement = create(alice, acme, type="advisory")
    PartnerEnrollment.objects.filter(firm=alice.firm).update(status="suspended")
    before, rows = db_snapshot(), practice_rows()
    requests = [lambda: api(alice).request("GET", ENGAGEMENTS + firm_query(alice))]
    requests += _write_requests(alice, engagement, acme)
    for request in requests:
        assert_error(request(), 403, "partner_program_required")
    assert db_snapshot() == before
    assert practice_rows() == rows


def test_a_firm_without_enrollment_is_not_a_partner_firm(alice, acme):
    """The same refusal when the firm never enrolled at all (no enrollment row)."""
    engagement = create(alice, acme, type="advisory")
    PartnerEnrollment.objects.filter(firm=alice.firm).delete()
    rows = practice_rows()
    for request in _write_requests(alice, engagement, acme):
        assert_error(request(), 403, "partner_program_required")
    api(alice).get(ENGAGEMENTS + firm_query(alice), status=403, code="partner_program_required")
    assert practice_rows() == rows
