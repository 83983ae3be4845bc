from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "axiomatic.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.ledger import authority, exports, services

        table_register(*exports.TABLES)  # what a firm's data export holds of the ledger
        # Who may move a lock date: a rule about memberships, which services may not import.
        services.register_settings_authority(authority.firm_admin_reaching)
