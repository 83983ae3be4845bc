"""The ledger API: books, chart of accounts, journal entries, the ledger's settings."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from axiomatic.api.access import entity_for_request
from axiomatic.api.pagination import keyset_pagination
from axiomatic.api.schema import error_responses
from axiomatic.api.serializers import renamed
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import NotFoundError
from axiomatic.ledger import schema_examples as examples
from axiomatic.ledger import selectors, services
from axiomatic.ledger.serializers import (
    AccountPageSerializer,
    AccountSerializer,
    BookPageSerializer,
    BookSerializer,
    EntityQuerySerializer,
    JournalEntryEnvelopeSerializer,
    JournalEntryInputSerializer,
    JournalEntryPageSerializer,
    JournalEntryQuerySerializer,
    JournalEntrySerializer,
    LedgerSettingsEnvelopeSerializer,
    LedgerSettingsSerializer,
    LedgerSettingsUpdateSerializer,
)

READ_ERRORS = error_responses(400, 401, 403, 404)


class BookViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = EntityQuerySerializer
    serializer_class = BookSerializer
    pagination_class = keyset_pagination("books", ("id",))

    def get_queryset(self):
        access = entity_for_request(self.request, self.query["entityId"])
        return selectors.book_list(entity=access.entity)

    @extend_schema(
        operation_id="ledger_books_list",
        summary="List an entity's books",
        description=(
            "An entity's books (the General Ledger and the Tax book by default), oldest first. "
            "`entityId` names the firm itself or one of its active clients."
        ),
        examples=examples.BOOKS,
        parameters=[EntityQuerySerializer],
        responses={200: BookPageSerializer, **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class AccountViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = EntityQuerySerializer
    serializer_class = AccountSerializer
    pagination_class = keyset_pagination("accounts", ("code", "id"))

    def get_queryset(self):
        access = entity_for_request(self.request, self.query["entityId"])
        return selectors.account_list(entity=access.entity)

    @extend_schema(
        operation_id="ledger_accounts_list",
        summary="List an entity's chart of accounts",
        description=(
            "The entity's chart of accounts in code order, inactive accounts included. Every "
            "account has a `type` (asset, liability, equity, revenue, expense), a `subtype` naming"
            " its role, and the cash-flow section its movements show in."
        ),
        examples=examples.ACCOUNTS,
        parameters=[EntityQuerySerializer],
        responses={200: AccountPageSerializer, **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class JournalEntryViewSet(mixins.ListModelMixin, ApiViewSet):
    query_serializer_class = JournalEntryQuerySerializer
    serializer_class = JournalEntrySerializer
    pagination_class = keyset_pagination("journalEntries", ("date", "id"))

    def get_queryset(self):
        query = self.query
        access = entity_for_request(self.request, query["entityId"])
        book = None
        if "bookId" in query:
            book = selectors.book_get(entity=access.entity, public_id=query["bookId"])
            if book is None:
                raise NotFoundError()
        return selectors.journal_entry_list(
            entity=access.entity, book=book, date_from=query.get("from"), date_to=query.get("to")
        )

    @extend_schema(
        operation_id="ledger_journal_entries_list",
        summary="List journal entries with their lines",
        description=(
            "Journal entries of the entity, oldest first (by date, then as posted), each with its "
            "lines and their accounts. Filter by `bookId` and a `from`..`to` range of entry dates;"
            " another entity's book is the 404 of an unknown one."
        ),
        examples=examples.JOURNAL_ENTRIES,
        parameters=[JournalEntryQuerySerializer],
        responses={200: JournalEntryPageSerializer, **READ_ERRORS},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        operation_id="ledger_journal_entries_create",
        summary="Post a balanced journal entry",
        description=(
            "Posts a manual entry: two lines or more, each one side (a positive `debit` or a "
            "positive `credit`, in cents), debits equal to credits, accounts of the entity's "
            "chart. Dated after the lock date (409 `period_locked` otherwise). Numbered JE-000001,"
            " per entity, without gaps."
        ),
        examples=examples.JOURNAL_ENTRY_POST,
        request=JournalEntryInputSerializer,
        responses={201: JournalEntryEnvelopeSerializer, **READ_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        data = self.body(JournalEntryInputSerializer)
        access = entity_for_request(request, data["entityId"], write=True)
        entry = services.journal_entry_post(
            entity=access.entity,
            book_id=data["bookId"],
            date=data["date"],
            memo=data["memo"],
            lines=[
                {
                    "account_id": line["accountId"],
                    "debit": line["debit"],
                    "credit": line["credit"],
                    "description": line["description"],
                }
                for line in data["lines"]
            ],
            created_by=access.actor,
        )
        entry = selectors.journal_entry_with_lines(entry_id=entry.pk)
        return Response(
            {"journalEntry": JournalEntrySerializer(entry).data}, status=status.HTTP_201_CREATED
        )


class JournalEntryDetailViewSet(ApiViewSet):
    query_serializer_class = EntityQuerySerializer

    @extend_schema(
        operation_id="ledger_journal_entries_get",
        summary="One journal entry with its lines",
        description=(
            "The entry as the list shows it, with its lines. `entityId` is required as for the "
            "list and names the entity whose books hold the entry: another entity's entry, another"
            " firm's and an unknown id are the same 404."
        ),
        examples=examples.JOURNAL_ENTRY_GET,
        parameters=[EntityQuerySerializer],
        responses={200: JournalEntryEnvelopeSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, journal_entry_id: str):
        journal_entry_id = self.path_id(journal_entry_id, "je", "journalEntryId")
        access = entity_for_request(request, self.query["entityId"])
        entry = selectors.journal_entry_find(entity=access.entity, public_id=journal_entry_id)
        if entry is None:
            raise NotFoundError()
        return Response({"journalEntry": JournalEntrySerializer(entry).data})


class LedgerSettingsViewSet(ApiViewSet):
    """`GET`/`PATCH /api/ledger/settings?entityId=`: the entity's lock date and fiscal year."""

    query_serializer_class = EntityQuerySerializer

    @extend_schema(
        operation_id="ledger_settings_retrieve",
        summary="An entity's ledger settings: lock date and fiscal year",
        description=(
            "The entity's lock date (nothing is posted on or before it; null: none) and the month "
            "its fiscal year starts in. An entity that never changed them reads the defaults."
        ),
        examples=examples.SETTINGS_GET,
        parameters=[EntityQuerySerializer],
        responses={200: LedgerSettingsEnvelopeSerializer, **READ_ERRORS},
    )
    def retrieve(self, request, *args, **kwargs):
        access = entity_for_request(request, self.query["entityId"])
        return self._answer(selectors.ledger_settings_get(entity=access.entity))

    @extend_schema(
        operation_id="ledger_settings_update",
        summary="Move the lock date or change the fiscal year's first month",
        examples=examples.SETTINGS_PATCH,
        description="Journal entries, invoices, payments and voids dated on or before `lockDate` "
        "are refused with 409 `period_locked`. Only a firm ADMIN (or an API key an ADMIN "
        "created) may change the settings; a lock date may not lie after today.",
        parameters=[EntityQuerySerializer],
        request=LedgerSettingsUpdateSerializer,
        responses={200: LedgerSettingsEnvelopeSerializer, **READ_ERRORS},
    )
    def partial_update(self, request, *args, **kwargs):
        access = entity_for_request(request, self.query["entityId"], write=True)
        data = self.body(LedgerSettingsUpdateSerializer)
        settings = services.ledger_settings_update(
            entity=access.entity,
            by=access.actor,
            **renamed(
                data,
                {"lockDate": "lock_date", "fiscalYearStartMonth": "fiscal_year_start_month"},
            ),
        )
        return self._answer(settings)

    def _answer(self, settings) -> Response:
        return Response({"settings": LedgerSettingsSerializer(settings).data})
