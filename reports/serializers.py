"""Wire format of the reports API."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from axiomatic.api.fields import PublicIdField, StrictIntegerField
from axiomatic.api.pagination import PageSerializer
from axiomatic.api.serializers import DateRangeQueryMixin
from reports.statements import CompareMode, ReportType, comparison_period

REPORT_CHOICES = [(r.value, r.value) for r in ReportType]
COMPARE_CHOICES = [(m.value, m.value) for m in CompareMode]
FORMATS = ["html", "pdf", "json", "csv", "xlsx"]


MAX_REPORT_RANGE_DAYS = 5 * 365 + 1  # five years, one leap day included

COMPARE_HELP = (
    "A comparison column: previous_period (the same length just before; whole calendar months "
    "move back by their number of months) or previous_year (the same dates a year earlier). Not "
    "for the general ledger."
)


def compare_problem(*, report: str, compare: str | None, date_from, date_to) -> str | None:
    """Why `compare` cannot go with this report and period, or None when it can."""
    if not compare:
        return None
    if report == ReportType.GENERAL_LEDGER:
        return "A general ledger lists lines and has no comparison: leave compare out."
    try:
        comparison_period(compare, date_from, date_to)
    except ValueError as error:
        return str(error)
    return None


class StatementQuerySerializer(DateRangeQueryMixin, serializers.Serializer):
    max_range_days = MAX_REPORT_RANGE_DAYS
    entityId = PublicIdField(prefix="ent")
    bookId = PublicIdField(prefix="bk")
    report = serializers.ChoiceField(choices=REPORT_CHOICES)
    format = serializers.ChoiceField(
        choices=FORMATS,
        default="html",
        required=False,
        help_text="html (default), pdf, json, csv (streamed) or xlsx.",
    )
    compare = serializers.ChoiceField(
        choices=COMPARE_CHOICES, required=False, help_text=COMPARE_HELP
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"].required = True
        fields["to"].required = True
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        problem = compare_problem(
            report=attrs["report"],
            compare=attrs.get("compare"),
            date_from=attrs["from"],
            date_to=attrs["to"],
        )
        if problem:
            raise serializers.ValidationError({"compare": [problem]})
        return attrs


class AmountsSerializer(serializers.Serializer):
    amount = serializers.IntegerField(
        required=False, help_text="Income statement, balance sheet, cash flow."
    )
    debit = serializers.IntegerField(required=False, help_text="Trial balance.")
    credit = serializers.IntegerField(required=False, help_text="Trial balance.")


class LedgerLineSerializer(serializers.Serializer):
    date = serializers.DateField()
    journalEntryId = serializers.CharField()
    number = serializers.CharField(help_text="The entry's number, JE-000001.")
    memo = serializers.CharField(help_text="The entry's memo.", allow_blank=True)
    description = serializers.CharField(help_text="The line's description.", allow_blank=True)
    debit = serializers.IntegerField()
    credit = serializers.IntegerField()
    balance = serializers.IntegerField(
        help_text="The account's balance after the line, on its normal side."
    )


class StatementRowSerializer(AmountsSerializer):
    accountId = serializers.CharField(
        allow_null=True, help_text="null for a computed row (retained earnings, net income)."
    )
    code = serializers.CharField(allow_blank=True)
    name = serializers.CharField()
    type = serializers.CharField()
    subtype = serializers.CharField(
        help_text=(
            "The account's role; computed rows: retained_earnings, current_year_earnings "
            "(balance sheet), net_income (cash flow)."
        )
    )
    section = serializers.CharField(
        required=False,
        help_text=(
            "Cash flow: net_income, non_cash or working_capital (operating activities), "
            "investing or financing."
        ),
    )
    comparison = AmountsSerializer(
        required=False, help_text="With compare: the same figures over the comparison period."
    )
    openingBalance = serializers.IntegerField(required=False, help_text="General ledger.")
    closingBalance = serializers.IntegerField(required=False, help_text="General ledger.")
    lines = LedgerLineSerializer(many=True, required=False, help_text="General ledger.")


class TotalsFiguresSerializer(serializers.Serializer):
    debit = serializers.IntegerField(required=False, help_text="Trial balance, general ledger.")
    credit = serializers.IntegerField(required=False, help_text="Trial balance, general ledger.")
    revenue = serializers.IntegerField(required=False, help_text="Income statement.")
    expenses = serializers.IntegerField(required=False, help_text="Income statement.")
    netIncome = serializers.IntegerField(required=False, help_text="Income statement, cash flow.")
    assets = serializers.IntegerField(required=False, help_text="Balance sheet.")
    liabilities = serializers.IntegerField(required=False, help_text="Balance sheet.")
    equity = serializers.IntegerField(required=False, help_text="Balance sheet.")
    operating = serializers.IntegerField(required=False, help_text="Cash flow.")
    investing = serializers.IntegerField(required=False, help_text="Cash flow.")
    financing = serializers.IntegerField(required=False, help_text="Cash flow.")
    netChange = serializers.IntegerField(
        required=False, help_text="Cash flow: operating + investing + financing."
    )
    cashAtStart = serializers.IntegerField(
        required=False, help_text="Cash flow: the cash accounts' balance the day before from."
    )
    cashAtEnd = serializers.IntegerField(
        required=False, help_text="Cash flow: the cash accounts' balance as of to."
    )


class TotalsSerializer(TotalsFiguresSerializer):
    comparison = TotalsFiguresSerializer(
        required=False, help_text="With compare: the same totals over the comparison period."
    )


class ComparePeriodSerializer(serializers.Serializer):
    # A string, not an enum here: the schema names the one enum after the `compare` parameter.
    mode = serializers.CharField(
        help_text="The compare parameter: previous_period or previous_year."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class StatementJsonSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=REPORT_CHOICES)
    entityId = serializers.CharField()
    bookId = serializers.CharField()
    currency = serializers.CharField()
    rows = StatementRowSerializer(
        many=True,
        help_text=(
            "The statement's rows in order; for the general ledger, its accounts, each with "
            "openingBalance, debit, credit, closingBalance and lines."
        ),
    )
    totals = TotalsSerializer(help_text="In cents; the keys depend on the report.")
    compare = ComparePeriodSerializer(
        required=False, help_text="With compare: the comparison period."
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        fields["to"] = serializers.DateField()
        return fields


class ShareParametersSerializer(DateRangeQueryMixin, serializers.Serializer):
    max_range_days = MAX_REPORT_RANGE_DAYS
    bookId = PublicIdField(prefix="bk")
    compare = serializers.ChoiceField(
        choices=COMPARE_CHOICES, required=False, help_text=COMPARE_HELP
    )

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

    def validate(self, attrs):
        attrs = super().validate(attrs)
        parameters = attrs["parameters"]
        problem = compare_problem(
            report=attrs["reportType"],
            compare=parameters.get("compare"),
            date_from=parameters["from"],
            date_to=parameters["to"],
        )
        if problem:
            raise serializers.ValidationError({"parameters": {"compare": [problem]}})
        return attrs


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
        parameters = {
            "bookId": share.book.public_id,
            "from": share.date_from.isoformat(),
            "to": share.date_to.isoformat(),
        }
        if share.compare:
            parameters["compare"] = share.compare
        return parameters

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


# A list's answer as the schema shows it (axiomatic.api.pagination.PageSerializer).
@extend_schema_serializer(many=False, component_name="PaginatedShareList")
class SharePageSerializer(PageSerializer):
    links = ShareSerializer(many=True)
