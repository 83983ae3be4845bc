"""The share page serves a long PDF's document without building the statement again.

A link made for a long PDF has a ReportDocument, rendered once by a task. Opening the link serves
that document (or says it is still being prepared); the statement, one grouped query over the
whole ledger, is built only for a link without a document. The statement builder is replaced by
one that fails, so a page that builds it cannot pass; the last test shows the replacement does
reach the page.
"""

import pytest
from django.test import Client

from reports import statements
from reports.models import ReportDocument

pytestmark = pytest.mark.django_db

PDF = "/api/reports/pdf"
SHARES = "/api/reports/share"


class StatementBuilt(Exception):
    pass


def _refuse(**kwargs):
    raise StatementBuilt(kwargs["report"])


def _long_pdf_link(persona, settings) -> str:
    """The path that opens the share link of a long trial balance PDF (its task not yet run)."""
    settings.MAX_INLINE_PDF_PAGES = 0  # every PDF counts as long
    response = persona.client.get(
        PDF,
        {
            "entityId": persona.firm.public_id,
            "bookId": persona.gl.public_id,
            "report": "trial_balance",
            "from": "2026-01-01",
            "to": "2026-12-31",
            "format": "pdf",
        },
    )
    assert response.status_code == 202, response.content
    return f"{SHARES}/" + response.json()["shareUrl"].rsplit("/", 1)[1]


def test_a_rendered_pdf_is_served_without_building_the_statement(
    alice, settings, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):  # the task renders the document
        link = _long_pdf_link(alice, settings)
    assert ReportDocument.objects.get().status == ReportDocument.Status.READY
    monkeypatch.setattr(statements, "build_statement", _refuse)  # not before: the task builds one

    page = Client().get(link, follow=True)

    assert page.status_code == 200
    assert page["Content-Type"] == "application/pdf"
    assert page.content == bytes(ReportDocument.objects.get().pdf)


def test_a_pdf_being_rendered_is_announced_without_building_the_statement(
    alice, settings, monkeypatch
):
    link = _long_pdf_link(alice, settings)  # the task is queued after commit: not yet run
    assert ReportDocument.objects.get().status == ReportDocument.Status.PENDING
    monkeypatch.setattr(statements, "build_statement", _refuse)

    page = Client().get(link, follow=True)

    assert page.status_code == 202
    assert "being prepared" in page.content.decode()


def test_a_link_without_a_document_builds_its_statement(alice, monkeypatch):
    created = alice.client.post(
        SHARES,
        {
            "entityId": alice.firm.public_id,
            "reportType": "balance_sheet",
            "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    link = f"{SHARES}/" + created.json()["shareUrl"].rsplit("/", 1)[1]
    monkeypatch.setattr(statements, "build_statement", _refuse)

    with pytest.raises(StatementBuilt, match="balance_sheet"):
        Client().get(link, follow=True)


def test_the_report_page_answers_get_and_head_and_refuses_a_post(alice):
    created = alice.client.post(
        SHARES,
        {
            "entityId": alice.firm.public_id,
            "reportType": "balance_sheet",
            "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    opened = Client().get(f"{SHARES}/" + created.json()["shareUrl"].rsplit("/", 1)[1])
    assert opened.status_code == 302
    page = opened["Location"]

    assert Client().post(page).status_code == 405
    assert Client().head(page).status_code == 200
    assert Client().get(page).status_code == 200
