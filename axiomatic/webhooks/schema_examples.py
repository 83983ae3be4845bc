"""Example payloads of the webhook endpoints API for the OpenAPI schema: one endpoint of the firm
of axiomatic.ledger.schema_examples, its secret as shown once, and a delivery of a ping."""

from axiomatic.ledger.schema_examples import FIRM_ID, answer, page, sent

WEBHOOK_ID = "wh_01jdzw9h8jnkzrjsr1ecqac082"
DELIVERY_ID = "whd_01jdj4pnyqstxy44pq9cj9qhrz"
EVENT_ID = "evt_01jdnbmp2vxh5w5mz28dq8swgm"
# The form the API shows (whsec_ and standard base64 of 32 random bytes): an example, not a key.
SECRET = "whsec_MfKQ9r77FMO7zE7Yb0qVbkGQ+ZDv0rXK6PmYyC1S1Uc="
URL = "https://erp.alpha-cpa.example/hooks/axiomatic"

WEBHOOK = {
    "id": WEBHOOK_ID,
    "firmEntityId": FIRM_ID,
    "url": URL,
    "description": "ERP sync",
    "events": ["invoice.created", "invoice.paid"],
    "enabled": True,
    "disabledReason": "",
    "disabledAt": None,
    "previousSecretExpiresAt": None,
    "createdAt": "2026-11-02T09:14:03.120044Z",
    "updatedAt": "2026-11-02T09:14:03.120044Z",
}
ROTATED = {**WEBHOOK, "previousSecretExpiresAt": "2026-11-03T09:20:00.000000Z"}
DELIVERY = {
    "id": DELIVERY_ID,
    "eventId": EVENT_ID,
    "eventType": "ping",
    "eventCreatedAt": "2026-11-02T09:15:00.512301Z",
    "status": "succeeded",
    "attempt": 1,
    "lastAttemptAt": "2026-11-02T09:15:00.733090Z",
    "statusCode": 200,
    "durationMs": 184,
    "nextRetryAt": None,
    "error": "",
    "response": "ok",
}

LIST = [answer("The firm's endpoints", page("webhooks", WEBHOOK))]
GET = [answer("An endpoint (never its secret)", {"webhook": WEBHOOK})]
CREATE = [
    sent(
        "Invoices only",
        {
            "firmEntityId": FIRM_ID,
            "url": URL,
            "events": ["invoice.created", "invoice.paid"],
            "description": "ERP sync",
        },
    ),
    answer(
        "Registered: store the secret now",
        {"id": WEBHOOK_ID, "webhook": WEBHOOK, "secret": SECRET},
        status=201,
    ),
]
UPDATE = [
    sent("Disable it", {"firmEntityId": FIRM_ID, "enabled": False}),
    answer(
        "Disabled",
        {
            "webhook": {
                **WEBHOOK,
                "enabled": False,
                "disabledReason": "Disabled by the firm.",
                "disabledAt": "2026-11-05T10:00:00.000000Z",
                "updatedAt": "2026-11-05T10:00:00.000000Z",
            }
        },
    ),
]
ROTATE = [
    sent("Rotate", {"firmEntityId": FIRM_ID}),
    answer(
        "The new secret; the old one signs for 24 hours more",
        {"id": WEBHOOK_ID, "webhook": ROTATED, "secret": SECRET},
    ),
]
TEST = [
    sent("Ping it", {"firmEntityId": FIRM_ID}),
    answer(
        "The ping's delivery",
        {
            "delivery": {
                **DELIVERY,
                "status": "pending",
                "attempt": 0,
                "lastAttemptAt": None,
                "statusCode": None,
                "durationMs": None,
                "response": "",
            }
        },
        status=202,
    ),
]
DELIVERIES = [answer("Deliveries, newest first", page("deliveries", DELIVERY))]
