"""Webhook endpoints of a firm, under /api/practice/ like the rest of the firm's API."""

from django.urls import path

from axiomatic.webhooks import views

webhooks = views.WebhookViewSet

urlpatterns = [
    path("webhooks", webhooks.as_view({"get": "list", "post": "create"}), name="webhooks"),
    path(
        "webhooks/<str:webhook_id>",
        webhooks.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="webhook",
    ),
    path(
        "webhooks/<str:webhook_id>/rotate-secret",
        webhooks.as_view({"post": "rotate_secret"}),
        name="webhook-rotate-secret",
    ),
    path(
        "webhooks/<str:webhook_id>/test",
        webhooks.as_view({"post": "send_test"}),
        name="webhook-test",
    ),
    path(
        "webhooks/<str:webhook_id>/deliveries",
        views.DeliveryViewSet.as_view({"get": "list"}),
        name="webhook-deliveries",
    ),
]
