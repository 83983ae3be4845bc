from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "axiomatic.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.webhooks import events, exports, payloads, tasks

        # The outbox (events, delivery) sits below the tasks that send it: plug them in here.
        events.deliveries_queue.connect(tasks.deliver_webhooks.delay)
        events.endpoint_disabled_notice.connect(tasks.notify_endpoint_disabled.delay)
        payloads.register()
        table_register(*exports.TABLES)  # what a firm's data export holds of webhooks
