"""Webhook endpoints through the API: register (secret shown once), list, change, delete, rotate,
test, deliveries; the one error shape for bad input; another firm's endpoint is a 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axiomatic.webhooks import signing
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from tests.helpers import assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

HOOKS = "/api/practice/webhooks"


@pytest.fixture(autouse=True)
def _loopback(settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True


def register(persona, url="http://127.0.0.1:9/hook", events=("*",), **extra):
    response = persona.client.post(
        HOOKS,
        {"firmEntityId": persona.firm.public_id, "url": url, "events": list(events), **extra},
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_register_shows_the_secret_once_and_stores_it_encrypted(alice):
    created = register(alice, events=["time_entry.created", "invoice.created"], description="ERP")

    webhook = created["webhook"]
    assert webhook["id"].startswith("wh_") and created["id"] == webhook["id"]
    assert webhook["firmEntityId"] == alice.firm.public_id
    assert webhook["events"] == ["time_entry.created", "invoice.created"]
    assert webhook["enabled"] is True and webhook["disabledReason"] == ""
    assert webhook["description"] == "ERP"
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    stored = WebhookEndpoint.objects.get(public_id=webhook["id"])
    assert created["secret"] not in stored.secret_encrypted
    assert signing.decrypt_secret(stored.secret_encrypted) == created["secret"]

    listed = alice.client.get(HOOKS, {"firmEntityId": alice.firm.public_id}).json()
    assert [w["id"] for w in listed["webhooks"]] == [webhook["id"]]
    assert "secret" not in listed["webhooks"][0]
    assert created["secret"] not in str(listed)
    assert listed["hasMore"] is False and listed["nextCursor"] is None


def test_star_subscribes_to_everything(alice):
    assert register(alice, events=["client.created", "*"])["webhook"]["events"] == ["*"]


def test_patch_changes_url_events_description_and_enabled(alice):
    webhook = register(alice)["webhook"]
    path = f"{HOOKS}/{webhook['id']}"

    response = alice.client.patch(
        path,
        {
            "firmEntityId": alice.firm.public_id,
            "url": "http://127.0.0.1:9/other",
            "events": ["client.created"],
            "description": "CRM",
            "enabled": False,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    changed = response.json()["webhook"]
    assert changed["url"] == "http://127.0.0.1:9/other"
    assert changed["events"] == ["client.created"]
    assert changed["description"] == "CRM"
    assert changed["enabled"] is False
    assert changed["disabledReason"] == "Disabled by the firm." and changed["disabledAt"]

    again = alice.client.patch(
        f"{path}?firmEntityId={alice.firm.public_id}", {"enabled": True}, format="json"
    ).json()["webhook"]
    assert (
        again["enabled"] is True and again["disabledReason"] == "" and again["disabledAt"] is None
    )


def test_delete_removes_the_endpoint(alice):
    webhook = register(alice)["webhook"]
    path = f"{HOOKS}/{webhook['id']}?firmEntityId={alice.firm.public_id}"
    assert alice.client.delete(path).status_code == 204
    assert not WebhookEndpoint.objects.filter(public_id=webhook["id"]).exists()
    assert_error(alice.client.delete(path), 404, "not_found")


def test_rotate_secret_returns_a_new_secret_and_keeps_the_old_one_for_a_day(alice):
    created = register(alice)
    path = f"{HOOKS}/{created['webhook']['id']}/rotate-secret"

    response = alice.client.post(path, {"firmEntityId": alice.firm.public_id}, format="json")

    assert response.status_code == 200, response.content
    rotated = response.json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    assert rotated["webhook"]["previousSecretExpiresAt"] is not None
    endpoint = WebhookEndpoint.objects.get(public_id=created["webhook"]["id"])
    assert signing.decrypt_secret(endpoint.previous_secret_encrypted) == created["secret"]


def test_another_firms_endpoint_is_invisible(alice, charlie):
    theirs = register(charlie)["webhook"]["id"]
    mine = alice.firm.public_id
    before = db_fingerprint()
    for method, path, body in (
        ("patch", f"{HOOKS}/{theirs}", {"firmEntityId": mine, "enabled": False}),
        ("delete", f"{HOOKS}/{theirs}?firmEntityId={mine}", None),
        ("post", f"{HOOKS}/{theirs}/rotate-secret", {"firmEntityId": mine}),
        ("post", f"{HOOKS}/{theirs}/test", {"firmEntityId": mine}),
        ("get", f"{HOOKS}/{theirs}/deliveries?firmEntityId={mine}", None),
    ):
        response = getattr(alice.client, method)(path, body, format="json")
        assert_error(response, 404, "not_found")
    # And listing charlie's firm, as alice, is the 404 of a firm that is not hers.
    assert_error(alice.client.get(HOOKS, {"firmEntityId": charlie.firm.public_id}), 404)
    assert db_fingerprint() == before
    assert WebhookEndpoint.objects.get(public_id=theirs).enabled is True


@pytest.mark.parametrize(
    "body, field",
    [
        ({"url": 123}, "url"),
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://user:pw@example.com/hook"}, "url"),
        ({"url": "https://example.com:99999/hook"}, "url"),
        ({"url": "https://" + "a" * 2000 + ".com/"}, "url"),
        ({"events": []}, "events"),
        ({"events": "client.created"}, "events"),
        ({"events": ["client.created", "client.exploded"]}, "events"),
        ({"events": [1]}, "events"),
        ({"description": ["x"]}, "description"),
        ({"description": "two\nlines"}, "description"),
        ({"firmEntityId": "ent_nope"}, "firmEntityId"),
        ({"firmEntityId": 12}, "firmEntityId"),
    ],
)
def test_bad_registrations_are_400_in_the_error_shape(alice, body, field):
    payload = {
        "firmEntityId": alice.firm.public_id,
        "url": "http://127.0.0.1:9/hook",
        "events": ["*"],
        **body,
    }
    before = db_fingerprint()
    response = alice.client.post(HOOKS, payload, format="json")
    error = assert_error(response, 400, "validation_error")
    assert any(key.split("[")[0] == field for key in error["fields"]), error
    assert db_fingerprint() == before


def test_malformed_json_and_empty_patch_are_400(alice):
    webhook = register(alice)["webhook"]
    response = alice.client.post(HOOKS, "{not json", content_type="application/json")
    assert_error(response, 400)
    response = alice.client.patch(
        f"{HOOKS}/{webhook['id']}", {"firmEntityId": alice.firm.public_id}, format="json"
    )
    assert_error(response, 400, "validation_error")
    response = alice.client.patch(
        f"{HOOKS}/{webhook['id']}",
        {"firmEntityId": alice.firm.public_id, "enabled": "yes"},
        format="json",
    )
    assert "enabled" in assert_error(response, 400, "validation_error")["fields"]
    response = alice.client.get(
        f"{HOOKS}/wh_junk/deliveries", {"firmEntityId": alice.firm.public_id}
    )
    assert "webhookId" in assert_error(response, 400, "validation_error")["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.8/hook",
        "https://192.168.1.20/hook",
        "https://172.16.5.4/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",
        "http://127.0.0.1:9/hook",
    ],
)
def test_private_loopback_and_link_local_urls_are_refused_when_the_flag_is_off(
    alice, settings, url
):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    response = alice.client.post(
        HOOKS,
        {"firmEntityId": alice.firm.public_id, "url": url, "events": ["*"]},
        format="json",
    )
    error = assert_error(response, 400, "validation_error")
    assert "url" in error["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_http_to_a_public_host_is_refused_even_with_the_flag(alice):
    response = alice.client.post(
        HOOKS,
        {"firmEntityId": alice.firm.public_id, "url": "http://93.184.216.34/hook", "events": ["*"]},
        format="json",
    )
    assert "https" in assert_error(response, 400, "validation_error")["fields"]["url"][0]


def test_private_addresses_stay_refused_with_the_flag_on(alice):
    response = alice.client.post(
        HOOKS,
        {"firmEntityId": alice.firm.public_id, "url": "https://10.1.2.3/hook", "events": ["*"]},
        format="json",
    )
    assert "private" in assert_error(response, 400, "validation_error")["fields"]["url"][0]


def test_a_viewer_reads_but_cannot_write(alice, bob):
    webhook = register(alice)["webhook"]
    assert bob.client.get(HOOKS, {"firmEntityId": alice.firm.public_id}).status_code == 200
    response = bob.client.post(
        HOOKS,
        {"firmEntityId": alice.firm.public_id, "url": "http://127.0.0.1:9/x", "events": ["*"]},
        format="json",
    )
    assert_error(response, 403, "permission_denied")
    response = bob.client.post(
        f"{HOOKS}/{webhook['id']}/rotate-secret",
        {"firmEntityId": alice.firm.public_id},
        format="json",
    )
    assert_error(response, 403, "permission_denied")


def test_listing_endpoints_and_deliveries_costs_the_same_for_many(alice, make_client):
    def count(path, query):
        with CaptureQueriesContext(connection) as queries:
            assert alice.client.get(path, query).status_code == 200
        return len(queries)

    first = register(alice)["webhook"]["id"]
    make_client(alice, "One")
    query = {"firmEntityId": alice.firm.public_id}
    few = (count(HOOKS, query), count(f"{HOOKS}/{first}/deliveries", query))
    for n in range(5):
        register(alice, url=f"http://127.0.0.1:9/hook{n}")
        make_client(alice, f"Client {n}")
    assert WebhookDelivery.objects.filter(endpoint__public_id=first).count() == 6
    many = (count(HOOKS, query), count(f"{HOOKS}/{first}/deliveries", query))
    assert many == few


def test_no_event_is_built_or_stored_when_no_endpoint_listens(alice, make_client):
    register(alice, events=["invoice.created"])
    make_client(alice, "Quiet Co")
    assert WebhookEvent.objects.count() == 0


def test_disabled_endpoints_get_no_new_events_and_a_test_event_is_refused(alice, make_client):
    webhook = register(alice)["webhook"]
    alice.client.patch(
        f"{HOOKS}/{webhook['id']}",
        {"firmEntityId": alice.firm.public_id, "enabled": False},
        format="json",
    )
    make_client(alice, "While Disabled")
    assert WebhookEvent.objects.count() == 0
    response = alice.client.post(
        f"{HOOKS}/{webhook['id']}/test", {"firmEntityId": alice.firm.public_id}, format="json"
    )
    assert_error(response, 409, "conflict")


def test_a_retried_registration_with_its_idempotency_key_replays_and_registers_once(alice):
    body = {"firmEntityId": alice.firm.public_id, "url": "http://127.0.0.1:9/h", "events": ["*"]}
    first = alice.client.post(HOOKS, body, format="json", HTTP_IDEMPOTENCY_KEY="register-erp")
    again = alice.client.post(HOOKS, body, format="json", HTTP_IDEMPOTENCY_KEY="register-erp")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert WebhookEndpoint.objects.count() == 1
