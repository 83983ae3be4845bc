"""Webhook endpoints and deliveries for firm staff: read, send a test event, retry, enable again.

Endpoints are registered through the API, where the signing secret is shown once; the secret never
appears here.
"""

from django.contrib import admin, messages

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline
from axiomatic.webhooks import services
from axiomatic.webhooks.models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 20
_DELIVERY_FIELDS = (
    "public_id",
    "event",
    "status",
    "attempts",
    "last_attempt_at",
    "last_status_code",
    "last_duration_ms",
    "next_attempt_at",
    "last_error",
)


class RecentDeliveryInline(ScopedInline, admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = _DELIVERY_FIELDS
    readonly_fields = fields
    ordering = ("-id",)
    verbose_name_plural = (
        f"recent deliveries (latest {RECENT_DELIVERIES}; all under Webhook deliveries)"
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("event")
        ids = list(queryset.order_by("-id").values_list("id", flat=True)[:RECENT_DELIVERIES])
        return queryset.filter(id__in=ids)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ScopedHistoryAdmin):
    scope_firm = "firm"
    staff_may_add = False
    list_display = ("url", "firm", "description", "enabled", "disabled_reason", "created_at")
    list_filter = ("enabled",)
    list_select_related = ("firm",)
    search_fields = ("url", "description", "public_id", "firm__name")
    fields = (
        "public_id",
        "firm",
        "url",
        "description",
        "events",
        "enabled",
        "disabled_reason",
        "disabled_at",
        "failing_since",
        "previous_secret_expires_at",
        "created_by",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (RecentDeliveryInline,)
    actions = ("send_test_event", "enable")

    def has_add_permission(self, request):
        return False

    @admin.action(description="Send test event", permissions=["change"])
    def send_test_event(self, request, queryset):
        for endpoint in queryset:
            try:
                services.endpoint_send_test(endpoint=endpoint)
            except ApplicationError as error:
                self.message_user(request, f"{endpoint}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"Test event queued for {endpoint}.", messages.SUCCESS)

    @admin.action(description="Enable again (sends what waited, in order)", permissions=["change"])
    def enable(self, request, queryset):
        endpoints = list(queryset.filter(enabled=False))
        for endpoint in endpoints:
            services.endpoint_update(endpoint=endpoint, changes={"enabled": True})
        self.message_user(request, f"Enabled {len(endpoints)} endpoint(s).", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ScopedAdmin):
    scope_firm = "endpoint__firm"
    staff_may_add = False
    list_display = (
        "event",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status",)
    list_select_related = ("event", "endpoint")
    search_fields = ("public_id", "event__public_id", "event__type", "endpoint__url")
    fields = (*_DELIVERY_FIELDS, "endpoint", "response_body", "created_at")
    readonly_fields = fields
    actions = ("retry_now",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Retry now", permissions=["change"])
    def retry_now(self, request, queryset):
        deliveries = list(queryset)
        for delivery in deliveries:
            services.delivery_retry_now(delivery=delivery)
        self.message_user(
            request, f"Queued {len(deliveries)} delivery(ies) again.", messages.SUCCESS
        )
