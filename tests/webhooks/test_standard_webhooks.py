"""Standard Webhooks headers on real deliveries, checked by the `standardwebhooks` package itself with
the secret exactly as the API showed it: across a rotation, on retries, for the test event and for
secrets issued before the scheme; Axiomatic-Signature beside them unchanged."""

import base64
import datetime as dt
import re
import secrets
import time

import pytest
from django.utils import timezone
from standardwebhooks import Webhook, WebhookVerificationError

from axiomatic.webhooks import delivery, services, signing
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.webhooks.helpers import HOOKS, log_time, readme_snippet, register, rotate

pytestmark = pytest.mark.django_db

STANDARD_SIGNATURE = re.compile(r"v1,[A-Za-z0-9+/]{43}=")

# Secrets as they were issued before (whsec_ + url-safe base64 without padding), one of each kind.
OLD_WITHOUT_DASH_OR_UNDERSCORE = "whsec_kqCvE9jC8MlU2VICrGPBO9OBxHqEGoYOXeSKDdS2eas"
OLD_DECODED_LENIENTLY = "whsec_YWXLSMr5gTZKL5AeqWmBrKmWnmu39EE5EyYggC-IIsE"
OLD_UNDECODABLE = "whsec_TB57Oh3U9_kKlND_uu6X2Fa0LsYDEzp8xuwA3HXYg44"


def standard(request, secret):
    """What the package makes of a received request: the parsed event, or its exception."""
    return Webhook(secret).verify(request.body, request.headers)


def deliver_one(persona, link, on_commit):
    with on_commit(execute=True):
        log_time(persona, link.client.public_id)


def test_a_delivery_verifies_with_the_package_and_the_secret_as_shown(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(alice, receiver)
    # As shown: whsec_ and the standard base64 of 32 random bytes.
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/]{43}=", secret)
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    deliver_one(alice, acme, django_capture_on_commit_callbacks)

    request = receiver.requests[0]
    headers = request.headers
    assert standard(request, secret) == request.event
    # The id is the event's; the timestamp is Axiomatic-Signature's t, signed at one instant.
    assert headers["webhook-id"] == request.event["id"] == headers["Axiomatic-Event-Id"]
    t = re.fullmatch(r"t=(\d+),v1=[0-9a-f]{64}", headers["Axiomatic-Signature"]).group(1)
    assert headers["webhook-timestamp"] == t
    assert abs(int(t) - time.time()) < 60
    assert STANDARD_SIGNATURE.fullmatch(headers["webhook-signature"])
    # Axiomatic-Signature is keyed by the whole secret string, as before.
    assert signing.verify_signature(request.body, headers["Axiomatic-Signature"], secret)


def test_a_changed_body_id_or_timestamp_and_a_wrong_secret_fail(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(alice, receiver)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    body, headers = request.body, request.headers
    webhook = Webhook(secret)
    assert webhook.verify(body, headers) == request.event

    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(body.replace(b"Reconciliation", b"Reconciliatiom"), headers)
    assert b"Reconciliation" in body  # so the line above changed the body
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(body, {**headers, "webhook-id": "evt_01aaaaaaaaaaaaaaaaaaaaaaaa"})
    earlier = str(int(headers["webhook-timestamp"]) - 1)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        webhook.verify(body, {**headers, "webhook-timestamp": earlier})
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(signing.new_secret()).verify(body, headers)
    without = {k: v for k, v in headers.items() if k != "webhook-signature"}
    with pytest.raises(WebhookVerificationError, match="Missing required headers"):
        webhook.verify(body, without)


# Well past the five minutes both schemes allow: a delivery signed 301 s ahead passed when the
# check ran a second or more after signing, as it can on a busy machine.
@pytest.mark.parametrize(
    ("skew", "message"), [(-400, "too old"), (400, "too new")], ids=["stale", "future"]
)
def test_a_delivery_signed_more_than_five_minutes_off_is_refused_by_both_schemes(
    alice, acme, receiver, django_capture_on_commit_callbacks, monkeypatch, skew, message
):
    _, secret = register(alice, receiver)
    sign = signing.delivery_headers

    def sign_off_clock(body, message_id, secrets_in_use):
        return sign(body, message_id, secrets_in_use, timestamp=int(time.time()) + skew)

    monkeypatch.setattr(signing, "delivery_headers", sign_off_clock)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert int(request.headers["webhook-timestamp"]) - time.time() == pytest.approx(skew, abs=5)
    with pytest.raises(WebhookVerificationError, match=message):
        standard(request, secret)
    assert not signing.verify_signature(
        request.body, request.headers["Axiomatic-Signature"], secret
    )


def test_during_a_rotation_the_new_and_the_old_secret_both_verify(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    webhook_id, old = register(alice, receiver)
    new = rotate(alice, webhook_id)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    signatures = request.headers["webhook-signature"].split(" ")
    assert len(signatures) == 2 and all(STANDARD_SIGNATURE.fullmatch(s) for s in signatures)
    assert standard(request, new) == request.event
    assert standard(request, old) == request.event
    header = request.headers["Axiomatic-Signature"]
    assert header.count("v1=") == 2
    assert signing.verify_signature(request.body, header, old)
    assert signing.verify_signature(request.body, header, new)

    # After the 24 hours only the new one signs.
    WebhookEndpoint.objects.update(
        previous_secret_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert STANDARD_SIGNATURE.fullmatch(request.headers["webhook-signature"])
    assert standard(request, new) == request.event
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        standard(request, old)
    assert not signing.verify_signature(request.body, request.headers["Axiomatic-Signature"], old)


def test_retries_and_a_resend_carry_the_same_webhook_id_each_freshly_signed(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, secret = register(alice, receiver)
    receiver.script = [500, 503]
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    row = WebhookDelivery.objects.select_related("event").get()
    for _ in range(2):
        row.refresh_from_db()
        delivery.endpoint_deliver(endpoint_id=row.endpoint_id, now=row.next_attempt_at)
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_retry_now(delivery=row)  # "Retry now" on a delivered one: sent again

    assert len(receiver.requests) == 4
    assert [r.headers["Axiomatic-Delivery-Attempt"] for r in receiver.requests] == [
        "1",
        "2",
        "3",
        "4",
    ]
    assert {r.headers["webhook-id"] for r in receiver.requests} == {row.event.public_id}
    for request in receiver.requests:
        assert standard(request, secret) == request.event
        assert signing.verify_signature(
            request.body, request.headers["Axiomatic-Signature"], secret
        )


def test_one_event_to_two_endpoints_shares_its_id_but_not_its_signatures(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    _, first = register(alice, receiver)
    base = receiver.url
    receiver.url = base.replace("/hooks/axiomatic", "/hooks/other")
    _, second = register(alice, receiver)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)

    by_path = {r.path: r for r in receiver.requests}
    one, two = by_path["/hooks/axiomatic"], by_path["/hooks/other"]
    assert one.headers["webhook-id"] == two.headers["webhook-id"] == one.event["id"]
    assert standard(one, first) == standard(two, second) == one.event
    with pytest.raises(WebhookVerificationError):
        standard(one, second)
    with pytest.raises(WebhookVerificationError):
        standard(two, first)


def test_the_test_event_is_signed_the_same_way(alice, receiver, django_capture_on_commit_callbacks):
    webhook_id, secret = register(alice, receiver, events=["invoice.created"])
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.post(
            f"{HOOKS}/{webhook_id}/test", {"firmEntityId": alice.firm.public_id}, format="json"
        )
    assert response.status_code == 202, response.content
    request = receiver.requests[0]
    assert request.event["type"] == "ping"
    assert standard(request, secret)["data"]["object"]["id"] == webhook_id
    assert request.headers["webhook-id"] == request.event["id"]
    assert signing.verify_signature(request.body, request.headers["Axiomatic-Signature"], secret)


def use_secret(secret: str) -> None:
    WebhookEndpoint.objects.update(secret_encrypted=signing.encrypt_secret(secret))


@pytest.mark.parametrize("old", [OLD_WITHOUT_DASH_OR_UNDERSCORE, OLD_DECODED_LENIENTLY])
def test_a_secret_issued_before_verifies_when_the_package_can_read_it(
    alice, acme, receiver, django_capture_on_commit_callbacks, old
):
    register(alice, receiver)
    use_secret(old)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert standard(request, old) == request.event
    assert signing.verify_signature(request.body, request.headers["Axiomatic-Signature"], old)


def test_a_secret_issued_before_that_the_package_cannot_read_signs_axiomatic_only_until_rotated(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    webhook_id, _ = register(alice, receiver)
    use_secret(OLD_UNDECODABLE)
    with pytest.raises(ValueError):  # binascii.Error: the package refuses the secret itself
        Webhook(OLD_UNDECODABLE)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    assert "webhook-signature" not in request.headers
    assert request.headers["webhook-id"] == request.event["id"]
    assert signing.verify_signature(
        request.body, request.headers["Axiomatic-Signature"], OLD_UNDECODABLE
    )

    new = rotate(alice, webhook_id)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[-1]
    assert STANDARD_SIGNATURE.fullmatch(request.headers["webhook-signature"])  # the new one's only
    assert standard(request, new) == request.event
    header = request.headers["Axiomatic-Signature"]
    assert header.count("v1=") == 2
    assert signing.verify_signature(request.body, header, OLD_UNDECODABLE)


def test_our_standard_signature_is_the_packages_for_every_kind_of_secret():
    """The key is decoded as the package decodes it: for new secrets and a sample of old ones."""
    body = '{"id":"evt_1","note":"café"}'.encode()
    message_id, stamp = "evt_01jd3m9x0c4n6w8y2b7q5r1t3v", 1_780_000_000
    when = dt.datetime.fromtimestamp(stamp, tz=dt.UTC)
    kinds = {"new": 0, "readable": 0, "unreadable": 0}
    for secret in [signing.new_secret() for _ in range(50)] + [
        "whsec_" + secrets.token_urlsafe(32) for _ in range(300)
    ]:
        ours = signing.standard_signature_header(message_id, body, [secret], stamp)
        try:
            theirs = Webhook(secret).sign(message_id, when, body.decode())
        except ValueError:
            assert ours == "" and signing.standard_key(secret) is None
            kinds["unreadable"] += 1
            continue
        assert ours == theirs
        kinds["new" if secret.endswith("=") else "readable"] += 1
    assert kinds["new"] == 50 and kinds["readable"] > 0 and kinds["unreadable"] > 0
    assert signing.standard_key("whsec_") is None


def test_the_readme_standard_webhooks_snippet_verifies_a_delivery(
    alice, acme, receiver, django_capture_on_commit_callbacks
):
    namespace: dict = {}
    exec(
        compile(readme_snippet("# Verifying with the standardwebhooks"), "README.md", "exec"),
        namespace,
    )  # noqa: S102 (our own README)
    _, secret = register(alice, receiver)
    deliver_one(alice, acme, django_capture_on_commit_callbacks)
    request = receiver.requests[0]
    receive = namespace["verify_standard"]
    assert receive(request.body, request.headers, secret) == request.event
    assert receive(request.body + b" ", request.headers, secret) is None
    assert receive(request.body, request.headers, signing.new_secret()) is None
