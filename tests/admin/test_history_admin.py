"""The admin's History pages: the change history of the firm's own objects, deleted ones included;
another firm's history is the same 404 as none, and no version can be reverted from there."""

import pytest
from django.urls import reverse

from axiomatic.entities.models import ApiKey
from practice.models import TimeEntry
from practice.services.time_entries import time_entry_delete, time_entry_update
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db


def objects_of(world) -> dict[str, object]:
    return {
        "entities_entity": world.link.client,
        "entities_apikey": ApiKey.objects.filter(firm=world.link.firm).first(),
        "practice_clientlink": world.link,
        "practice_timeentry": world.entries[1],
        "practice_engagement": world.engagement,
        "practice_task": world.engagement.tasks.first(),
        "billing_invoice": world.invoice,
        "webhooks_webhookendpoint": world.webhook,
    }


def history_url(app_model: str, pk) -> str:
    return reverse(f"admin:{app_model}_history", args=[pk])


def version_url(app_model: str, pk, history_id) -> str:
    return reverse(f"admin:{app_model}_simple_history", args=[pk, history_id])


TRACKED = (
    "billing_invoice",
    "entities_apikey",
    "entities_entity",
    "practice_clientlink",
    "practice_engagement",
    "practice_task",
    "practice_timeentry",
    "webhooks_webhookendpoint",
)


@pytest.mark.parametrize("app_model", TRACKED)
def test_own_history_is_shown_and_another_firms_is_a_404(app_model, world_a, world_b, alice_admin):
    own, foreign = objects_of(world_a)[app_model], objects_of(world_b)[app_model]
    record = own.history.order_by("history_id").first()
    foreign_record = foreign.history.order_by("history_id").first()
    before = db_fingerprint()

    assert alice_admin.get(history_url(app_model, own.pk)).status_code == 200
    assert alice_admin.get(version_url(app_model, own.pk, record.history_id)).status_code == 200
    assert alice_admin.get(history_url(app_model, foreign.pk)).status_code == 404
    assert alice_admin.get(history_url(app_model, 10**9)).status_code == 404
    foreign_version = version_url(app_model, foreign.pk, foreign_record.history_id)
    assert alice_admin.get(foreign_version).status_code == 404
    # Another firm's record under one's own object's id: still not reachable.
    assert (
        alice_admin.get(version_url(app_model, own.pk, foreign_record.history_id)).status_code
        == 404
    )
    assert db_fingerprint() == before


def test_the_page_lists_each_change_with_who_and_the_api_key(world_a, alice, alice_admin):
    entry = world_a.entries[1]
    time_entry_update(
        firm=entry.firm, public_id=entry.public_id, link=None, changes={"description": "Payroll"}
    )
    TimeEntry.history.filter(public_id=entry.public_id).update(
        history_user=alice.user, history_api_key_public_id="key_shown"
    )

    page = alice_admin.get(history_url("practice_timeentry", entry.pk))

    html = page.content.decode()
    assert page.status_code == 200
    assert "Payroll" in html and "alice@alpha.test" in html and "key_shown" in html
    assert "revert" not in html.lower()


def test_a_deleted_entrys_history_stays_with_its_firm(world_a, world_b, alice_admin, charlie_admin):
    entry = world_a.entries[2]
    time_entry_delete(firm=entry.firm, public_id=entry.public_id)

    page = alice_admin.get(history_url("practice_timeentry", entry.pk))

    assert page.status_code == 200 and "Deleted" in page.content.decode()
    assert charlie_admin.get(history_url("practice_timeentry", entry.pk)).status_code == 404


def test_no_version_can_be_reverted(world_a, alice_admin):
    entry = world_a.entries[1]
    record = entry.history.order_by("history_id").first()
    before = db_fingerprint()

    response = alice_admin.post(
        version_url("practice_timeentry", entry.pk, record.history_id),
        {"hours": "9.00", "_change_history": "1"},
    )

    assert response.status_code == 403
    assert db_fingerprint() == before


def test_junk_ids_in_history_urls_are_a_404(world_a, alice_admin):
    entry = world_a.entries[1]

    assert alice_admin.get("/admin/practice/timeentry/junk/history/").status_code == 404
    assert alice_admin.get("/admin/practice/timeentry/junk/history/1/").status_code == 404
    assert alice_admin.get(f"/admin/practice/timeentry/{entry.pk}/history/junk/").status_code == 404
