"""Journey 6 (issue 20), "Report", in a real browser: Alice picks Acme Corp, its General Ledger, the
income statement for 2026-01-01..2026-06-30 against the previous year, views it, downloads its PDF
and XLSX, creates a share link and copies it; someone without an account opens the link; Alice
sees the open on the link's page, revokes it, and the link then answers that it was withdrawn.
Screenshots: artifacts/screenshots/journey6-*.png."""

import datetime as dt
from pathlib import Path

import pytest

from axiomatic.ledger.models import Account, Book
from axiomatic.ledger.services import JournalEntryDraft
from reports.models import ReportShare
from tests.browser.helpers import PASSWORD, admin_login, expect, journey_step

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def post(book, day, debit, credit, cents, memo):
    accounts = {a.code: a for a in Account.objects.filter(entity=book.entity)}
    JournalEntryDraft(book=book, date=day, memo=memo).debit(accounts[debit], cents).credit(
        accounts[credit], cents
    ).post()


@pytest.fixture
def acme_ledger(acme):
    gl = Book.objects.get(entity=acme.client, is_primary=True)
    post(gl, dt.date(2025, 5, 10), "1100", "4000", 150_000, "Invoice 2025")
    post(gl, dt.date(2026, 2, 10), "1100", "4000", 250_000, "Invoice 2026")
    post(gl, dt.date(2026, 5, 31), "6000", "1000", 120_050, "May rent")
    return gl


def test_journey6_view_download_share_copy_open_and_revoke_a_statement(
    live_server, new_page, alice, acme, acme_ledger, screenshots, settings
):
    settings.SITE_URL = live_server.url  # the link the page shows points at this test server
    alice.user.set_password(PASSWORD)
    alice.user.save(update_fields=["password"])
    page = new_page()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    admin_login(page, live_server.url, alice.user.email)

    page.locator("#workplace-nav").get_by_role("link", name="Statements").click()
    expect(page.get_by_role("heading", name="Statements")).to_be_visible()
    journey_step(page, screenshots, "journey6-statements")

    page.locator("#id_entity").select_option(label="Acme Corp")
    page.locator("#id_book").select_option(value=acme_ledger.public_id)
    page.locator("#id_report").select_option(label="Income statement")
    page.locator("#id_date_from").fill("2026-01-01")
    page.locator("#id_date_to").fill("2026-06-30")
    page.locator("#id_compare").select_option(label="Previous year")
    page.get_by_role("button", name="Show").click()
    table = page.locator("#statement-table")
    expect(table).to_contain_text("Service Revenue")
    expect(table).to_contain_text("2,500.00")
    expect(table).to_contain_text("1,500.00")  # the previous year beside it
    journey_step(page, screenshots, "journey6-income-statement")

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = pdf_download.value
    assert pdf.suggested_filename.endswith(".pdf")
    assert Path(pdf.path()).read_bytes()[:5] == b"%PDF-"
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX").click()
    xlsx = xlsx_download.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    assert Path(xlsx.path()).read_bytes()[:2] == b"PK"  # a zip, as every XLSX is

    page.locator("#id_share-expires_in_days").select_option(label="30 days")
    page.get_by_role("button", name="Create share link").click()
    link = page.locator("#share-url")
    url = link.input_value()
    assert url.startswith(live_server.url) and "/tok_" in url
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator("#share-copy-status")).to_have_text("Link copied.")
    assert page.evaluate("() => navigator.clipboard.readText()") == url
    journey_step(page, screenshots, "journey6-share-created")
    share = ReportShare.objects.get()
    assert share.report_type == "income_statement" and share.compare == "previous_year"

    # Someone the link was sent to, without an account, opens it.
    visitor = new_page()
    visitor.goto(url)
    expect(visitor.locator("body")).to_contain_text("Acme Corp")
    expect(visitor.locator("body")).to_contain_text("2,500.00")
    journey_step(visitor, screenshots, "journey6-shared-statement")

    page.get_by_role("link", name="See this link's opens, or revoke it").click()
    expect(page.locator(".field-state")).to_contain_text("Live")
    expect(page.locator(".field-opens")).to_contain_text("1")
    expect(page.locator("table.share-opens tbody tr")).to_have_count(1)
    journey_step(page, screenshots, "journey6-share-opens")

    page.get_by_role("button", name="Revoke link").click()
    expect(page.locator(".messagelist")).to_contain_text("Share link revoked")
    expect(page.locator(".field-state")).to_contain_text("Revoked")
    expect(page.get_by_role("button", name="Revoke link")).to_have_count(0)
    journey_step(page, screenshots, "journey6-share-revoked")

    page.get_by_role("link", name="Report shares").first.click()
    expect(page.locator("#result_list")).to_contain_text(share.public_id)
    expect(page.locator("#result_list")).to_contain_text("Revoked")
    journey_step(page, screenshots, "journey6-share-list")

    response = visitor.goto(url)
    assert response.status == 410
    expect(visitor.locator("h1")).to_contain_text("This report link was withdrawn")
    journey_step(visitor, screenshots, "journey6-share-withdrawn")
