from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "axiomatic.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        # Registers the OpenAPI description of our authentication with drf-spectacular.
        from axiomatic.api import schema  # noqa: F401
