from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "axiomatic.entities"
    label = "entities"
    verbose_name = "Entities and access"
