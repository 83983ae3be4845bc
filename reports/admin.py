from django.contrib import admin

from reports.models import ReportShare, ReportShareAccess


class ReportShareAccessInline(admin.TabularInline):
    model = ReportShareAccess
    extra = 0
    can_delete = False
    fields = ("accessed_at", "ip_hash", "user_agent")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportShare)
class ReportShareAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False
