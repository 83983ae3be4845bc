from django.contrib import admin

from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline, staff_scope
from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine


class ReadOnlyForStaff(ScopedAdmin):
    """The books and the chart: firm staff look here; the ledger changes through postings."""

    scope_entity = "entity"
    staff_may_add = False

    def has_change_permission(self, request, obj=None):
        if staff_scope(request) is not None:
            return False
        return super().has_change_permission(request, obj)


@admin.register(Book)
class BookAdmin(ReadOnlyForStaff):
    list_display = ("name", "entity", "basis", "is_primary", "public_id")
    list_select_related = ("entity",)
    readonly_fields = ("public_id",)
    search_fields = ("name", "entity__name")


@admin.register(Account)
class AccountAdmin(ReadOnlyForStaff):
    list_display = ("code", "name", "type", "subtype", "entity", "is_active")
    list_filter = ("type", "is_active")
    list_select_related = ("entity",)
    readonly_fields = ("public_id",)
    search_fields = ("code", "name", "entity__name")


class JournalLineInline(ScopedInline, admin.TabularInline):
    model = JournalLine
    extra = 0
    fields = ("account", "debit_cents", "credit_cents", "description")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account")


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyForStaff):
    """Posted entries are read-only here: corrections are new entries, posted through the service."""

    list_display = ("display_number", "date", "memo", "entity", "book", "source")
    list_select_related = ("entity", "book")
    list_filter = ("source",)
    search_fields = ("memo", "public_id", "entity__name")
    inlines = (JournalLineInline,)
    readonly_fields = (
        "public_id",
        "entity",
        "book",
        "number",
        "date",
        "memo",
        "source",
        "created_by",
        "created_at",
    )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
