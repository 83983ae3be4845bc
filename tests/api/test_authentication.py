"""API keys: valid, revoked, malformed, missing; never stored in clear; last use recorded."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.entities.models import ApiKey
from axiomatic.entities.services import api_key_create, api_key_revoke
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

BOOKS = "/api/ledger/books"


def call(persona, authorization: str | None):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client.get(BOOKS, {"entityId": persona.firm.public_id})


def test_a_valid_key_is_accepted(alice):
    assert call(alice, f"Bearer {alice.key}").status_code == 200


def test_the_keyword_is_case_insensitive(alice):
    assert call(alice, f"bearer {alice.key}").status_code == 200


def test_a_key_has_the_prefix_and_at_least_32_random_bytes(firm_a):
    issued = api_key_create(firm=firm_a, name="ci")
    assert issued.key.startswith("axk_")
    # 32 bytes in URL-safe base64 are 43 characters.
    assert len(issued.key) - len("axk_") >= 43
    assert issued.api_key.display_prefix == issued.key[:12]
    assert api_key_create(firm=firm_a, name="ci").key != issued.key


def test_a_revoked_key_is_refused(alice):
    api_key_revoke(api_key=ApiKey.objects.get(firm=alice.firm))
    error = assert_error(call(alice, f"Bearer {alice.key}"), 401, "authentication_failed")
    assert "revoked" in error["message"]


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer",
        "Bearer ",
        "Bearer axk_",
        "Bearer not-a-key",
        "Bearer axk_" + "A" * 43,
        "Bearer axk_" + "!" * 43,
        "Bearer axk_abc def",
    ],
)
def test_malformed_or_unknown_keys_are_401(alice, authorization):
    assert_error(call(alice, authorization), 401, "authentication_failed")


def test_a_mangled_copy_of_a_real_key_is_401(alice):
    assert_error(call(alice, f"Bearer {alice.key[:-1]}x"), 401, "authentication_failed")
    assert_error(call(alice, f"Bearer {alice.key}extra"), 401, "authentication_failed")


def test_a_missing_key_is_401_with_a_challenge(alice):
    response = call(alice, None)
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_non_bearer_scheme_is_treated_as_no_credentials(alice):
    assert_error(call(alice, "Basic YWxpY2U6c2VjcmV0"), 401, "not_authenticated")


def test_no_key_is_stored_in_clear(alice, charlie):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM entities_apikey")
        dump = repr(cursor.fetchall())
    for key in (alice.key, charlie.key):
        secret = key[len("axk_") :]
        assert key not in dump
        assert secret not in dump
        assert secret[:20] not in dump
    assert ApiKey.objects.count() == 2


def test_last_used_at_is_stamped_at_most_once_a_minute(alice):
    api_key = ApiKey.objects.get(firm=alice.firm)
    assert api_key.last_used_at is None
    call(alice, f"Bearer {alice.key}")
    api_key.refresh_from_db()
    first = api_key.last_used_at
    assert first is not None
    call(alice, f"Bearer {alice.key}")
    api_key.refresh_from_db()
    assert api_key.last_used_at == first
    ApiKey.objects.filter(pk=api_key.pk).update(
        last_used_at=timezone.now() - dt.timedelta(minutes=5)
    )
    call(alice, f"Bearer {alice.key}")
    api_key.refresh_from_db()
    assert timezone.now() - api_key.last_used_at < dt.timedelta(seconds=30)


def test_a_key_reaches_only_its_own_firm(alice, charlie):
    response = alice.client.get(BOOKS, {"entityId": charlie.firm.public_id})
    assert_error(response, 404, "not_found")


def test_a_session_login_works_beside_keys(bob):
    assert bob.client.get(BOOKS, {"entityId": bob.firm.public_id}).status_code == 200


def test_session_writes_need_the_csrf_token(bob, alice):
    from axiomatic.entities.models import Membership

    Membership.objects.filter(user=bob.user).update(role="ADMIN")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(bob.user)
    response = client.post(
        "/api/ledger/journal-entries", data={"entityId": bob.firm.public_id}, format="json"
    )
    error = assert_error(response, 403, "permission_denied")
    assert "CSRF" in error["message"]
