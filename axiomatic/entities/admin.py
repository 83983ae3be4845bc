from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from axiomatic.entities.access import is_firm_admin
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedAdmin, StaffScope, staff_scope
from axiomatic.entities.models import ApiKey, Entity, Membership, PartnerEnrollment, User
from axiomatic.entities.services import api_key_create, api_key_revoke, firm_export


@admin.register(User)
class UserAdmin(ScopedAdmin, BaseUserAdmin):
    """Firm staff see (never change) the people of their firms and clients, e.g. to pick assignees."""

    staff_may_add = False
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

    def scope_queryset(self, queryset, scope: StaffScope, *, writable=False):
        return queryset.filter(memberships__entity__in=scope.entity_ids).distinct()

    def has_change_permission(self, request, obj=None):
        if staff_scope(request) is not None:
            return False
        return super().has_change_permission(request, obj)

    def get_fieldsets(self, request, obj=None):
        if staff_scope(request) is not None:
            return ((None, {"fields": ("public_id", "email", "full_name")}),)
        return super().get_fieldsets(request, obj)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Entity)
class EntityAdmin(ScopedHistoryAdmin):
    """The firm and its clients, read-only for firm staff.

    A client's name, type and industry change on its client link's page (practice), through
    `client_update`, which records the `client.updated` event and applies the API's rules; a plain
    save here would skip both, and this platform layer may not import practice to call it. The
    firm's own details are the program's business (superusers)."""

    scope_entity = "pk"
    staff_may_add = False
    ordering = ("name", "id")
    list_display = ("name", "public_id", "type", "industry", "currency", "is_active", "created_at")
    list_filter = ("type", "is_active")
    search_fields = ("name", "public_id")
    readonly_fields = ("public_id", "created_at", "updated_at")
    inlines = (MembershipInline,)
    actions = ("export_firm_data",)

    def get_inlines(self, request, obj):
        # Who belongs where is the program's business (invitations), not a form's.
        return self.inlines if staff_scope(request) is None else ()

    def has_change_permission(self, request, obj=None):
        if staff_scope(request) is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_export_permission(self, request) -> bool:
        """Firm ADMINs (and superusers) may take a firm's data: the action checks which firm."""
        scope = staff_scope(request)
        return scope is None or bool(scope.writable_firm_ids)

    @admin.action(description="Export firm data", permissions=["export"])
    def export_firm_data(self, request, queryset):
        """The firm's archive (firm_export) as a download, streamed as it is written."""
        firms = list(queryset.filter(enrollment__isnull=False)[:2])
        if len(firms) != 1 or queryset.count() != 1:
            self.message_user(request, "Select exactly one partner firm.", messages.ERROR)
            return None
        firm = firms[0]
        if not is_firm_admin(request.user, firm):
            self.message_user(
                request, "Only the firm's admins may export its data.", messages.ERROR
            )
            return None
        archive = firm_export(firm=firm)
        response = StreamingHttpResponse(archive.chunks(), content_type="application/zip")
        name = f"{firm.public_id}-{timezone.localdate():%Y-%m-%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response

    def get_search_results(self, request, queryset, search_term):
        """Autocompletes offer what the field holds: a client field (`client_fields` of the asking
        admin) offers clients, never a firm; the owning firm field (`scope_firm`) offers firms the
        user may write in, never a client. Other entity fields keep the whole reachable set."""
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        source = self._autocomplete_source(request)
        if source is None:
            return queryset, distinct
        source_admin, field = source
        scope = staff_scope(request)
        if field == source_admin.scope_firm:
            if scope is None:
                return queryset.filter(enrollment__isnull=False), distinct
            return queryset.filter(pk__in=scope.write_role_firm_ids), distinct
        if field in source_admin.client_fields:
            if scope is None:
                return queryset.filter(enrollment__isnull=True), distinct
            return queryset.filter(pk__in=scope.entity_ids - scope.firm_ids), distinct
        return queryset, distinct

    def _autocomplete_source(self, request) -> tuple[ScopedAdmin, str] | None:
        """The scoped admin and field an autocomplete request is for (None for other searches)."""
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != "autocomplete":
            return None
        try:
            model = apps.get_model(request.GET["app_label"], request.GET["model_name"])
        except (KeyError, LookupError):
            return None
        source_admin = self.admin_site._registry.get(model)
        if not isinstance(source_admin, ScopedAdmin):
            return None
        return source_admin, request.GET.get("field_name", "")


@admin.register(PartnerEnrollment)
class PartnerEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("firm", "status", "enrolled_at")
    list_filter = ("status",)
    list_select_related = ("firm",)
    autocomplete_fields = ("firm",)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ("firm", "name")


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedHistoryAdmin):
    """Keys are made by `api_key_create`: the new key is shown once, on the page after "Save"."""

    scope_firm = "firm"
    list_display = ("name", "display_prefix", "firm", "created_by", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("firm", "created_by")
    readonly_fields = (
        "public_id",
        "firm",
        "name",
        "display_prefix",
        "created_by",
        "last_used_at",
        "revoked_at",
        "created_at",
    )
    search_fields = ("name", "display_prefix", "firm__name")
    actions = ("revoke",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ApiKeyForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request, obj=None):
        return ("firm", "name") if obj is None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing here is editable after creation
        issued = api_key_create(
            firm=form.cleaned_data["firm"], name=form.cleaned_data["name"], created_by=request.user
        )
        obj.__dict__.update(issued.api_key.__dict__)  # the admin logs and answers with this row
        request._issued_api_key = issued

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(request, "_issued_api_key", None)
        if issued is None:
            return super().response_add(request, obj, post_url_continue)
        # The key in clear, on this page only: it is stored nowhere (not in messages or sessions).
        response = TemplateResponse(
            request,
            "admin/entities/apikey/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": "API key created",
                "api_key": issued.api_key,
                "key": issued.key,
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(api_key=key)
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)
