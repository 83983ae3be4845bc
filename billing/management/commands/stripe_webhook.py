"""Store Stripe's webhook signing secret and print the URL to give Stripe.

    STRIPE_WEBHOOK_SECRET=whsec_... python manage.py stripe_webhook --endpoint-id we_123

dj-stripe keeps each webhook endpoint's secret in a row; deliveries go to
SITE_URL/stripe/webhook/<that row's uuid>/ and are refused unless signed with that secret.
Running it again keeps the URL and updates the secret (after a rotation in Stripe).
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from djstripe.models import WebhookEndpoint


class Command(BaseCommand):
    help = "Store STRIPE_WEBHOOK_SECRET as a dj-stripe webhook endpoint and print its URL."

    def add_arguments(self, parser):
        parser.add_argument(
            "--endpoint-id",
            default="we_axiomatic",
            help="Stripe's id of the endpoint (we_...), as its dashboard shows it.",
        )

    def handle(self, *args, endpoint_id: str, **options):
        secret = settings.STRIPE_WEBHOOK_SECRET
        if not secret.startswith("whsec_"):
            raise CommandError(
                "Set STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (whsec_..., shown by "
                "Stripe when the endpoint is created), then run this again."
            )
        endpoint, created = WebhookEndpoint.objects.get_or_create(
            id=endpoint_id,
            defaults={
                "secret": secret,
                "url": settings.SITE_URL,
                "livemode": settings.STRIPE_LIVE_MODE,
                "enabled_events": ["*"],
                "status": "enabled",
                "api_version": "",
            },
        )
        endpoint.secret = secret
        endpoint.url = settings.SITE_URL.rstrip("/") + reverse(
            "djstripe:djstripe_webhook_by_uuid", args=[endpoint.djstripe_uuid]
        )
        endpoint.save(update_fields=["secret", "url"])
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} webhook endpoint {endpoint.id}. Give Stripe this URL:")
        self.stdout.write(endpoint.url)
