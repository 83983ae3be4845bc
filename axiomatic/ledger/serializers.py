"""Wire format of the ledger API (camelCase keys, public ids, integer cents)."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import (
    BoundedDateField,
    CentsField,
    PublicIdField,
    StrictCharField,
    StrictIntegerField,
)
from axiomatic.api.pagination import PageSerializer
from axiomatic.api.serializers import DateRangeQueryMixin
from axiomatic.ledger.models import AccountType, BookBasis, CashFlowSection, JournalSource


class EntityQuerySerializer(serializers.Serializer):
    entityId = PublicIdField(prefix="ent")


class JournalEntryQuerySerializer(DateRangeQueryMixin, EntityQuerySerializer):
    bookId = PublicIdField(prefix="bk", required=False)


class BookSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    basis = serializers.ChoiceField(choices=BookBasis.choices)
    isPrimary = serializers.BooleanField(source="is_primary")


class AccountSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.ChoiceField(choices=AccountType.choices)
    subtype = serializers.CharField()
    cashFlowSection = serializers.ChoiceField(
        source="cash_flow_section",
        choices=CashFlowSection.choices,
        help_text="Where the account's movements show in the cash-flow statement (indirect "
        "method): cash, net_income (revenue and expenses), non_cash, working_capital, investing "
        "or financing. The default chart sets it from the account's type and subtype.",
    )
    isActive = serializers.BooleanField(source="is_active")


class JournalLineSerializer(serializers.Serializer):
    accountId = serializers.CharField(source="account.public_id")
    accountCode = serializers.CharField(source="account.code")
    accountName = serializers.CharField(source="account.name")
    debit = serializers.IntegerField(source="debit_cents", help_text="Cents.")
    credit = serializers.IntegerField(source="credit_cents", help_text="Cents.")
    description = serializers.CharField()


class JournalEntrySerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    number = serializers.CharField(
        source="display_number", help_text="JE-000001, per entity, no gaps."
    )
    entityId = serializers.CharField(source="entity.public_id")
    bookId = serializers.CharField(source="book.public_id")
    date = BoundedDateField()
    memo = serializers.CharField()
    source = serializers.ChoiceField(choices=JournalSource.choices)
    createdAt = serializers.DateTimeField(source="created_at")
    lines = JournalLineSerializer(many=True)


class JournalEntryEnvelopeSerializer(serializers.Serializer):
    journalEntry = JournalEntrySerializer()


class JournalLineInputSerializer(serializers.Serializer):
    accountId = PublicIdField(prefix="acct")
    debit = CentsField(required=False, default=0)
    credit = CentsField(required=False, default=0)
    description = StrictCharField(required=False, allow_blank=True, max_length=500, default="")


class JournalEntryInputSerializer(serializers.Serializer):
    entityId = PublicIdField(prefix="ent")
    bookId = PublicIdField(prefix="bk")
    date = BoundedDateField()
    memo = StrictCharField(required=False, allow_blank=True, max_length=500, default="")
    lines = JournalLineInputSerializer(many=True, allow_empty=False)


class LedgerSettingsSerializer(serializers.Serializer):
    lockDate = BoundedDateField(
        source="lock_date",
        allow_null=True,
        help_text="Nothing is posted on or before this day (journal entries, invoices, payments "
        "and voids); null: no period is locked.",
    )
    fiscalYearStartMonth = serializers.IntegerField(
        source="fiscal_year_start_month",
        min_value=1,
        max_value=12,
        help_text="The month the fiscal year starts in: 1 (January) to 12 (December).",
    )


class LedgerSettingsEnvelopeSerializer(serializers.Serializer):
    settings = LedgerSettingsSerializer()


# A PATCH of the settings: at least one of the two. (A comment, not a docstring: drf-spectacular
# would publish it as the component's description.)
class LedgerSettingsUpdateSerializer(serializers.Serializer):
    lockDate = BoundedDateField(
        required=False,
        allow_null=True,
        help_text="Lock the ledger through this day (not after today); null unlocks it. Only a "
        "firm ADMIN (or an API key an ADMIN created) may change it.",
    )
    fiscalYearStartMonth = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=12,
        help_text="1 (January) to 12 (December).",
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not attrs:
            raise serializers.ValidationError(
                "Nothing to change: give lockDate, fiscalYearStartMonth or both."
            )
        return attrs


# A list's answer as the schema shows it (axiomatic.api.pagination.PageSerializer).
@extend_schema_serializer(many=False, component_name="PaginatedBookList")
class BookPageSerializer(PageSerializer):
    books = BookSerializer(many=True)


@extend_schema_serializer(many=False, component_name="PaginatedAccountList")
class AccountPageSerializer(PageSerializer):
    accounts = AccountSerializer(many=True)


@extend_schema_serializer(many=False, component_name="PaginatedJournalEntryList")
class JournalEntryPageSerializer(PageSerializer):
    journalEntries = JournalEntrySerializer(many=True)
