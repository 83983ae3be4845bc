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
        from simple_history.signals import pre_create_historical_record

        from axiomatic.core.history import history_api_key_stamp

        # Every history row records the API key its request was authenticated with, if any.
        pre_create_historical_record.connect(history_api_key_stamp, dispatch_uid="history-api-key")
