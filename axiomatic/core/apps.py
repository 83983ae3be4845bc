from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "axiomatic.core"
    label = "core"
    verbose_name = "Core"
