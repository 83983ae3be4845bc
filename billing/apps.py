from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from axiomatic.core.exports import table_register
        from axiomatic.entities.signals import demo_firm_seeded
        from billing import demo, exports, pages, payloads, pricing, receivers, tasks
        from billing.services import delivery
        from practice.pages import client_home_sections
        from practice.pricing import register_fee_source
        from practice.signals import client_link_changed

        # Practice shows monthlyFee from our price table (editable in the admin).
        register_fee_source(pricing.tier_prices_cents)
        client_link_changed.connect(receivers.on_client_link_changed, dispatch_uid="billing-links")
        demo_firm_seeded.connect(demo.seed_billing, dispatch_uid="billing-demo")
        payloads.register()  # webhook bodies in the API's format
        delivery.invoice_delivery_queue.connect(tasks.send_invoice_email.delay)
        table_register(*exports.TABLES)  # what a firm's data export holds of billing
        # The client's invoices on /client/ (practice's page; practice cannot import billing).
        client_home_sections.register("invoices", pages.client_invoices_section)

        from axiomatic.admin_site import register_dashboard_panel
        from billing.dashboard import program_fee_panel

        register_dashboard_panel(program_fee_panel)

        from djstripe.signals import WEBHOOK_SIGNALS

        from billing.services.stripe_webhooks import HANDLED_EVENTS

        for event_type in HANDLED_EVENTS:
            WEBHOOK_SIGNALS[event_type].connect(
                receivers.on_stripe_event, dispatch_uid=f"billing-stripe-{event_type}"
            )
