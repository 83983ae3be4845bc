"""Error codes the practice API answers with, beside the shared ones in axiomatic.core.errors."""

from enum import StrEnum


class PracticeErrorCode(StrEnum):
    DUPLICATE_EXTERNAL_REFERENCE = "duplicate_external_reference"
    TIME_ENTRY_INVOICED = "time_entry_invoiced"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    ENGAGEMENT_CANCELLED = "engagement_cancelled"
    CLIENT_ALREADY_LINKED = "client_already_linked"
