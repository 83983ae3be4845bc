from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from reports import documents, exports, payloads, tasks

        # Long PDFs render in a Celery task, which sits above documents: it queues through this.
        documents.render_queue.connect(tasks.render_report_document.delay)
        payloads.register()  # webhook bodies of share-link events, in the API's format
        table_register(*exports.TABLES)  # what a firm's data export holds of reports
