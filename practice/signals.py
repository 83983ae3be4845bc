"""What practice announces to the apps above it (billing connects in its AppConfig.ready).

`client_link_changed` is sent after the transaction that changed a link commits, never inside it, so a
receiver (the Stripe sync) never acts on a change that rolled back. Arguments: `link_id` (the
ClientLink's primary key), `firm_id` and `change`, one of "created", "updated", "archived".
"""

from django.dispatch import Signal

client_link_changed = Signal()

CREATED = "created"
UPDATED = "updated"
ARCHIVED = "archived"
