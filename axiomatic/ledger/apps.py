from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "axiomatic.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.ledger import exports

        table_register(*exports.TABLES)  # what a firm's data export holds of the ledger
