"""Error codes the ledger answers with, beside the shared ones in axiomatic.core.errors."""

from enum import StrEnum


class LedgerErrorCode(StrEnum):
    UNBALANCED_ENTRY = "unbalanced_entry"
    PERIOD_LOCKED = "period_locked"
