from django.apps import AppConfig
from django.core import checks

from axiomatic.core.checks import production_services_check


class CoreConfig(AppConfig):
    name = "axiomatic.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        # Listed by `manage.py check --deploy` (and so by `make check`), never by a plain check.
        checks.register(production_services_check, "operations", deploy=True)
