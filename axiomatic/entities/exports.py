"""What a firm's export holds of entities and access: the members of the firm and of the clients
it reaches (no password hash), and the firm's API keys (no key hash)."""

from axiomatic.core.exports import Table, columns
from axiomatic.entities.models import ApiKey, Membership

TABLES = (
    Table(
        "memberships",
        columns(
            ("entity_id", "entity__public_id"),
            ("entity_name", "entity__name"),
            ("user_id", "user__public_id"),
            ("email", "user__email"),
            ("full_name", "user__full_name"),
            "role",
            "created_at",
        ),
        lambda scope: Membership.objects.filter(entity__in=scope.entity_ids).order_by("id"),
    ),
    Table(
        "api_keys",
        columns(
            ("id", "public_id"),
            "name",
            "display_prefix",
            ("created_by_user_id", "created_by__public_id"),
            "created_at",
            "last_used_at",
            "revoked_at",
        ),
        lambda scope: ApiKey.objects.filter(firm=scope.firm).order_by("id"),
    ),
)
