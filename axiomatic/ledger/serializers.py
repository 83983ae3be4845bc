"""Wire format of the ledger API (camelCase keys, public ids, integer cents)."""

from rest_framework import serializers

from axiomatic.api.fields import BoundedDateField, CentsField, PublicIdField, StrictCharField
from axiomatic.api.serializers import DateRangeQueryMixin
from axiomatic.ledger.models import AccountType, BookBasis, JournalSource


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
