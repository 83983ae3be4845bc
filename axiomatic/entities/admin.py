from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from axiomatic.entities.models import ApiKey, Entity, Membership, PartnerEnrollment, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    readonly_fields = ("public_id", "date_joined", "last_login")
    fieldsets = (
        (None, {"fields": ("public_id", "email", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Entity)
class EntityAdmin(admin.ModelAdmin):
    list_display = ("name", "public_id", "type", "industry", "currency", "is_active", "created_at")
    list_filter = ("type", "is_active")
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = (MembershipInline,)


@admin.register(PartnerEnrollment)
class PartnerEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("firm", "status", "enrolled_at")
    list_filter = ("status",)
    list_select_related = ("firm",)
    autocomplete_fields = ("firm",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("name", "display_prefix", "firm", "created_by", "last_used_at", "revoked_at")
    list_select_related = ("firm", "created_by")
    readonly_fields = ("public_id", "display_prefix", "key_hash", "last_used_at", "created_at")
    search_fields = ("name", "display_prefix", "firm__name")

    def has_add_permission(self, request):
        # Keys are made by `api_key_create`, which shows the key once; the admin never sees it.
        return False
