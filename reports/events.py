"""Webhook events of share links, recorded in the transaction of the change (the outbox in
axiomatic.webhooks). A share link belongs to an entity; its events go to every enrolled firm that
reaches that entity (the firm itself, or the firms its client is linked to). The body is built by
reports.payloads after the commit."""

from axiomatic.entities.access import firms_reaching
from axiomatic.webhooks.events import event_record
from reports.models import ReportShare


def share_event(type: str, *, share: ReportShare) -> None:
    for firm in firms_reaching(share.entity):
        event_record(firm=firm, type=type, subject=share)
