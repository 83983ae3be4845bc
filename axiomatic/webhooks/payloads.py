"""Webhook bodies in the API's wire format: the top layer's half of the outbox.

Each app registers, in its AppConfig.ready, how data.object is built for its event types:
`register_payload(types, represent)`, where `represent(firm, subject)` returns what the API answers
for that object (a serializer's data). This module turns it into plain JSON values, the same bytes
the API's renderer writes (dates, decimals), for the event row. The webhooks app registers `ping`,
whose object is the endpoint itself.
"""

import json
from collections.abc import Callable, Iterable

from rest_framework.renderers import JSONRenderer

from axiomatic.webhooks import events
from axiomatic.webhooks.serializers import WebhookSerializer


def _jsonable(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def register_payload(types: Iterable[str], represent: Callable) -> None:
    for type in types:
        events.payload_builders.register(
            type, lambda firm, subject: _jsonable(represent(firm, subject))
        )


def represent_endpoint(firm, endpoint) -> dict:
    return WebhookSerializer(endpoint).data


def register() -> None:
    register_payload([events.PING], represent_endpoint)
