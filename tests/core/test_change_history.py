"""The change history underneath the API and the admin: what is tracked, that no secret is ever
copied into a history table, who a record names, and that bulk writes are recorded too."""

import json

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.entities.models import ApiKey, Entity, Membership, Role
from axiomatic.entities.services import api_key_create, api_key_revoke, membership_set
from axiomatic.webhooks.models import WebhookEndpoint
from axiomatic.webhooks.services import endpoint_create, endpoint_rotate_secret
from billing.models import Invoice, Payment
from practice.models import ClientLink, Engagement, Task, TimeEntry
from practice.services.engagements import engagement_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TRACKED = (Entity, Membership, ApiKey, ClientLink, TimeEntry, Engagement, Task, Invoice, Payment)
SECRETS = {
    ApiKey: {"key_hash"},
    WebhookEndpoint: {"secret_encrypted", "previous_secret_encrypted"},
}


def history_tables() -> list[str]:
    return [
        m._meta.db_table
        for m in apps.get_models()
        if m.__name__.startswith("Historical") and m._meta.app_label != "djstripe"
    ]


def every_history_value() -> str:
    """Every value in every history table, as one string to search."""
    rows = []
    with connection.cursor() as cursor:
        for table in history_tables():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows.extend(cursor.fetchall())
    return json.dumps(rows, default=str)


def test_what_money_and_access_depend_on_is_tracked():
    for model in (*TRACKED, WebhookEndpoint):
        assert hasattr(model._meta, "simple_history_manager_attribute"), model


@pytest.mark.parametrize("model", sorted(SECRETS, key=str), ids=lambda m: m.__name__)
def test_no_history_table_has_a_column_for_a_secret(model):
    columns = {f.name for f in model.history.model._meta.get_fields()}

    assert SECRETS[model] & columns == set()
    assert "public_id" in columns  # the record still names its row


def test_secrets_never_reach_a_history_table(alice, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    issued = api_key_create(firm=alice.firm, name="CI", created_by=alice.user)
    api_key_revoke(api_key=issued.api_key)
    endpoint = endpoint_create(
        firm=alice.firm, url="http://127.0.0.1:9/hook", event_types=["*"]
    ).endpoint
    endpoint = endpoint_rotate_secret(endpoint=endpoint).endpoint

    values = every_history_value()
    key = ApiKey.objects.get(pk=issued.api_key.pk)
    for secret in (
        key.key_hash,
        issued.key,
        endpoint.secret_encrypted,
        endpoint.previous_secret_encrypted,
    ):
        assert secret and secret not in values
    assert endpoint.history.count() == 2  # created, rotated (the new expiry of the old secret)


def test_revoking_a_key_is_recorded_once(alice):
    issued = api_key_create(firm=alice.firm, name="CI", created_by=alice.user)

    api_key_revoke(api_key=issued.api_key)
    api_key_revoke(api_key=ApiKey.objects.get(pk=issued.api_key.pk))  # already revoked: no-op

    records = list(issued.api_key.history.order_by("history_id"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[0].revoked_at is None and records[1].revoked_at is not None


def test_a_membership_role_change_is_recorded(firm_a):
    user = UserFactory(email="eve@alpha.test")
    membership_set(user=user, entity=firm_a, role=Role.VIEWER)
    membership = membership_set(user=user, entity=firm_a, role=Role.ADMIN)

    assert [r.role for r in membership.history.order_by("history_id")] == ["VIEWER", "ADMIN"]


def test_an_engagements_tasks_are_recorded_as_created(alice, acme):
    engagement = engagement_create(
        firm=alice.firm,
        client=acme.client,
        name="Close",
        start_date=timezone.localdate(),
        type="bookkeeping",
    )

    tasks = engagement.tasks.all()
    assert tasks.count() > 0
    records = Task.history.filter(engagement=engagement)
    assert sorted(r.public_id for r in records) == sorted(t.public_id for t in tasks)
    assert {r.history_type for r in records} == {"+"}


def test_a_client_edit_through_the_api_names_the_key_on_the_link_and_the_entity(alice, acme):
    response = alice.client.patch(
        f"/api/practice/clients/{acme.client.public_id}",
        {"firmEntityId": alice.firm.public_id, "name": "Acme Holdings", "tier": "BUSINESS"},
        format="json",
    )
    assert response.status_code == 200, response.content

    key = alice.firm.api_keys.get()
    entity = Entity.history.filter(id=acme.client.pk).latest("history_id")
    link = ClientLink.history.filter(id=acme.pk).latest("history_id")
    assert entity.name == "Acme Holdings" and link.client_tier == "BUSINESS"
    for record in (entity, link):
        assert record.history_user_id == alice.user.pk
        assert record.history_api_key_public_id == key.public_id


def test_a_session_names_its_user_and_no_key(bob, alice, acme):
    bob.user.memberships.update(role=Role.MEMBER)
    session = APIClient()
    session.force_login(bob.user)

    response = session.post(
        "/api/practice/time",
        {
            "firmEntityId": alice.firm.public_id,
            "entityId": acme.client.public_id,
            "date": "2026-01-15",
            "hours": 1,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    record = TimeEntry.history.get(public_id=response.json()["entry"]["id"])
    assert record.history_user_id == bob.user.pk
    assert record.history_api_key_public_id is None


def test_writes_outside_a_request_name_nobody(alice, acme):
    record = ClientLink.history.filter(id=acme.pk).latest("history_id")  # made by the fixture

    assert record.history_user_id is None and record.history_api_key_public_id is None
