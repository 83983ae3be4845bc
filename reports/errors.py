"""Error codes the reports API answers with, beside the shared ones in axiomatic.core.errors."""

from enum import StrEnum


class ReportsErrorCode(StrEnum):
    # A statement too long for the format asked for (reports.documents.too_long_problem): the
    # message says what to ask for instead.
    STATEMENT_TOO_LONG = "statement_too_long"
