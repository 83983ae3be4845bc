"""Logging time with bad input: every malformed or out-of-range field is a 400 naming it, and
writes nothing; references of another firm or client are refused like unknown ones."""

import datetime as dt

import pytest

from axiomatic.core.ids import new_public_id
from practice.services.engagements import engagement_create
from tests.helpers import api, assert_error, db_snapshot
from tests.practice.time_helpers import TIME, create, tasks_of, time_body

pytestmark = pytest.mark.django_db


# --- Create: bad input --------------------------------------------------------------------------


BAD_CREATE_BODIES = [
    (lambda b: b.pop("firmEntityId"), "firmEntityId"),
    (lambda b: b.pop("entityId"), "entityId"),
    (lambda b: b.pop("date"), "date"),
    (lambda b: b.pop("hours"), "hours"),
    (lambda b: b.update(hours="2.5"), "hours"),
    (lambda b: b.update(hours=True), "hours"),
    (lambda b: b.update(hours=None), "hours"),
    (lambda b: b.update(hours=[2]), "hours"),
    (lambda b: b.update(hours=0), "hours"),
    (lambda b: b.update(hours=-1), "hours"),
    (lambda b: b.update(hours=24.01), "hours"),
    (lambda b: b.update(hours=25), "hours"),
    (lambda b: b.update(hours=2.555), "hours"),
    (lambda b: b.update(hours=0.001), "hours"),
    (lambda b: b.update(hours=10**40), "hours"),
    (lambda b: b.update(hours=1e300), "hours"),
    (lambda b: b.update(hours=1e-300), "hours"),
    (lambda b: b.update(date="2026-02-30"), "date"),
    (lambda b: b.update(date="2026-13-01"), "date"),
    (lambda b: b.update(date="yesterday"), "date"),
    (lambda b: b.update(date=20260131), "date"),
    (lambda b: b.update(date=None), "date"),
    (lambda b: b.update(date="2026-01-15T10:00:00Z"), "date"),
    (lambda b: b.update(billable="yes"), "billable"),
    (lambda b: b.update(billable="true"), "billable"),
    (lambda b: b.update(billable=1), "billable"),
    (lambda b: b.update(billable=None), "billable"),
    (lambda b: b.update(rate="15000"), "rate"),
    (lambda b: b.update(rate=150.5), "rate"),
    (lambda b: b.update(rate=15000.0), "rate"),
    (lambda b: b.update(rate=-1), "rate"),
    (lambda b: b.update(rate=True), "rate"),
    (lambda b: b.update(rate=10**16), "rate"),
    (lambda b: b.update(rate={"cents": 1}), "rate"),
    (lambda b: b.update(description=12), "description"),
    (lambda b: b.update(description=None), "description"),
    (lambda b: b.update(description="x" * 5001), "description"),
    (lambda b: b.update(externalReference=""), "externalReference"),
    (lambda b: b.update(externalReference=42), "externalReference"),
    (lambda b: b.update(externalReference="r" * 101), "externalReference"),
    (lambda b: b.update(firmEntityId=123), "firmEntityId"),
    (lambda b: b.update(firmEntityId="junk"), "firmEntityId"),
    (lambda b: b.update(firmEntityId="ent_" + "0" * 10_000), "firmEntityId"),
    (lambda b: b.update(entityId="ent_nope"), "entityId"),
    (lambda b: b.update(entityId="te_" + "0" * 26), "entityId"),
    (lambda b: b.update(entityId="ENT_" + "0" * 26), "entityId"),
    (lambda b: b.update(entityId=["ent_" + "0" * 26]), "entityId"),
    (lambda b: b.update(entityId="ent_" + "0" * 100_000), "entityId"),
    (lambda b: b.update(engagementId="eng_bad"), "engagementId"),
    (lambda b: b.update(engagementId=7), "engagementId"),
    (lambda b: b.update(taskId="task_" + "u" * 26), "taskId"),  # 'u' is not Crockford
    (lambda b: b.update(userId="ent_" + "0" * 26), "userId"),
    (lambda b: b.update(userId="usr_" + "0" * 4_000), "userId"),
    # Well-formed but unknown references: 400 naming the field.
    (lambda b: b.update(engagementId=new_public_id("eng")), "engagementId"),
    (lambda b: b.update(taskId=new_public_id("task")), "taskId"),
    (lambda b: b.update(userId=new_public_id("usr")), "userId"),
]


@pytest.mark.parametrize(("mutate", "field"), BAD_CREATE_BODIES)
def test_bad_create_bodies_are_400_naming_the_field_and_write_nothing(alice, acme, mutate, field):
    body = time_body(alice, acme)
    mutate(body)
    before = db_snapshot()
    error = api(alice).post(TIME, body, status=400, code="validation_error")
    assert field in error["fields"], error
    assert error["message"].startswith(field), error
    assert db_snapshot() == before


def test_a_description_of_exactly_5000_characters_is_fine(alice, acme):
    entry = create(alice, acme, description="x" * 5000)
    assert len(entry["description"]) == 5000


@pytest.mark.parametrize("hours", [0.01, 24, 24.0, 7.5, 8, 23.99, 1.10])
def test_hours_at_and_inside_the_bounds_are_accepted(alice, acme, hours):
    entry = create(alice, acme, hours=hours)
    assert entry["hours"] == float(hours)


@pytest.mark.parametrize(
    "raw",
    [
        '{"firmEntityId": ',
        "{'hours': 2}",
        '{"hours": NaN}',
        '{"hours": Infinity}',
        "",
    ],
)
def test_malformed_json_is_400(alice, acme, raw):
    before = db_snapshot()
    error = api(alice).post(TIME, raw=raw, status=400)
    assert error["code"] in {"malformed_request", "validation_error"}
    assert db_snapshot() == before


@pytest.mark.parametrize("raw", ["[]", "null", '"text"', "42", "[{}]"])
def test_a_json_body_that_is_not_an_object_is_400(alice, acme, raw):
    before = db_snapshot()
    api(alice).post(TIME, raw=raw, status=400)
    assert db_snapshot() == before


def test_a_form_body_is_415(alice, acme):
    before = db_snapshot()
    assert_error(
        alice.client.post(TIME, data=time_body(alice, acme)), 415, "unsupported_media_type"
    )
    assert db_snapshot() == before


def test_reference_ids_of_another_firm_are_the_same_400_as_unknown_ones(
    alice, acme, charlie, globex
):
    theirs = engagement_create(
        firm=charlie.firm,
        client=globex.client,
        name="Globex books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    cases = [
        ("engagementId", theirs.public_id, new_public_id("eng")),
        ("taskId", tasks_of(theirs)[0].public_id, new_public_id("task")),
        ("userId", charlie.user.public_id, new_public_id("usr")),
    ]
    before = db_snapshot()
    for field, foreign, unknown in cases:
        a = api(alice).request("POST", TIME, time_body(alice, acme, **{field: foreign}))
        b = api(alice).request("POST", TIME, time_body(alice, acme, **{field: unknown}))
        assert assert_error(a, 400, "validation_error")["fields"].keys() == {field}
        assert a.content == b.content
    assert db_snapshot() == before


def test_an_engagement_of_another_client_of_the_same_firm_is_400(alice, acme, make_client):
    other = make_client(alice, "Other Co")
    theirs = engagement_create(
        firm=alice.firm,
        client=other.client,
        name="Other books",
        start_date=dt.date(2026, 1, 1),
        type="bookkeeping",
    )
    before = db_snapshot()
    error = api(alice).post(TIME, time_body(alice, acme, engagementId=theirs.public_id), status=400)
    assert "engagementId" in error["fields"]
    body = time_body(alice, acme, taskId=tasks_of(theirs)[0].public_id)
    error = api(alice).post(TIME, body, status=400)
    assert "taskId" in error["fields"]
    assert db_snapshot() == before
