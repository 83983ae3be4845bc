"""How billing reacts to practice's announcements (connected in BillingConfig.ready)."""

from billing.services.program import program_change_record


def on_client_link_changed(sender, *, link_id: int, firm_id: int, change: str, **kwargs) -> None:
    # Sent after the practice transaction committed: record what the change costs.
    program_change_record(link_id=link_id, change=change)
