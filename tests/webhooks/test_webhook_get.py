"""GET /api/practice/webhooks/{webhookId}?firmEntityId=: one endpoint as the list shows it, never
its secret; another firm's endpoint is the same 404 as an unknown one; one query of the endpoints
whatever the firm has."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.core.ids import new_public_id
from axiomatic.webhooks.models import WebhookEndpoint
from axiomatic.webhooks.services import endpoint_create, endpoint_rotate_secret
from tests.helpers import api, assert_error, db_fingerprint, in_firm
from tests.lookalike import assert_same_404

pytestmark = pytest.mark.django_db

HOOKS = "/api/practice/webhooks"


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


def register(persona, n: int = 0, **kwargs):
    kwargs.setdefault("event_types", ["*"])
    return endpoint_create(firm=persona.firm, url=f"http://127.0.0.1:9/hook-{n}", **kwargs)


def detail(webhook_id: str) -> str:
    return f"{HOOKS}/{webhook_id}"


def test_get_answers_the_endpoint_as_the_list_shows_it_without_its_secret(alice):
    first = register(alice, 1, event_types=["invoice.created"], description="ERP")
    second = register(alice, 2)
    rotated = endpoint_rotate_secret(endpoint=second.endpoint)
    listed = api(alice).get(HOOKS, in_firm(alice.firm.public_id))["webhooks"]
    for issued in (first, rotated):
        response = api(alice).request(
            "GET", detail(issued.endpoint.public_id), params=in_firm(alice.firm.public_id)
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"webhook"}
        assert body["webhook"] == next(w for w in listed if w["id"] == issued.endpoint.public_id)
        assert "secret" not in body["webhook"]
        assert issued.secret.encode() not in response.content
    body = api(alice).get(detail(first.endpoint.public_id), in_firm(alice.firm.public_id))
    assert body["webhook"]["events"] == ["invoice.created"]
    assert body["webhook"]["description"] == "ERP"
    rotated_body = api(alice).get(detail(second.endpoint.public_id), in_firm(alice.firm.public_id))
    assert rotated_body["webhook"]["previousSecretExpiresAt"] is not None
    # The previous secret is not shown either.
    assert second.secret not in str(rotated_body)


def test_a_viewer_reads_it(alice, bob):
    endpoint = register(alice).endpoint
    body = api(bob).get(detail(endpoint.public_id), in_firm(bob.firm.public_id))
    assert body["webhook"]["id"] == endpoint.public_id


def test_another_firms_endpoint_is_the_same_404_as_an_unknown_one(alice, charlie):
    theirs = register(charlie).endpoint.public_id
    register(alice)
    before = db_fingerprint()
    assert_same_404(
        api(alice).request("GET", detail(theirs), params=in_firm(alice.firm.public_id)),
        api(alice).request(
            "GET", detail(new_public_id("wh")), params=in_firm(alice.firm.public_id)
        ),
        # Naming their firm: the 404 of a firm that is not hers.
        api(alice).request("GET", detail(theirs), params=in_firm(charlie.firm.public_id)),
        api(alice).request("GET", detail(theirs), params=in_firm(new_public_id("ent"))),
    )
    assert db_fingerprint() == before


def test_a_deleted_endpoint_is_404(alice):
    endpoint = register(alice).endpoint
    api(alice).delete(detail(endpoint.public_id), in_firm(alice.firm.public_id))
    assert_same_404(
        api(alice).request("GET", detail(endpoint.public_id), params=in_firm(alice.firm.public_id)),
        api(alice).request(
            "GET", detail(new_public_id("wh")), params=in_firm(alice.firm.public_id)
        ),
    )


def test_anonymous_is_401(anon, alice):
    endpoint = register(alice).endpoint
    response = anon.get(detail(endpoint.public_id), in_firm(alice.firm.public_id))
    assert_error(response, 401, "not_authenticated")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "firmEntityId"),
        ({"firmEntityId": ""}, "firmEntityId"),
        ({"firmEntityId": "ent_nope"}, "firmEntityId"),
        ({"firmEntityId": "wh_" + "0" * 26}, "firmEntityId"),
    ],
)
def test_a_missing_or_junk_firm_is_400(alice, params, field):
    endpoint = register(alice).endpoint
    response = api(alice).request("GET", detail(endpoint.public_id), params=params)
    assert field in assert_error(response, 400, "validation_error")["fields"]


@pytest.mark.parametrize(
    "junk", ["wh_", "123", "wh_" + "x" * 40, "whd_" + "0" * 26, "WH_" + "0" * 26]
)
def test_a_junk_id_is_400_naming_it(alice, junk):
    response = api(alice).request("GET", detail(junk), params=in_firm(alice.firm.public_id))
    assert "webhookId" in assert_error(response, 400, "validation_error")["fields"]


def _queries(persona, webhook_id: str) -> tuple[int, int]:
    """(all queries, queries of the endpoints table) of one GET by id, after a warm-up call."""
    params = in_firm(persona.firm.public_id)
    api(persona).get(detail(webhook_id), params)
    with CaptureQueriesContext(connection) as ctx:
        api(persona).get(detail(webhook_id), params)
    table = WebhookEndpoint._meta.db_table
    return len(ctx.captured_queries), sum(table in q["sql"] for q in ctx.captured_queries)


def test_an_endpoint_takes_one_query_however_many_the_firm_has(alice, make_client):
    first = register(alice, 0).endpoint.public_id
    total, endpoints = _queries(alice, first)
    assert endpoints == 1
    for n in range(1, 8):
        register(alice, n)
    make_client(alice, "Busy Co")  # events and deliveries for all eight endpoints
    assert _queries(alice, first) == (total, 1)
