from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from axiomatic.accounts.selectors import firm_requires_staff_mfa
        from axiomatic.core.exports import table_register
        from axiomatic.entities.access import register_client_entity_source
        from axiomatic.entities.signals import demo_firm_seeded
        from practice import demo, exports, payloads, selectors, tasks
        from practice.services import invitations

        # A firm reaches the client entities it has an active link to.
        register_client_entity_source(selectors.client_entity_ids, selectors.firm_ids_of_client)
        demo_firm_seeded.connect(demo.seed_practice, dispatch_uid="practice-demo")
        # Webhook bodies in the API's format; the invitation email queued by the service.
        payloads.register()
        invitations.invitation_email_queue.connect(tasks.send_invitation_email.delay)
        # Staff MFA is required by a firm's practice settings (requireMfa).
        firm_requires_staff_mfa.connect(selectors.staff_mfa_required)
        table_register(*exports.TABLES)  # what a firm's data export holds of practice

        from axiomatic.admin_site import register_dashboard_panel
        from practice import dashboard

        for panel in (dashboard.unbilled_panel, dashboard.deadlines_panel, dashboard.hours_panel):
            register_dashboard_panel(panel)
