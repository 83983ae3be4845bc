from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "axiomatic.entities"
    label = "entities"
    verbose_name = "Entities and access"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.entities import exports

        table_register(*exports.TABLES)  # what a firm's data export holds of members and keys

        from django.db.models.signals import post_delete, post_save

        from axiomatic.entities import key_cache
        from axiomatic.entities.models import ApiKey, Entity, PartnerEnrollment, User

        # What an authenticated key carries (its firm, enrollment and creator): a change to any of
        # them drops the keys the processes keep (axiomatic/entities/key_cache.py).
        for model in (ApiKey, Entity, PartnerEnrollment, User):
            post_save.connect(key_cache.invalidate, sender=model, dispatch_uid=f"key-cache-{model}")
            post_delete.connect(
                key_cache.invalidate, sender=model, dispatch_uid=f"key-cache-del-{model}"
            )
