"""Planning the work in the admin (issue 20, journey 2): an engagement added from its type's
template, its tasks inline with their due dates and assignees, completed and reopened a row at a
time through the task service; a recurring engagement completed and linked to its next period.
Viewers read, members and admins write (the API's roles), another firm's staff get the same
not-found as an unknown id, and nothing changes on a refused request."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from axiomatic.entities.models import Role
from practice.models import Engagement, Task
from practice.services.engagements import engagement_create
from practice.task_templates import STANDARD_TASKS
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = pytest.mark.django_db

ADD = reverse("admin:practice_engagement_add")


def change_url(engagement) -> str:
    return reverse("admin:practice_engagement_change", args=[engagement.pk])


def task_url(task, action: str) -> str:
    return reverse(
        f"admin:practice_engagement_task_{action}", args=[task.engagement_id, task.public_id]
    )


def status_url(engagement, action: str) -> str:
    return reverse(f"admin:practice_engagement_{action}", args=[engagement.pk])


def monthly(persona, link, name="Monthly books", **kw) -> Engagement:
    return engagement_create(
        firm=persona.firm,
        client=link.client,
        name=name,
        start_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 20),
        type="bookkeeping",
        recurrence="monthly",
        assignee=persona.user,
        **kw,
    )


@pytest.fixture
def member(alice):
    user = UserFactory(email="mia@alpha.test", is_staff=True)
    MembershipFactory(user=user, entity=alice.firm, role=Role.MEMBER)
    return user


@pytest.fixture
def member_admin(member) -> Client:
    client = Client()
    client.force_login(member)
    return client


def add_data(persona, link, **overrides) -> dict:
    data = {
        "firm": persona.firm.pk,
        "client": link.client.pk,
        "name": "Monthly books",
        "type": "bookkeeping",
        "recurrence": "monthly",
        "start_date": "2026-10-01",
        "due_date": "2026-10-20",
        "assignee": persona.user.pk,
        "notes": "",
        "billing_method": "fixed_fee",
        "rate_cents": "",
        "fee_cents": "1,250.00",
        "budget_hours": "12.5",
        "budget_amount_cents": "",
    }
    data.update(overrides)
    return data


def edit_data(engagement, **overrides) -> dict:
    """What the change form posts (its tasks inline are read-only for staff)."""
    tasks = str(engagement.tasks.count())
    data = {
        "tasks-TOTAL_FORMS": tasks,
        "tasks-INITIAL_FORMS": tasks,
        "name": engagement.name,
        "due_date": engagement.due_date.isoformat() if engagement.due_date else "",
        "assignee": engagement.assignee_id or "",
        "notes": engagement.notes,
        "billing_method": engagement.billing_method,
        "rate_cents": "",
        "fee_cents": "",
        "budget_hours": "",
        "budget_amount_cents": "",
    }
    data.update(overrides)
    return data


# --- Creating from the template -----------------------------------------------------------------


def test_the_add_form_says_tasks_come_from_the_types_template(alice_admin):
    html = alice_admin.get(ADD).content.decode()
    assert "template tasks" in html
    for tasks in STANDARD_TASKS.values():
        for task in tasks:
            assert task.title in html
    assert "Reconcile bank and card accounts (day 5)" in html
    assert "Fixed fee" in html and "Budget (amount)" in html and "Budget (hours)" in html
    assert "cents" not in html.lower().replace("_cents", "")
    assert 'id="tasks-group"' not in html  # no tasks typed on the add form


def test_an_engagement_added_gets_its_template_tasks_with_due_dates(alice, acme, alice_admin):
    response = alice_admin.post(ADD, add_data(alice, acme))
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = Engagement.objects.get(name="Monthly books")
    assert (engagement.fee_cents, engagement.budget_hours) == (125_000, Decimal("12.50"))
    assert engagement.period_key == "2026-10"
    tasks = list(engagement.tasks.order_by("position"))
    expected = STANDARD_TASKS["bookkeeping"]
    assert [t.title for t in tasks] == [t.title for t in expected]
    assert [t.due_date for t in tasks] == [
        dt.date(2026, 10, 1) + dt.timedelta(days=t.due_after_days) for t in expected
    ]
    assert {t.assignee_id for t in tasks} == {alice.user.pk}

    html = alice_admin.get(change_url(engagement)).content.decode()
    for task in tasks:
        assert task.title in html
    assert "2026-10-06" in html  # the first task's due date (day 5)
    assert "$1,250.00" in html or 'value="1,250.00"' in html
    assert "cents" not in html.lower().replace("_cents", "")


def test_the_add_form_offers_the_only_firm(alice_admin, alice):
    html = alice_admin.get(ADD).content.decode()
    assert f'<option value="{alice.firm.pk}" selected>' in html


def test_a_refused_add_shows_on_the_form_and_writes_nothing(alice, acme, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(ADD, add_data(alice, acme, fee_cents=""))
    assert response.status_code == 200
    assert "Required for a fixed_fee engagement" in response.content.decode()
    assert db_fingerprint() == before


def test_junk_amounts_are_a_form_error(alice, acme, alice_admin):
    before = db_fingerprint()
    response = alice_admin.post(ADD, add_data(alice, acme, fee_cents="twelve"))
    assert response.status_code == 200
    assert "Enter an amount like 1,234.56." in response.content.decode()
    assert db_fingerprint() == before


# --- Editing through engagement_update ----------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "check"),
    [
        ("assignee", "member", lambda e, m: e.assignee_id == m.pk),
        ("due_date", "2026-10-25", lambda e, m: e.due_date == dt.date(2026, 10, 25)),
        ("billing_method", "non_billable", lambda e, m: e.billing_method == "non_billable"),
        ("budget_amount_cents", "2,000.00", lambda e, m: e.budget_amount_cents == 200_000),
        ("budget_hours", "7.25", lambda e, m: e.budget_hours == Decimal("7.25")),
    ],
)
def test_each_plan_field_is_edited_through_the_service(
    alice, acme, alice_admin, member, field, value, check
):
    engagement = monthly(alice, acme)
    value = member.pk if value == "member" else value
    response = alice_admin.post(change_url(engagement), edit_data(engagement, **{field: value}))
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement.refresh_from_db()
    assert check(engagement, member)
    assert engagement.history.count() >= 2  # recorded as the API's change is


def test_a_due_date_before_the_start_is_refused_on_the_form(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    before = db_fingerprint()
    response = alice_admin.post(
        change_url(engagement), edit_data(engagement, due_date="2026-09-01")
    )
    assert response.status_code == 200
    assert "Must not be before startDate." in response.content.decode()
    assert db_fingerprint() == before


def test_an_assignee_outside_the_firm_is_refused(alice, charlie, acme, alice_admin):
    engagement = monthly(alice, acme)
    before = db_fingerprint()
    response = alice_admin.post(
        change_url(engagement), edit_data(engagement, assignee=charlie.user.pk)
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert db_fingerprint() == before


# --- Tasks completed and reopened inline --------------------------------------------------------


def test_a_task_is_completed_and_reopened_from_its_row(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    task = engagement.tasks.order_by("position").first()
    html = alice_admin.get(change_url(engagement)).content.decode()
    assert f'formaction="{task_url(task, "complete")}"' in html
    assert 'form="engagement-actions"' in html and 'id="engagement-actions"' in html

    response = alice_admin.post(task_url(task, "complete"), follow=True)
    task.refresh_from_db()
    assert task.completed_at is not None
    html = response.content.decode()
    assert f"Completed “{task.title}”." in html
    assert f'formaction="{task_url(task, "reopen")}"' in html

    response = alice_admin.post(task_url(task, "reopen"), follow=True)
    task.refresh_from_db()
    assert task.completed_at is None
    assert f"Reopened “{task.title}”." in response.content.decode()


def test_a_get_on_a_button_changes_nothing(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    task = engagement.tasks.first()
    before = db_fingerprint()
    assert alice_admin.get(task_url(task, "complete")).status_code == 405
    assert alice_admin.get(status_url(engagement, "complete")).status_code == 405
    assert db_fingerprint() == before


def test_completing_the_last_task_completes_and_plans_the_next_period(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    *rest, last = engagement.tasks.order_by("position")
    for task in rest:
        alice_admin.post(task_url(task, "complete"))
    response = alice_admin.post(task_url(last, "complete"), follow=True)
    engagement.refresh_from_db()
    assert engagement.status == "completed"
    following = Engagement.objects.get(series_id=engagement.series_id, occurrence=1)
    html = response.content.decode()
    assert "The engagement is completed. Next period: Monthly books (2026-11) is planned." in html
    assert f'href="{change_url(following)}"' in html


def test_a_cancelled_engagements_task_is_refused_with_a_message(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    alice_admin.post(
        reverse("admin:practice_engagement_changelist"),
        {"action": "cancel", "_selected_action": [engagement.pk]},
    )
    task = engagement.tasks.first()
    before = db_fingerprint()
    response = alice_admin.post(task_url(task, "complete"), follow=True)
    assert "The engagement is cancelled" in response.content.decode()
    assert db_fingerprint() == before


# --- A recurring engagement and its next period -------------------------------------------------


def test_completing_a_recurring_engagement_links_the_two_periods(alice, acme, alice_admin):
    engagement = monthly(alice, acme)
    html = alice_admin.get(change_url(engagement)).content.decode()
    assert "Complete engagement" in html and "Next period" not in html

    response = alice_admin.post(status_url(engagement, "complete"), follow=True)
    following = Engagement.objects.get(series_id=engagement.series_id, occurrence=1)
    assert (following.period_key, following.start_date) == ("2026-11", dt.date(2026, 11, 1))
    assert following.due_date == dt.date(2026, 11, 20)
    assert following.tasks.count() == len(STANDARD_TASKS["bookkeeping"])
    html = response.content.decode()
    assert f'href="{change_url(following)}">Next period: Monthly books (2026-11)</a>' in html
    assert "Reopen engagement" in html

    back = alice_admin.get(change_url(following)).content.decode()
    assert f'href="{change_url(engagement)}">Previous period: Monthly books (2026-10)</a>' in back

    # Completing it again (reopened, then completed) plans nothing more: one next period.
    alice_admin.post(status_url(engagement, "reopen"))
    alice_admin.post(status_url(engagement, "complete"))
    assert Engagement.objects.filter(series_id=engagement.series_id).count() == 2


# --- Roles and firms ----------------------------------------------------------------------------


def test_a_viewer_reads_the_plan_without_buttons_and_is_refused(alice, acme, bob_admin):
    engagement = monthly(alice, acme, billing_method="fixed_fee", fee_cents=90_000)
    task = engagement.tasks.first()
    html = bob_admin.get(change_url(engagement)).content.decode()
    assert task.title in html and "Fixed fee" in html and "$900.00" in html
    assert "formaction" not in html and "Complete engagement" not in html
    assert "cents" not in html.lower().replace("_cents", "")
    before = db_fingerprint()
    for url in (
        task_url(task, "complete"),
        task_url(task, "reopen"),
        status_url(engagement, "complete"),
        status_url(engagement, "reopen"),
    ):
        assert bob_admin.post(url).status_code == 403
    assert bob_admin.get(ADD).status_code == 403
    assert db_fingerprint() == before


def test_a_member_plans_the_work_as_the_api_lets_them(alice, acme, member, member_admin):
    response = member_admin.post(ADD, add_data(alice, acme, assignee=member.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    engagement = Engagement.objects.get(name="Monthly books")
    task = engagement.tasks.order_by("position").first()
    assert task.assignee_id == member.pk
    member_admin.post(task_url(task, "complete"))
    task.refresh_from_db()
    assert task.completed_at is not None
    response = member_admin.post(
        change_url(engagement), edit_data(engagement, fee_cents="1,250.00", budget_hours="3")
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.budget_hours == Decimal("3.00")


def test_another_firm_gets_not_found_and_changes_nothing(
    alice, acme, charlie, globex, charlie_admin
):
    engagement = monthly(alice, acme)
    task = engagement.tasks.first()
    theirs = monthly(charlie, globex, name="Globex books")
    before = db_fingerprint()
    assert charlie_admin.get(change_url(engagement)).status_code == 404
    for url in (
        task_url(task, "complete"),
        status_url(engagement, "complete"),
        # Charlie's own engagement with Alice's task in the path: as unknown as any other id.
        reverse("admin:practice_engagement_task_complete", args=[theirs.pk, task.public_id]),
        reverse("admin:practice_task_change", args=[task.pk]),
    ):
        assert charlie_admin.post(url).status_code == 404, url
    assert db_fingerprint() == before


@pytest.mark.parametrize(
    "path",
    [
        "999999/tasks/tsk_nothing/complete/",
        "junk/tasks/tsk_nothing/reopen/",
        "junk/complete/",
        "999999/reopen/",
    ],
)
def test_junk_ids_are_not_found(alice_admin, path):
    url = reverse("admin:practice_engagement_changelist") + path
    assert alice_admin.post(url).status_code == 404


def test_a_task_of_another_engagement_of_the_firm_is_not_found(alice, acme, alice_admin):
    one, other = monthly(alice, acme), monthly(alice, acme, name="Other")
    task = other.tasks.first()
    url = reverse("admin:practice_engagement_task_complete", args=[one.pk, task.public_id])
    before = db_fingerprint()
    assert alice_admin.post(url).status_code == 404
    assert db_fingerprint() == before


# --- Query counts -------------------------------------------------------------------------------


def test_the_change_page_takes_the_same_queries_however_many_tasks(alice, acme, alice_admin):
    def queries(engagement) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert alice_admin.get(change_url(engagement)).status_code == 200
        return len(captured)

    few = monthly(alice, acme, name="Few")
    Task.objects.filter(engagement=few).exclude(position__in=(1, 2)).delete()
    many = monthly(alice, acme, name="Many")
    Task.objects.bulk_create(
        Task(engagement=many, title=f"Extra {n}", position=10 + n, assignee=alice.user)
        for n in range(15)
    )
    assert (few.tasks.count(), many.tasks.count()) == (2, 20)
    assert queries(many) == queries(few)
