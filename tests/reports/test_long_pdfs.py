"""Long statement PDFs are rendered by a task and delivered through a share link."""

import datetime as dt
import io

import pytest
from django.test import Client
from pypdf import PdfReader

from axiomatic.ledger.models import Account, AccountType
from axiomatic.ledger.services import journal_entry_post
from reports.documents import document_failed, estimated_pages
from reports.models import ReportDocument, ReportShare
from reports.rendering import render_pdf
from reports.statements import build_statement
from tests.helpers import assert_error, db_snapshot

pytestmark = pytest.mark.django_db

PDF = "/api/reports/pdf"


def _params(persona) -> dict:
    return {
        "entityId": persona.firm.public_id,
        "bookId": persona.gl.public_id,
        "report": "trial_balance",
        "from": "2026-01-01",
        "to": "2026-12-31",
        "format": "pdf",
    }


def _many_accounts(persona, count: int) -> None:
    """`count` expense accounts, each with a balance, paid from the first cash account."""
    cash = Account.objects.filter(entity=persona.firm, type=AccountType.ASSET).order_by("code")[0]
    made = Account.objects.bulk_create(
        Account(
            entity=persona.firm,
            code=f"9{n:04d}",
            name=f"Expense line {n}",
            type=AccountType.EXPENSE,
            subtype="operating_expense",
        )
        for n in range(count)
    )
    lines = [{"account_id": a.public_id, "debit": 100} for a in made]
    lines.append({"account_id": cash.public_id, "credit": 100 * count})
    journal_entry_post(
        entity=persona.firm,
        book_id=persona.gl.public_id,
        date=dt.date(2026, 3, 1),
        memo="Many accounts",
        lines=lines,
    )


@pytest.mark.parametrize("extra_accounts", [0, 150])
def test_the_page_estimate_is_never_below_the_real_count(alice, extra_accounts):
    if extra_accounts:
        _many_accounts(alice, extra_accounts)
    statement = build_statement(
        report="trial_balance",
        book=alice.gl,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 12, 31),
    )
    pages = len(PdfReader(io.BytesIO(render_pdf(statement))).pages)
    assert pages <= estimated_pages(statement) <= pages + 2


@pytest.mark.parametrize("accounts, lines", [(1, 120), (40, 1)])
def test_the_general_ledgers_page_estimate_is_never_below_the_real_count(alice, accounts, lines):
    """One account with many lines (its rows run across pages), or many accounts with one each
    (a heading, the opening and the closing row per account)."""
    made = Account.objects.bulk_create(
        Account(
            entity=alice.firm,
            code=f"9{n:04d}",
            name=f"Expense line {n}",
            type=AccountType.EXPENSE,
            subtype="operating_expense",
        )
        for n in range(accounts)
    )
    body = [{"account_id": a.public_id, "debit": 100} for a in made for _ in range(lines)]
    body.append({"account_id": alice.account("1000").public_id, "credit": 100 * len(body)})
    journal_entry_post(
        entity=alice.firm,
        book_id=alice.gl.public_id,
        date=dt.date(2026, 3, 1),
        memo="Many lines",
        lines=body,
    )
    statement = build_statement(
        report="general_ledger",
        book=alice.gl,
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 12, 31),
    )
    pages = len(PdfReader(io.BytesIO(render_pdf(statement))).pages)
    assert pages > 1
    assert pages <= estimated_pages(statement) <= pages + 2


def test_a_long_pdf_is_rendered_in_the_background_and_served_by_its_link(
    alice, settings, django_capture_on_commit_callbacks
):
    settings.MAX_INLINE_PDF_PAGES = 0  # every PDF counts as long
    with django_capture_on_commit_callbacks(execute=True):
        response = alice.client.get(PDF, _params(alice))

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "rendering" and body["estimatedPages"] >= 1
    document = ReportDocument.objects.get(share__public_id=body["link"]["id"])
    assert document.status == "ready"

    visitor = Client()
    token_path = "/api/reports/share/" + body["shareUrl"].rsplit("/", 1)[1]
    opened = visitor.get(token_path, follow=True)
    assert opened.status_code == 200
    assert opened["Content-Type"] == "application/pdf"
    assert opened.content.startswith(b"%PDF")


def test_until_it_is_ready_the_link_says_so(alice, settings):
    settings.MAX_INLINE_PDF_PAGES = 0
    response = alice.client.get(PDF, _params(alice))  # the task is queued after commit: not yet
    body = response.json()

    page = Client().get("/api/reports/share/" + body["shareUrl"].rsplit("/", 1)[1], follow=True)

    assert page.status_code == 202
    assert page["Retry-After"] == "15"
    assert "being prepared" in page.content.decode()

    document_failed(document_id=ReportDocument.objects.get().pk, error="boom")
    again = Client().get("/api/reports/share/" + body["shareUrl"].rsplit("/", 1)[1], follow=True)
    assert again.status_code == 503
    assert "could not be prepared" in again.content.decode()


def test_a_viewer_cannot_start_a_long_pdf(bob, settings):
    settings.MAX_INLINE_PDF_PAGES = 0
    before = db_snapshot()
    assert_error(bob.client.get(PDF, _params(bob)), 403, "permission_denied")
    assert db_snapshot() == before
    assert not ReportShare.objects.exists()


def test_short_pdfs_still_come_inline(alice):
    response = alice.client.get(PDF, _params(alice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert not ReportDocument.objects.exists()
