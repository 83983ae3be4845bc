"""The admin as a firm's workplace: scoped to the firm, daily work through the services."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from axiomatic.entities.models import ApiKey
from billing.models import Invoice, StripeSyncState
from practice.models import Engagement, TimeEntry
from tests.factories import UserFactory
from tests.helpers import db_snapshot

pytestmark = pytest.mark.django_db


def changelist(app_model: str) -> str:
    return reverse(f"admin:{app_model}_changelist")


def change(app_model: str, pk) -> str:
    return reverse(f"admin:{app_model}_change", args=[pk])


def objects_of(world) -> dict[str, object]:
    return {
        "entities_entity": world.link.client,
        "practice_clientlink": world.link,
        "practice_timeentry": world.entries[1],
        "practice_engagement": world.engagement,
        "practice_task": world.engagement.tasks.first(),
        "practice_invitation": world.invitation,
        "billing_invoice": world.invoice,
        "reports_reportshare": world.share,
        "webhooks_webhookendpoint": world.webhook,
        "webhooks_webhookdelivery": world.delivery,
    }


LABELS = {
    "entities_entity": lambda w: w.link.client.name,
    "practice_clientlink": lambda w: w.link.client.name,
    "practice_timeentry": lambda w: w.entries[1].client.name,
    "practice_engagement": lambda w: w.engagement.name,
    "practice_task": lambda w: w.engagement.name,
    "practice_invitation": lambda w: w.invitation.email,
    "billing_invoice": lambda w: w.link.client.name,
    "reports_reportshare": lambda w: w.share.public_id,
    "webhooks_webhookendpoint": lambda w: w.webhook.url,
    "webhooks_webhookdelivery": lambda w: w.webhook.url,
}


# -- scope ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("app_model", sorted(LABELS))
def test_staff_see_only_their_firm_in_every_changelist(app_model, world_a, world_b, alice_admin):
    page = alice_admin.get(changelist(app_model))

    assert page.status_code == 200
    html = page.content.decode()
    assert LABELS[app_model](world_a) in html
    assert LABELS[app_model](world_b) not in html


@pytest.mark.parametrize("app_model", sorted(LABELS))
def test_another_firms_object_is_a_404_like_a_missing_one(app_model, world_a, world_b, alice_admin):
    foreign = objects_of(world_b)[app_model]
    before = db_snapshot()

    assert alice_admin.get(change(app_model, foreign.pk)).status_code == 404
    assert alice_admin.get(change(app_model, 10**9)).status_code == 404
    assert alice_admin.post(change(app_model, foreign.pk), {}).status_code == 404
    assert db_snapshot() == before
    assert alice_admin.get(change(app_model, objects_of(world_a)[app_model].pk)).status_code == 200


def test_the_journal_entries_and_api_keys_of_another_firm_are_out_of_reach(
    alice, charlie, world_a, world_b, alice_admin
):
    from axiomatic.ledger.models import JournalEntry

    theirs = JournalEntry.objects.get(pk=world_b.invoice.journal_entry_id)
    ours = JournalEntry.objects.get(pk=world_a.invoice.journal_entry_id)
    assert alice_admin.get(change("ledger_journalentry", theirs.pk)).status_code == 404
    assert alice_admin.get(change("ledger_journalentry", ours.pk)).status_code == 200
    keys = alice_admin.get(changelist("entities_apikey")).content.decode()
    assert "alice@alpha.test key" in keys and "charlie@bravo.test key" not in keys
    theirs_key = ApiKey.objects.get(firm=charlie.firm)
    assert alice_admin.get(change("entities_apikey", theirs_key.pk)).status_code == 404


def test_autocomplete_and_filter_choices_are_scoped(
    alice, make_client, world_a, world_b, alice_admin
):
    from tests.admin.conftest import build_world

    second = build_world(alice, make_client, "Initech", entries=1)
    response = alice_admin.get(
        reverse("admin:autocomplete"),
        {"app_label": "practice", "model_name": "timeentry", "field_name": "client", "term": ""},
    )
    names = {r["text"] for r in response.json()["results"]}
    assert "Acme" in names and "Globex" not in names

    page = alice_admin.get(changelist("practice_timeentry")).content.decode()
    assert f"client__id__exact={world_a.link.client_id}" in page
    assert f"client__id__exact={second.link.client_id}" in page
    assert f"client__id__exact={world_b.link.client_id}" not in page


def _autocomplete(client, app_label, model_name, field_name) -> set[str]:
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200
    return {r["text"] for r in response.json()["results"]}


def test_a_client_autocomplete_offers_clients_and_a_firm_autocomplete_firms(
    alice, world_a, world_b, alice_admin
):
    firm = alice.firm.name
    assert _autocomplete(alice_admin, "practice", "timeentry", "client") == {"Acme"}
    assert _autocomplete(alice_admin, "practice", "engagement", "client") == {"Acme"}
    assert _autocomplete(alice_admin, "practice", "engagement", "firm") == {firm}

    from tests.admin.conftest import logged_in

    root = logged_in(UserFactory(is_staff=True, is_superuser=True))
    assert _autocomplete(root, "practice", "timeentry", "client") == {"Acme", "Globex"}
    assert _autocomplete(root, "practice", "engagement", "firm") == {firm, "Bravo Bookkeeping"}


def test_superuser_sees_every_firm(world_a, world_b):
    from tests.admin.conftest import logged_in

    root = logged_in(UserFactory(is_staff=True, is_superuser=True))
    html = root.get(changelist("practice_timeentry")).content.decode()
    assert "Acme" in html and "Globex" in html
    assert root.get(change("billing_invoice", world_b.invoice.pk)).status_code == 200


def test_program_tables_are_for_superusers_only(world_a, alice_admin):
    assert alice_admin.get(changelist("billing_clienttierprice")).status_code == 403
    assert alice_admin.get(changelist("entities_partnerenrollment")).status_code == 403
    assert alice_admin.get(changelist("djstripe_customer")).status_code == 403


# -- a VIEWER looks, never changes ------------------------------------------------------------------


def test_a_viewer_can_look_but_not_change(world_a, bob_admin):
    before = db_snapshot()
    entry = world_a.entries[1]

    assert bob_admin.get(changelist("practice_timeentry")).status_code == 200
    page = bob_admin.get(change("practice_timeentry", entry.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert bob_admin.get(reverse("admin:practice_timeentry_add")).status_code == 403
    assert bob_admin.post(change("practice_timeentry", entry.pk), {"hours": "9"}).status_code == 403
    actions = bob_admin.post(
        changelist("practice_timeentry"),
        {"action": "create_invoice", "_selected_action": [entry.pk]},
    )
    assert actions.status_code in (200, 302)
    assert (
        bob_admin.get(reverse("admin:billing_invoice_pdf", args=[world_a.invoice.pk])).status_code
        == 200
    )
    assert db_snapshot() == before


# -- daily work through the services -----------------------------------------------------------------


def _add_time(client, world, **overrides):
    data = {
        "firm": world.link.firm_id,
        "client": world.link.client_id,
        "date": timezone.localdate().isoformat(),
        "hours": "2.25",
        "description": "Reconciled the bank feed",
        "billable": "on",
        "rate_cents": "",
        "engagement": "",
        "task": "",
        "user": "",
        "external_reference": "",
    }
    data.update(overrides)
    return client.post(reverse("admin:practice_timeentry_add"), data)


def test_logging_time_goes_through_the_service(alice, world_a, alice_admin):
    response = _add_time(alice_admin, world_a)

    assert response.status_code == 302, response.content.decode()[:2000]
    entry = TimeEntry.objects.get(description="Reconciled the bank feed")
    # The service's rules: the client's default rate, amount in cents, the logged-in user.
    assert (entry.rate_cents, entry.rate_source, entry.amount_cents) == (15_000, "client", 33_750)
    assert entry.user == alice.user


def test_a_refused_time_entry_shows_the_services_message_and_writes_nothing(
    alice, world_a, alice_admin
):
    from practice.services.engagements import engagement_create

    # Both engagements are this firm's, so the form accepts the choices and the service refuses.
    other = engagement_create(
        firm=alice.firm,
        client=world_a.link.client,
        name="Acme payroll",
        start_date=timezone.localdate(),
        due_date=timezone.localdate() + dt.timedelta(days=30),
        type="bookkeeping",
    )
    before = db_snapshot()
    response = _add_time(
        alice_admin,
        world_a,
        engagement=world_a.engagement.pk,
        task=other.tasks.first().pk,
        hours="1",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("This task belongs to another engagement.") == 1
    assert db_snapshot() == before


def test_billed_time_cannot_be_edited_or_deleted(world_a, alice_admin):
    billed = world_a.entries[0]
    page = alice_admin.get(change("practice_timeentry", billed.pk)).content.decode()
    assert 'name="_save"' not in page
    assert (
        alice_admin.post(
            reverse("admin:practice_timeentry_delete", args=[billed.pk]), {"post": "yes"}
        ).status_code
        == 403
    )


def test_invoicing_selected_time_from_the_changelist(world_a, world_b, alice_admin):
    unbilled = world_a.entries[1:]
    response = alice_admin.post(
        changelist("practice_timeentry"),
        {"action": "create_invoice", "_selected_action": [e.pk for e in unbilled]},
        follow=True,
    )

    assert response.status_code == 200
    invoice = Invoice.objects.filter(firm=world_a.link.firm).latest("number")
    assert invoice.pk != world_a.invoice.pk
    assert invoice.lines.count() == 3
    assert invoice.total_cents == 3 * 22_500
    assert invoice.display_number in response.content.decode()
    assert set(
        TimeEntry.objects.filter(pk__in=[e.pk for e in unbilled]).values_list(
            "billing_status", flat=True
        )
    ) == {"billed"}

    detail = alice_admin.get(change("billing_invoice", invoice.pk)).content.decode()
    assert "Acme work 1" in detail
    assert reverse("admin:ledger_journalentry_change", args=[invoice.journal_entry_id]) in detail
    pdf = alice_admin.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_invoicing_already_billed_time_is_refused_with_the_services_message(world_a, alice_admin):
    before = Invoice.objects.count()
    response = alice_admin.post(
        changelist("practice_timeentry"),
        {"action": "create_invoice", "_selected_action": [world_a.entries[0].pk]},
        follow=True,
    )
    assert "already invoiced" in response.content.decode().lower()
    assert Invoice.objects.count() == before


def test_another_firms_invoice_pdf_is_a_404(world_a, world_b, alice_admin):
    url = reverse("admin:billing_invoice_pdf", args=[world_b.invoice.pk])
    assert alice_admin.get(url).status_code == 404


def test_voiding_from_the_admin_returns_time_to_unbilled(world_a, alice_admin):
    alice_admin.post(
        changelist("billing_invoice"),
        {"action": "void", "_selected_action": [world_a.invoice.pk]},
    )
    world_a.invoice.refresh_from_db()
    assert world_a.invoice.status == "void"
    world_a.entries[0].refresh_from_db()
    assert world_a.entries[0].billing_status == "unbilled"


def test_completing_an_engagement_and_a_task(world_a, alice_admin):
    task = world_a.engagement.tasks.order_by("position").first()
    page = alice_admin.get(change("practice_engagement", world_a.engagement.pk)).content.decode()
    assert task.title in page  # the tasks, inline
    alice_admin.post(
        changelist("practice_task"), {"action": "complete", "_selected_action": [task.pk]}
    )
    task.refresh_from_db()
    assert task.completed_at is not None

    alice_admin.post(
        changelist("practice_engagement"),
        {"action": "complete", "_selected_action": [world_a.engagement.pk]},
    )
    assert Engagement.objects.get(pk=world_a.engagement.pk).status == "completed"


def test_resending_an_invitation_mails_a_fresh_link(
    world_a, alice_admin, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alice_admin.post(
            changelist("practice_invitation"),
            {"action": "resend", "_selected_action": [world_a.invitation.pk]},
        )
    assert [m.to for m in mail.outbox] == [["owner@acme.test"]]
    world_a.invitation.refresh_from_db()
    assert world_a.invitation.sent_count >= 1


def test_revoking_a_share_link(world_a, alice_admin):
    alice_admin.post(
        changelist("reports_reportshare"),
        {"action": "revoke", "_selected_action": [world_a.share.pk]},
    )
    world_a.share.refresh_from_db()
    assert world_a.share.revoked_at is not None


def test_creating_an_api_key_shows_it_once_and_it_works(alice, world_a, alice_admin):
    response = alice_admin.post(
        reverse("admin:entities_apikey_add"), {"firm": alice.firm.pk, "name": "Zapier"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    key = html.split('id="api-key-value"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert key.startswith("axk_")
    stored = ApiKey.objects.get(name="Zapier")
    assert key not in alice_admin.get(change("entities_apikey", stored.pk)).content.decode()
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert (
        api.get("/api/practice/clients", {"firmEntityId": alice.firm.public_id}).status_code == 200
    )


def test_staff_cannot_create_a_key_for_another_firm(charlie, world_a, alice_admin):
    before = ApiKey.objects.count()
    response = alice_admin.post(
        reverse("admin:entities_apikey_add"), {"firm": charlie.firm.pk, "name": "Sneaky"}
    )
    assert response.status_code == 200 and "errornote" in response.content.decode()
    assert ApiKey.objects.count() == before


def test_sync_with_stripe_now_without_a_key_records_not_configured(
    alice, world_a, alice_admin, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    state = StripeSyncState.objects.create(firm=alice.firm)
    with django_capture_on_commit_callbacks(execute=True):
        alice_admin.post(
            changelist("billing_stripesyncstate"),
            {"action": "sync_now", "_selected_action": [state.pk]},
        )
    state.refresh_from_db()
    assert state.status == "not_configured"


# -- dashboard and query counts ---------------------------------------------------------------------


def test_the_dashboard_shows_unbilled_time_deadlines_fee_and_a_weekly_chart(
    world_a, world_b, alice_admin
):
    html = alice_admin.get(reverse("admin:index")).content.decode()

    assert "Alpha &amp; Co CPA" in html and "Bravo" not in html
    assert 'id="panel-unbilled"' in html and "Acme" in html
    assert "$675.00" in html  # three unbilled entries of 1.5 h at 150.00
    assert 'id="panel-deadlines"' in html and "Acme bookkeeping" in html
    assert 'id="panel-program-fee"' in html and "$79.00 a month" in html
    assert html.count('class="bar"') == 12


def test_superusers_get_the_plain_index(world_a):
    from tests.admin.conftest import logged_in

    html = (
        logged_in(UserFactory(is_staff=True, is_superuser=True))
        .get(reverse("admin:index"))
        .content.decode()
    )
    assert 'id="panel-unbilled"' not in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "app_model",
    [
        "practice_timeentry",
        "billing_invoice",
        "practice_engagement",
        "practice_clientlink",
        "reports_reportshare",
        "webhooks_webhookdelivery",
    ],
)
def test_busy_changelists_run_a_fixed_number_of_queries(app_model, alice, make_client, alice_admin):
    from tests.admin.conftest import build_world

    build_world(alice, make_client, "First", entries=2)
    few = _queries(alice_admin, changelist(app_model))
    for n in range(4):
        build_world(alice, make_client, f"More{n}", entries=6)
    many = _queries(alice_admin, changelist(app_model))

    # At most the same: the date hierarchy asks for the days only while all rows fall in one month
    # (a few rows near a month's start), so the smaller world may run one query more.
    assert many <= few


def test_the_dashboard_runs_a_fixed_number_of_queries(alice, make_client, alice_admin):
    from tests.admin.conftest import build_world

    build_world(alice, make_client, "First", entries=2)
    few = _queries(alice_admin, reverse("admin:index"))
    for n in range(4):
        build_world(alice, make_client, f"More{n}", entries=6)
    assert _queries(alice_admin, reverse("admin:index")) == few


def test_another_firms_history_page_is_a_404(world_b, alice_admin):
    url = reverse("admin:practice_timeentry_history", args=[world_b.entries[1].pk])
    assert alice_admin.get(url).status_code == 404


def test_raw_id_lookups_list_only_reachable_entities(world_a, world_b, alice_admin):
    popup = alice_admin.get(changelist("entities_entity"), {"_to_field": "id", "_popup": "1"})
    html = popup.content.decode()
    assert popup.status_code == 200
    assert "Acme" in html and "Globex" not in html


def test_actions_never_reach_another_firms_rows(world_a, world_b, alice_admin):
    before = db_snapshot()
    for app_model, action, pk in (
        ("practice_timeentry", "create_invoice", world_b.entries[1].pk),
        ("billing_invoice", "void", world_b.invoice.pk),
        ("practice_engagement", "complete", world_b.engagement.pk),
        ("practice_invitation", "resend", world_b.invitation.pk),
        ("reports_reportshare", "revoke", world_b.share.pk),
        ("webhooks_webhookendpoint", "send_test_event", world_b.webhook.pk),
        ("webhooks_webhookendpoint", "enable", world_b.webhook.pk),
        ("webhooks_webhookdelivery", "retry_now", world_b.delivery.pk),
    ):
        alice_admin.post(changelist(app_model), {"action": action, "_selected_action": [pk]})
    assert db_snapshot() == before
    world_b.invoice.refresh_from_db()
    assert world_b.invoice.status == "open"


# -- webhooks ---------------------------------------------------------------------------------------


def test_webhook_endpoint_page_shows_recent_deliveries_but_never_the_secret(world_a, alice_admin):
    from axiomatic.webhooks.signing import decrypt_secret

    page = alice_admin.get(change("webhooks_webhookendpoint", world_a.webhook.pk))

    html = page.content.decode()
    assert page.status_code == 200
    assert world_a.delivery.public_id in html
    assert decrypt_secret(world_a.webhook.secret_encrypted) not in html
    assert world_a.webhook.secret_encrypted not in html


def test_send_test_event_and_retry_now_from_the_admin(world_a, alice_admin):
    from axiomatic.webhooks.models import WebhookDelivery

    response = alice_admin.post(
        changelist("webhooks_webhookendpoint"),
        {"action": "send_test_event", "_selected_action": [world_a.webhook.pk]},
        follow=True,
    )
    assert "Test event queued" in response.content.decode()
    assert WebhookDelivery.objects.filter(endpoint=world_a.webhook, event__type="ping").exists()

    WebhookDelivery.objects.filter(pk=world_a.delivery.pk).update(status="failed", attempts=8)
    response = alice_admin.post(
        changelist("webhooks_webhookdelivery"),
        {"action": "retry_now", "_selected_action": [world_a.delivery.pk]},
        follow=True,
    )
    assert response.status_code == 200
    world_a.delivery.refresh_from_db()
    assert world_a.delivery.status == "pending" and world_a.delivery.next_attempt_at is not None


def test_a_disabled_endpoint_shows_its_reason_and_can_be_enabled(world_a, alice_admin):
    from axiomatic.webhooks.models import WebhookEndpoint

    reason = "Disabled after every delivery failed for 3 days (last error: HTTP 500)."
    WebhookEndpoint.objects.filter(pk=world_a.webhook.pk).update(
        enabled=False, disabled_reason=reason
    )
    assert reason in alice_admin.get(changelist("webhooks_webhookendpoint")).content.decode()

    alice_admin.post(
        changelist("webhooks_webhookendpoint"),
        {"action": "enable", "_selected_action": [world_a.webhook.pk]},
    )
    world_a.webhook.refresh_from_db()
    assert world_a.webhook.enabled and world_a.webhook.disabled_reason == ""


def test_a_viewer_cannot_send_test_events(world_a, bob_admin):
    from axiomatic.webhooks.models import WebhookDelivery

    before = WebhookDelivery.objects.count()
    bob_admin.post(
        changelist("webhooks_webhookendpoint"),
        {"action": "send_test_event", "_selected_action": [world_a.webhook.pk]},
    )
    assert WebhookDelivery.objects.count() == before


# -- two roles, two scopes: actions act only where the role may write --------------------------------


def full_snapshot() -> dict[str, list]:
    """Every row of every table of ours, and the mail sent: nothing may differ after a refusal."""
    from django.apps import apps

    labels = {"entities", "ledger", "practice", "billing", "reports", "webhooks"}
    state = {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in apps.get_models()
        if model._meta.app_label in labels
    }
    state["mail"] = [m.to for m in mail.outbox]
    return state


@pytest.fixture
def dana(alice, charlie):
    """ADMIN of Firm B, VIEWER of Firm A: sees both firms, may change only Firm B's."""
    from axiomatic.entities.models import Role
    from tests.factories import MembershipFactory

    user = UserFactory(email="dana@bravo.test", is_staff=True)
    MembershipFactory(user=user, entity=charlie.firm, role=Role.ADMIN)
    MembershipFactory(user=user, entity=alice.firm, role=Role.VIEWER)
    return user


def _actions_on(world, firm):
    from axiomatic.webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.filter(pk=world.webhook.pk).update(enabled=False)
    sync = StripeSyncState.objects.create(firm=firm)
    return [
        ("practice_timeentry", "create_invoice", world.entries[1].pk),
        ("practice_timeentry", "delete_selected", world.entries[2].pk),
        ("billing_invoice", "void", world.invoice.pk),
        ("practice_engagement", "complete", world.engagement.pk),
        ("practice_engagement", "cancel", world.engagement.pk),
        ("practice_task", "complete", world.engagement.tasks.first().pk),
        ("practice_invitation", "resend", world.invitation.pk),
        ("practice_clientlink", "archive", world.link.pk),
        ("reports_reportshare", "revoke", world.share.pk),
        ("webhooks_webhookendpoint", "send_test_event", world.webhook.pk),
        ("webhooks_webhookendpoint", "enable", world.webhook.pk),
        ("webhooks_webhookdelivery", "retry_now", world.delivery.pk),
        ("billing_stripesyncstate", "sync_now", sync.pk),
        ("entities_apikey", "revoke", ApiKey.objects.get(firm=firm).pk),
    ]


def test_a_viewer_in_one_firm_and_admin_in_another_cannot_act_on_the_first(
    alice, world_a, world_b, dana, django_capture_on_commit_callbacks
):
    from tests.admin.conftest import logged_in

    client = logged_in(dana)
    actions = _actions_on(world_a, alice.firm)
    mail.outbox.clear()
    before = full_snapshot()
    for app_model, action, pk in actions:
        # She sees the row (read scope) ...
        assert client.get(change(app_model, pk)).status_code == 200, app_model
        # ... but the action skips it, and says why.
        with django_capture_on_commit_callbacks(execute=True):
            data = {"action": action, "_selected_action": [pk], "post": "yes"}
            page = client.post(changelist(app_model), data, follow=True)
        html = page.content.decode()
        assert "Skipped 1 selected" in html and "read-only" in html, (app_model, action)
    assert full_snapshot() == before


def test_a_mixed_selection_acts_on_the_writable_firms_rows_only(world_a, world_b, dana):
    from tests.admin.conftest import logged_in

    page = logged_in(dana).post(
        changelist("billing_invoice"),
        {"action": "void", "_selected_action": [world_a.invoice.pk, world_b.invoice.pk]},
        follow=True,
    )
    world_a.invoice.refresh_from_db()
    world_b.invoice.refresh_from_db()
    assert (world_a.invoice.status, world_b.invoice.status) == ("open", "void")
    html = page.content.decode()
    assert "Skipped 1 selected invoice: Your role in this firm is read-only." in html
    assert "Voided 1 invoice(s)." in html


# -- a firm whose partner enrollment is not active: readable, never writable (the API's rule) -------

SUSPENDED = "This firm is not an active member of the partner program."


@pytest.fixture
def suspended_a(alice, world_a):
    from axiomatic.entities.models import EnrollmentStatus, PartnerEnrollment

    PartnerEnrollment.objects.filter(firm=alice.firm).update(status=EnrollmentStatus.SUSPENDED)
    return world_a


def test_a_suspended_firms_staff_read_their_records_and_see_why_they_cannot_write(
    suspended_a, alice_admin
):
    from rest_framework.test import APIClient

    world = suspended_a
    home = alice_admin.get(reverse("admin:index")).content.decode()
    assert SUSPENDED in home
    assert "Acme work 1" in alice_admin.get(changelist("practice_timeentry")).content.decode()
    page = alice_admin.get(change("billing_invoice", world.invoice.pk)).content.decode()
    assert SUSPENDED in page and 'name="_save"' not in page
    # The client entity and its books drop out of reach, as in the API.
    assert alice_admin.get(change("entities_entity", world.link.client_id)).status_code == 404
    # The API says the same thing.
    api = APIClient()
    api.force_authenticate(world.link.firm.memberships.first().user)
    answer = api.get("/api/practice/time", {"firmEntityId": world.link.firm.public_id})
    assert answer.status_code == 403 and SUSPENDED in answer.json()["error"]["message"]


def test_a_suspended_firm_cannot_invoice_void_log_time_or_create_keys(
    alice, suspended_a, alice_admin
):
    world = suspended_a
    mail.outbox.clear()
    before = full_snapshot()

    for app_model, action, pk in (
        ("practice_timeentry", "create_invoice", world.entries[1].pk),
        ("billing_invoice", "void", world.invoice.pk),
    ):
        data = {"action": action, "_selected_action": [pk]}
        html = alice_admin.post(changelist(app_model), data, follow=True).content.decode()
        assert "Skipped 1 selected" in html and SUSPENDED in html, app_model

    logged = _add_time(alice_admin, world)
    assert logged.status_code == 200 and SUSPENDED in logged.content.decode()
    key = alice_admin.post(
        reverse("admin:entities_apikey_add"), {"firm": alice.firm.pk, "name": "Zapier"}
    )
    assert key.status_code == 200 and SUSPENDED in key.content.decode()
    assert full_snapshot() == before


# -- client details change through client_update, as through the API --------------------------------


def _client_form(world, **overrides):
    link = world.link
    data = {
        "client_name": link.client.name,
        "client_type": link.client.type,
        "client_industry": link.client.industry,
        "client_tier": link.client_tier,
        "billing_mode": link.billing_mode,
        "default_rate": "" if link.default_rate_cents is None else link.default_rate_cents / 100,
        "external_reference": link.external_reference or "",
    }
    data.update(overrides)
    return data


def _shape(value):
    """The keys of a JSON document, recursively: what an event carries, not its values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value[:1]]
    return type(value).__name__


def test_editing_a_clients_details_in_the_admin_emits_the_same_event_as_the_api(
    alice, world_a, alice_admin, django_capture_on_commit_callbacks
):
    from axiomatic.webhooks.models import WebhookEvent

    link = world_a.link
    # An event's body is built after the commit that recorded it: run the commit callbacks.
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_admin.post(
            change("practice_clientlink", link.pk),
            _client_form(world_a, client_name="Acme Holdings", client_industry="Retail"),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    link.client.refresh_from_db()
    assert (link.client.name, link.client.industry) == ("Acme Holdings", "Retail")
    from_admin = WebhookEvent.objects.filter(firm=alice.firm, type="client.updated").get()
    assert from_admin.payload["data"]["object"]["entity"]["name"] == "Acme Holdings"

    with django_capture_on_commit_callbacks(execute=True):
        answer = alice.client.patch(
            f"/api/practice/clients/{link.client.public_id}?firmEntityId={alice.firm.public_id}",
            {"name": "Acme Group"},
            format="json",
        )
    assert answer.status_code == 200, answer.content
    from_api = WebhookEvent.objects.filter(firm=alice.firm, type="client.updated").latest("id")
    assert _shape(from_admin.payload) == _shape(from_api.payload)


def test_a_refused_client_edit_shows_the_services_message_and_writes_nothing(
    alice, make_client, world_a, alice_admin
):
    make_client(alice, "Initech", external_reference="INI-1")
    before = full_snapshot()
    response = alice_admin.post(
        change("practice_clientlink", world_a.link.pk),
        _client_form(world_a, client_name="Renamed", external_reference="INI-1"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("externalReference is already used by client") == 1
    assert full_snapshot() == before


def test_entities_are_read_only_for_firm_staff(alice, world_a, alice_admin, bob_admin):
    before = full_snapshot()
    for entity in (world_a.link.client, alice.firm):
        url = change("entities_entity", entity.pk)
        page = alice_admin.get(url)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        data = {"name": "Hijacked", "type": "llc", "industry": "", "currency": "USD"}
        assert alice_admin.post(url, data).status_code == 403
    assert full_snapshot() == before
    viewer = bob_admin.get(change("practice_clientlink", world_a.link.pk))
    assert viewer.status_code == 200 and "Acme" in viewer.content.decode()


# -- what the actions say ----------------------------------------------------------------------------


def test_revoking_says_what_happened_to_each_link(world_a, alice_admin):
    def revoke():
        data = {"action": "revoke", "_selected_action": [world_a.share.pk]}
        page = alice_admin.post(changelist("reports_reportshare"), data, follow=True)
        return page.content.decode()

    first = revoke()
    assert "Revoked 1 share link(s)." in first
    again = revoke()
    assert "1 share link(s) were already revoked." in again
    assert "Revoked 0" not in again and "Revoked 1" not in again


def test_sync_with_stripe_now_queues_the_task_after_commit(
    alice, world_a, alice_admin, settings, django_capture_on_commit_callbacks
):
    settings.STRIPE_SECRET_KEY = ""
    state = StripeSyncState.objects.create(firm=alice.firm, status="synced")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = alice_admin.post(
            changelist("billing_stripesyncstate"),
            {"action": "sync_now", "_selected_action": [state.pk]},
            follow=True,
        )
    assert "Stripe sync queued for 1 firm(s)." in page.content.decode()
    state.refresh_from_db()
    assert state.status == "pending" and len(queued) == 1  # nothing ran before the commit
    queued[0]()
    state.refresh_from_db()
    assert state.status == "not_configured"


def test_sync_with_stripe_now_reports_a_refusal_as_a_message(
    alice, world_a, alice_admin, monkeypatch
):
    from axiomatic.core.errors import ApplicationError

    def refuse(*, firm_id):
        raise ApplicationError("Stripe sync is paused for this firm.")

    monkeypatch.setattr("billing.admin.stripe_sync_pending", refuse)
    state = StripeSyncState.objects.create(firm=alice.firm, status="synced")
    page = alice_admin.post(
        changelist("billing_stripesyncstate"),
        {"action": "sync_now", "_selected_action": [state.pk]},
        follow=True,
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Stripe sync is paused for this firm." in html and "queued" not in html


def test_the_stripe_changelist_shows_a_failed_syncs_status_and_error(alice, world_a, alice_admin):
    StripeSyncState.objects.create(
        firm=alice.firm, status="failed", last_error="card_declined: Your card was declined."
    )
    html = alice_admin.get(changelist("billing_stripesyncstate")).content.decode()
    assert "Failed" in html and "card_declined: Your card was declined." in html


def test_resending_records_who_resent(alice, world_a, alice_admin, monkeypatch):
    import practice.admin.clients
    from practice.services.invitations import invitation_resend

    calls = []

    def spy(**kwargs):
        calls.append(kwargs)
        return invitation_resend(**kwargs)

    monkeypatch.setattr(practice.admin.clients, "invitation_resend", spy)
    alice_admin.post(
        changelist("practice_invitation"),
        {"action": "resend", "_selected_action": [world_a.invitation.pk]},
    )
    assert [c["invited_by"] for c in calls] == [alice.user]


# -- a firm's invoice details, before its first invoice ---------------------------------------------


def test_firm_staff_set_invoice_details_before_the_first_invoice(
    alice, charlie, make_client, alice_admin, bob_admin
):
    from billing.models import FirmBillingProfile

    link = make_client(alice, "Acme", default_rate_cents=10_000)
    entry = time_entry_create_for(alice, link)
    assert not FirmBillingProfile.objects.filter(firm=alice.firm).exists()
    add = reverse("admin:billing_firmbillingprofile_add")
    assert bob_admin.get(add).status_code == 403
    foreign = alice_admin.post(add, {"firm": charlie.firm.pk, "address": "1 Elsewhere"})
    assert foreign.status_code == 200 and "errornote" in foreign.content.decode()
    assert not FirmBillingProfile.objects.filter(firm=charlie.firm).exists()

    response = alice_admin.post(add, {"firm": alice.firm.pk, "address": "12 Ledger Lane"})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = FirmBillingProfile.objects.get(firm=alice.firm)
    assert profile.address == "12 Ledger Lane"
    page = alice_admin.get(change("billing_firmbillingprofile", profile.pk)).content.decode()
    assert 'name="address"' in page and 'name="last_invoice_number"' not in page

    alice_admin.post(
        changelist("practice_timeentry"),
        {"action": "create_invoice", "_selected_action": [entry.pk]},
    )
    invoice = Invoice.objects.get(firm=alice.firm)
    assert invoice.due_date == invoice.issue_date + dt.timedelta(days=30)  # the default terms
    assert FirmBillingProfile.objects.get(firm=alice.firm).last_invoice_number == 1


def time_entry_create_for(persona, link):
    from decimal import Decimal

    from practice.services.time_entries import time_entry_create

    return time_entry_create(
        firm=persona.firm,
        link=link,
        work_date=timezone.localdate(),
        hours=Decimal("1.00"),
        description="Bank reconciliation",
        default_user=persona.user,
    )


# -- deleting, reading the ledger, the dashboard's figures, what a VIEWER is offered -----------------


@pytest.mark.parametrize(
    ("app_model", "pick"),
    [
        ("practice_timeentry", lambda w: w.entries[1]),
        ("billing_invoice", lambda w: w.invoice),
        ("practice_engagement", lambda w: w.engagement),
    ],
)
def test_posting_to_another_firms_delete_url_is_a_404_and_deletes_nothing(
    app_model, pick, world_a, world_b, alice_admin
):
    before = full_snapshot()
    url = reverse(f"admin:{app_model}_delete", args=[pick(world_b).pk])
    assert alice_admin.post(url, {"post": "yes"}).status_code == 404
    assert full_snapshot() == before


def test_a_posted_journal_entry_is_read_only_with_its_lines_inline(world_a, alice_admin):
    import re

    from axiomatic.core.money import format_money
    from axiomatic.ledger.models import JournalEntry

    entry = JournalEntry.objects.get(pk=world_a.invoice.journal_entry_id)
    lines = list(entry.lines.select_related("account").order_by("id"))
    page = alice_admin.get(change("ledger_journalentry", entry.pk))

    html = page.content.decode()
    assert page.status_code == 200 and len(lines) >= 2
    assert 'name="_save"' not in html and 'name="memo"' not in html
    assert 'name="lines-0-debit_cents"' not in html
    cells = [
        (re.sub(r"<[^>]+>|\s", "", debit), re.sub(r"<[^>]+>|\s", "", credit))
        for debit, credit in re.findall(
            r'<td class="field-debit">(.*?)</td>.*?<td class="field-credit">(.*?)</td>',
            html,
            re.S,
        )
    ]

    def money(cents: int) -> str:
        return format_money(cents, entry.entity.currency) if cents else ""

    assert sorted(cells) == sorted((money(ln.debit_cents), money(ln.credit_cents)) for ln in lines)
    for line in lines:
        assert str(line.account) in html
    before = full_snapshot()
    response = alice_admin.post(change("ledger_journalentry", entry.pk), {"memo": "Changed"})
    assert response.status_code == 403
    assert full_snapshot() == before


def test_the_dashboard_shows_the_right_overdue_engagements_and_weekly_hours(
    alice, make_client, alice_admin
):
    import re
    from decimal import Decimal

    from practice.services.engagements import engagement_create, engagement_set_status
    from practice.services.time_entries import time_entry_create

    link = make_client(alice, "Acme", default_rate_cents=10_000)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for day, hours in (
        (today, "2.00"),
        (monday - dt.timedelta(days=1), "3.00"),  # last Sunday: last week
        (monday - dt.timedelta(days=7), "1.25"),  # last Monday: last week too
        (monday - dt.timedelta(weeks=11), "1.50"),  # the first week shown
        (monday - dt.timedelta(weeks=11, days=1), "9.00"),  # before it: not shown
    ):
        time_entry_create(
            firm=alice.firm, link=link, work_date=day, hours=Decimal(hours), default_user=alice.user
        )

    def engagement(name, due_in_days):
        return engagement_create(
            firm=alice.firm,
            client=link.client,
            name=name,
            start_date=today - dt.timedelta(days=60),
            due_date=today + dt.timedelta(days=due_in_days),
            type="bookkeeping",
        )

    engagement("Late close", -3)
    engagement("Soon close", 5)
    engagement("Far close", 20)
    done = engagement("Done close", -10)
    engagement_set_status(firm=alice.firm, public_id=done.public_id, status="completed")

    html = alice_admin.get(reverse("admin:index")).content.decode()

    deadlines = html.split('id="panel-deadlines"', 1)[1].split('id="panel-', 1)[0]
    overdue = re.findall(r'<tr class="overdue">.*?</tr>', deadlines, re.S)
    assert len(overdue) == 1 and "Late close" in overdue[0] and "(overdue)" in overdue[0]
    assert "Soon close" in deadlines
    assert "Far close" not in deadlines and "Done close" not in deadlines

    bars = [Decimal(v) for v in re.findall(r'data-hours="([^"]+)"', html)]
    assert bars == [Decimal("1.50"), *[Decimal(0)] * 9, Decimal("4.25"), Decimal("2.00")]


def _scoped_changelists():
    from django.contrib import admin

    from axiomatic.entities.admin_scope import ScopedAdmin

    return sorted(
        f"{model._meta.app_label}_{model._meta.model_name}"
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ScopedAdmin)
    )


@pytest.mark.parametrize("app_model", _scoped_changelists())
def test_a_viewer_is_offered_no_action_and_no_add_link(app_model, alice, world_a, bob_admin):
    StripeSyncState.objects.create(firm=alice.firm)
    page = bob_admin.get(changelist(app_model))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="action"' not in html
    assert reverse(f"admin:{app_model}_add") not in html  # neither above the list nor in the nav
