from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "axiomatic.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from axiomatic.core.history import history_api_key_stamp

        # Every history row records the API key its request was authenticated with, if any.
        pre_create_historical_record.connect(history_api_key_stamp, dispatch_uid="history-api-key")
