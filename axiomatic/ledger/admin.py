from django.contrib import admin

from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
    list_display = ("name", "entity", "basis", "is_primary", "public_id")
    list_select_related = ("entity",)
    readonly_fields = ("public_id",)
    search_fields = ("name", "entity__name")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "subtype", "entity", "is_active")
    list_filter = ("type", "is_active")
    list_select_related = ("entity",)
    readonly_fields = ("public_id",)
    search_fields = ("code", "name", "entity__name")


class JournalLineInline(admin.TabularInline):
    model = JournalLine
    extra = 0
    fields = ("account", "debit_cents", "credit_cents", "description")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
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
