"""What a firm's export holds of reports: the share links of the entities it reaches, without
their token or its hash (a link's token exists only in the URL that was handed out)."""

from axiomatic.core.exports import Table, columns
from reports.models import ReportShare

TABLES = (
    Table(
        "share_links",
        columns(
            ("id", "public_id"),
            ("entity_id", "entity__public_id"),
            ("book_id", "book__public_id"),
            "report_type",
            "date_from",
            "date_to",
            "compare",
            ("created_by_user_id", "created_by__public_id"),
            "created_at",
            "expires_at",
            "max_access_count",
            "access_count",
            "last_accessed_at",
            "revoked_at",
        ),
        lambda scope: ReportShare.objects.filter(entity__in=scope.entity_ids).order_by("id"),
    ),
)
