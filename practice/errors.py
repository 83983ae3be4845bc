"""Error codes the practice API answers with, beside the shared ones in axiomatic.core.errors."""

from enum import StrEnum


class PracticeErrorCode(StrEnum):
    DUPLICATE_EXTERNAL_REFERENCE = "duplicate_external_reference"
    TIME_ENTRY_INVOICED = "time_entry_invoiced"
    INVALID_STATUS_TRANSITION = "invalid_status_transition"
    ENGAGEMENT_CANCELLED = "engagement_cancelled"
    CLIENT_ALREADY_LINKED = "client_already_linked"
    TIME_ENTRY_APPROVED = "time_entry_approved"
    TIME_ENTRY_NOT_APPROVED = "time_entry_not_approved"
    PERIOD_LOCKED = "period_locked"
    TIMER_NOT_RUNNING = "timer_not_running"


# A user id in a body (assignee, a time entry's user) that is not a member of the firm: 400.
NOT_A_FIRM_MEMBER = "No such member of this firm."
