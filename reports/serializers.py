"""Wire format of the reports API."""

from rest_framework import serializers

from axiomatic.api.fields import PublicIdField, StrictIntegerField
from axiomatic.api.serializers import DateRangeQueryMixin
from reports.statements import ReportType

REPORT_CHOICES = [(r.value, r.value) for r in ReportType]
FORMATS = ["html", "pdf", "json"]


MAX_REPORT_RANGE_DAYS = 5 * 365 + 1  # five years, one leap day included


class StatementQuerySerializer(DateRangeQueryMixin, serializers.Serializer):
    max_range_days = MAX_REPORT_RANGE_DAYS
    entityId = PublicIdField(prefix="ent")
    bookId = PublicIdField(prefix="bk")
    report = serializers.ChoiceField(choices=REPORT_CHOICES)
    format = serializers.ChoiceField(choices=FORMATS, default="html", required=False)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"].required = True
        fields["to"].required = True
        return fields


class StatementRowSerializer(serializers.Serializer):
    accountId = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    type = serializers.CharField()
    subtype = serializers.CharField()
    amount = serializers.IntegerField(required=False, help_text="Income statement, balance sheet.")
    debit = serializers.IntegerField(required=False, help_text="Trial balance.")
    credit = serializers.IntegerField(required=False, help_text="Trial balance.")


class StatementJsonSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=REPORT_CHOICES)
    entityId = serializers.CharField()
    bookId = serializers.CharField()
    currency = serializers.CharField()
    rows = StatementRowSerializer(many=True)
    totals = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="debit/credit, revenue/expenses/netIncome or assets/liabilities/equity, in cents.",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class ShareParametersSerializer(DateRangeQueryMixin, serializers.Serializer):
    max_range_days = MAX_REPORT_RANGE_DAYS
    bookId = PublicIdField(prefix="bk")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"].required = True
        fields["to"].required = True
        return fields


class ShareCreateSerializer(serializers.Serializer):
    entityId = PublicIdField(prefix="ent")
    reportType = serializers.ChoiceField(choices=REPORT_CHOICES)
    parameters = ShareParametersSerializer()
    expiresInDays = StrictIntegerField(min_value=1, max_value=90, required=False, default=7)
    maxAccessCount = StrictIntegerField(
        min_value=1, max_value=1_000_000, required=False, allow_null=True, default=None
    )


class ShareCreatedSerializer(serializers.Serializer):
    id = serializers.CharField()
    shareUrl = serializers.URLField()
    expiresAt = serializers.DateTimeField()


class ShareSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    entityId = serializers.CharField(source="entity.public_id")
    reportType = serializers.CharField(source="report_type")
    parameters = serializers.SerializerMethodField()
    expiresAt = serializers.DateTimeField(source="expires_at")
    accessCount = serializers.IntegerField(source="access_count")
    maxAccessCount = serializers.IntegerField(source="max_access_count", allow_null=True)
    lastAccessedAt = serializers.DateTimeField(source="last_accessed_at", allow_null=True)
    revoked = serializers.SerializerMethodField()
    createdAt = serializers.DateTimeField(source="created_at")

    def get_parameters(self, share) -> ShareParametersSerializer:  # type: ignore[valid-type]
        return {
            "bookId": share.book.public_id,
            "from": share.date_from.isoformat(),
            "to": share.date_to.isoformat(),
        }

    def get_revoked(self, share) -> bool:
        return share.revoked_at is not None


class ShareEnvelopeSerializer(serializers.Serializer):
    link = ShareSerializer()


class ShareListQuerySerializer(serializers.Serializer):
    entityId = PublicIdField(prefix="ent")


class ShareAccessSerializer(serializers.Serializer):
    accessedAt = serializers.DateTimeField(source="accessed_at")
    ipHash = serializers.CharField(source="ip_hash")
    userAgent = serializers.CharField(source="user_agent")


class DeferredPdfSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["rendering"])
    estimatedPages = serializers.IntegerField()
    shareUrl = serializers.URLField()
    link = ShareSerializer()


class ShareAccessLogSerializer(serializers.Serializer):
    accesses = ShareAccessSerializer(many=True, help_text="The latest 1000 opens, newest first.")
