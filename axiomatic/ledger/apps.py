from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "axiomatic.ledger"
    label = "ledger"
    verbose_name = "Ledger"
