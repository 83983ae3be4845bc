from django.contrib import admin, messages

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline, refusal_text
from reports.models import ReportShare, ReportShareAccess
from reports.services import share_revoke


class ReportShareAccessInline(ScopedInline, admin.TabularInline):
    model = ReportShareAccess
    extra = 0
    can_delete = False
    fields = ("accessed_at", "ip_hash", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportShare)
class ReportShareAdmin(ScopedAdmin):
    """Share links are made through the API (the link is shown once there); staff revoke here."""

    scope_entity = "entity"
    staff_may_add = False
    list_display = (
        "public_id",
        "entity",
        "report_type",
        "date_to",
        "expires_at",
        "access_count",
        "max_access_count",
        "revoked_at",
    )
    list_filter = ("report_type", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("entity",)
    search_fields = ("public_id", "entity__name")
    readonly_fields = (
        "public_id",
        "token_hash",
        "access_count",
        "last_accessed_at",
        "created_by",
        "created_at",
    )
    inlines = (ReportShareAccessInline,)
    actions = ("revoke",)

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        # Nothing here is edited by hand: a share link is what it was made as, until revoked.
        return [
            f.name for f in self.model._meta.concrete_fields if f.name not in ("id", "token_hash")
        ]

    def get_exclude(self, request, obj=None):
        return ("token_hash",)

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke(self, request, queryset):
        # Say what happened to each selected link: a "success" for nothing revoked misleads.
        already = queryset.filter(revoked_at__isnull=False).count()
        revoked = 0
        for share in queryset.filter(revoked_at__isnull=True).select_related("entity"):
            try:
                share_revoke(entity=share.entity, public_id=share.public_id)
                revoked += 1
            except ApplicationError as error:
                self.message_user(request, f"{share}: {refusal_text(error)}", messages.ERROR)
        if revoked:
            self.message_user(request, f"Revoked {revoked} share link(s).", messages.SUCCESS)
        if already:
            self.message_user(
                request, f"{already} share link(s) were already revoked.", messages.INFO
            )
        if not revoked and not already:
            self.message_user(request, "No share link was revoked.", messages.WARNING)
