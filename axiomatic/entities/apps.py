from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "axiomatic.entities"
    label = "entities"
    verbose_name = "Entities and access"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.entities import exports

        table_register(*exports.TABLES)  # what a firm's data export holds of members and keys
