"""Journey 2 of issue 20, "Plan the work", in a real browser: a firm admin adds a monthly
bookkeeping engagement from its type's template, sees its tasks with their due dates, sets the
assignee, due date, billing and budget, completes and reopens a task from its row, completes the
engagement and follows the link to the next period's. A member completes a task there; a viewer
reads the plan without buttons and is refused a POST; another firm's admin finds nothing. Each
page is saved as artifacts/screenshots/journey2-*.png and checked by axe-core."""

import re
from decimal import Decimal

import pytest

from axiomatic.entities.models import Role
from practice.models import Engagement
from practice.task_templates import STANDARD_TASKS
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import db_fingerprint

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOOKKEEPING = STANDARD_TASKS["bookkeeping"]


def _with_password(persona):
    persona.user.set_password(PASSWORD)
    persona.user.save(update_fields=["password"])
    return persona


def _autocomplete(page, field: str, typed: str, option: str) -> None:
    page.locator(f"#id_{field}").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option).click()


def _post_as(page, base_url: str, path: str) -> int:
    """POST `path` with the signed-in session and its CSRF token, as a crafted form would."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        f"{base_url}{path}",
        headers={"X-CSRFToken": token, "Referer": f"{base_url}/admin/"},
    )
    return response.status


def test_journey_2_plan_the_work(
    live_server, new_page, alice, bob, charlie, make_client, screenshots
):
    for persona in (alice, bob, charlie):
        _with_password(persona)
    make_client(alice, "Acme Corp")
    make_client(charlie, "Globex Inc")
    mia = UserFactory(email="mia@alpha.test", full_name="Mia Member", is_staff=True)
    MembershipFactory(user=mia, entity=alice.firm, role=Role.MEMBER)
    base = live_server.url

    # --- Alice adds a monthly bookkeeping engagement from its template ---------------------------
    page = new_page()
    admin_login(page, base, alice.user.email)
    page.goto(f"{base}/admin/practice/engagement/add/")
    expect(page.locator("#id_type_helptext")).to_contain_text("Reconcile bank and card accounts")
    _autocomplete(page, "client", "Acme", "Acme Corp")
    page.fill("#id_name", "Acme monthly books")
    page.select_option("#id_type", "bookkeeping")
    page.select_option("#id_recurrence", "monthly")
    page.fill("#id_start_date", "2026-10-01")
    page.fill("#id_due_date", "2026-10-20")
    _autocomplete(page, "assignee", "alice", "alice@alpha.test")
    page.select_option("#id_billing_method", "hourly")
    page.fill("#id_budget_amount_cents", "2,000.00")
    page.fill("#id_budget_hours", "20")
    journey_step(page, screenshots, "journey2-add-engagement")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")

    engagement = Engagement.objects.get(name="Acme monthly books")
    assert (engagement.budget_amount_cents, engagement.budget_hours) == (200_000, Decimal("20"))
    tasks = page.locator("#tasks-group tbody tr.form-row")
    expect(tasks).to_have_count(len(BOOKKEEPING))
    expect(tasks.first).to_contain_text("Reconcile bank and card accounts")
    expect(tasks.first).to_contain_text("2026-10-06")  # due 5 days after the start
    expect(tasks.first).to_contain_text("alice@alpha.test")
    expect(page.locator("#content")).not_to_contain_text(re.compile("cents", re.I))
    journey_step(page, screenshots, "journey2-engagement")

    # --- Alice sets the assignee, due date, billing method and budget ---------------------------
    page.locator("#id_assignee").locator("xpath=following-sibling::span[1]").click()
    page.locator(".select2-search__field").fill("mia")
    page.locator(".select2-results__option", has_text="mia@alpha.test").click()
    page.fill("#id_due_date", "2026-10-25")
    page.select_option("#id_billing_method", "fixed_fee")
    page.fill("#id_fee_cents", "1,500.00")
    page.fill("#id_budget_amount_cents", "2,500.00")
    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    engagement.refresh_from_db()
    assert (engagement.assignee_id, str(engagement.due_date)) == (mia.pk, "2026-10-25")
    assert (engagement.billing_method, engagement.fee_cents) == ("fixed_fee", 150_000)
    assert engagement.budget_amount_cents == 250_000
    expect(page.locator("#id_fee_cents")).to_have_value("1,500.00")
    journey_step(page, screenshots, "journey2-engagement-edited")

    # --- Complete a task from its row with the keyboard, then reopen it --------------------------
    first = BOOKKEEPING[0].title
    page.get_by_role("button", name=f"Complete task {first}").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text(f"Completed “{first}”.")
    expect(tasks.first).to_contain_text("Done")
    journey_step(page, screenshots, "journey2-task-completed")
    page.get_by_role("button", name=f"Reopen task {first}").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Reopened “{first}”.")
    expect(tasks.first).to_contain_text("Open")
    assert engagement.tasks.filter(completed_at__isnull=False).count() == 0

    # --- Complete the engagement and follow the link to the next period -------------------------
    page.get_by_role("button", name="Complete engagement").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Next period: Acme monthly books (2026-11)"
    )
    expect(page.locator("#plan-status")).to_have_text("Completed")
    journey_step(page, screenshots, "journey2-engagement-completed")
    page.get_by_role("link", name="Next period: Acme monthly books (2026-11)").click()
    following = Engagement.objects.get(series_id=engagement.series_id, occurrence=1)
    expect(page).to_have_url(re.compile(rf"/admin/practice/engagement/{following.pk}/change/"))
    expect(page.locator("#plan-status")).to_have_text("Active")
    expect(page.locator("#tasks-group tbody tr.form-row")).to_have_count(len(BOOKKEEPING))
    expect(page.get_by_role("link", name=re.compile("Previous period: .*2026-10"))).to_be_visible()
    assert following.fee_cents == 150_000 and following.assignee_id == mia.pk
    journey_step(page, screenshots, "journey2-next-period")
    following_url = page.url

    # --- Mia (MEMBER) completes a task of the next period, as the API lets her -----------------
    mia.set_password(PASSWORD)
    mia.save(update_fields=["password"])
    member = new_page()
    admin_login(member, base, mia.email)
    member.goto(following_url)
    member.get_by_role("button", name=f"Complete task {first}").click()
    expect(member.locator(".messagelist")).to_contain_text(f"Completed “{first}”.")
    journey_step(member, screenshots, "journey2-member")

    # --- Bob (VIEWER) reads it without buttons; a POST is refused -------------------------------
    viewer = new_page()
    admin_login(viewer, base, bob.user.email)
    viewer.goto(following_url)
    expect(viewer.locator("#tasks-group")).to_contain_text(BOOKKEEPING[1].title)
    expect(viewer.locator("#content")).to_contain_text("$1,500.00")
    expect(viewer.locator(".plan-task-button")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Complete engagement")).to_have_count(0)
    journey_step(viewer, screenshots, "journey2-viewer")
    task = following.tasks.order_by("position")[1]
    before = db_fingerprint()
    for path in (
        f"/admin/practice/engagement/{following.pk}/tasks/{task.public_id}/complete/",
        f"/admin/practice/engagement/{following.pk}/complete/",
    ):
        assert _post_as(viewer, base, path) == 403
    assert db_fingerprint() == before

    # --- Charlie (another firm) finds nothing, and changes nothing ------------------------------
    other = new_page()
    admin_login(other, base, charlie.user.email)
    response = other.goto(following_url)
    assert response.status == 404
    other.goto(f"{base}/admin/practice/engagement/")
    expect(other.locator("#content")).not_to_contain_text("Acme monthly books")
    for path in (
        f"/admin/practice/engagement/{following.pk}/tasks/{task.public_id}/complete/",
        f"/admin/practice/engagement/{following.pk}/complete/",
        f"/admin/practice/task/{task.pk}/change/",
    ):
        assert _post_as(other, base, path) == 404
    assert db_fingerprint() == before
