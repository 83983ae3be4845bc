"""Explicit paths without trailing slashes, exactly as the API contract writes them (ADR 0002)."""

from django.urls import path

from axiomatic.ledger import views

urlpatterns = [
    path("books", views.BookViewSet.as_view({"get": "list"}), name="ledger-books"),
    path("accounts", views.AccountViewSet.as_view({"get": "list"}), name="ledger-accounts"),
    path(
        "journal-entries",
        views.JournalEntryViewSet.as_view({"get": "list", "post": "create"}),
        name="ledger-journal-entries",
    ),
    path(
        "journal-entries/<str:journal_entry_id>",
        views.JournalEntryDetailViewSet.as_view({"get": "retrieve"}),
        name="ledger-journal-entry",
    ),
    path(
        "settings",
        views.LedgerSettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="ledger-settings",
    ),
]
