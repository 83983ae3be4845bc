"""Error codes the billing API answers with, beside the shared ones in axiomatic.core.errors."""

from enum import StrEnum


class BillingErrorCode(StrEnum):
    TIME_ENTRIES_NOT_INVOICEABLE = "time_entries_not_invoiceable"
    INVOICE_PAID = "invoice_paid"
    CHART_INCOMPLETE = "chart_incomplete"
    INVOICE_VOID = "invoice_void"
    INVOICE_HAS_PAYMENTS = "invoice_has_payments"
    NO_RECIPIENT = "no_recipient"
