"""The ledger in the admin: books, chart and posted entries to read; the ledger settings (lock date,
fiscal year) to change, through the same service as the API."""

import calendar

from django import forms
from django.contrib import admin

from axiomatic.core.errors import ApplicationError
from axiomatic.core.money import format_money
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedAdmin, ScopedInline, refusal_text, staff_scope
from axiomatic.ledger.models import Account, Book, JournalEntry, JournalLine, LedgerSettings
from axiomatic.ledger.services import ledger_settings_may_change, ledger_settings_update


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
    list_display = ("code", "name", "type", "subtype", "cash_flow_section", "entity", "is_active")
    list_filter = ("type", "cash_flow_section", "is_active")
    list_select_related = ("entity",)
    readonly_fields = ("public_id",)
    search_fields = ("code", "name", "entity__name")


class JournalLineInline(ScopedInline, admin.TabularInline):
    """An entry's lines, amounts as money in the entity's currency (the zero side left blank)."""

    model = JournalLine
    extra = 0
    fields = ("account", "debit", "credit", "description")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("account", "book__entity")

    @admin.display(description="Debit")
    def debit(self, line: JournalLine) -> str:
        return format_money(line.debit_cents, line.book.entity.currency) if line.debit_cents else ""

    @admin.display(description="Credit")
    def credit(self, line: JournalLine) -> str:
        if not line.credit_cents:
            return ""
        return format_money(line.credit_cents, line.book.entity.currency)


@admin.register(JournalEntry)
class JournalEntryAdmin(ReadOnlyForStaff):
    """Posted entries are read-only here: corrections are new entries, posted through the service."""

    list_display = ("display_number", "date", "memo", "entity", "book", "source")
    list_select_related = ("entity", "book")
    list_filter = ("source",)
    search_fields = ("memo",)
    search_exact = ("public_id",)
    search_entity_names = ("entity",)
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


# The service's field names (the API's) and the form's.
_FORM_FIELDS = {"lockDate": "lock_date", "fiscalYearStartMonth": "fiscal_year_start_month"}
MONTHS = [(n, calendar.month_name[n]) for n in range(1, 13)]


class LedgerSettingsForm(forms.ModelForm):
    """Saved by `ledger_settings_update` in `clean()`, inside the admin's transaction, as the API's
    PATCH is: the same rules (a firm ADMIN only, no lock date after today) and the same row lock;
    a refusal shows on the form and writes nothing."""

    by = None  # the signed-in user, set by LedgerSettingsAdmin.get_form

    fiscal_year_start_month = forms.TypedChoiceField(
        label="Fiscal year starts in", choices=MONTHS, coerce=int
    )

    class Meta:
        model = LedgerSettings
        fields = ("lock_date", "fiscal_year_start_month")

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = ledger_settings_update(
                entity=self.instance.entity,
                by=self.by,
                lock_date=cleaned.get("lock_date"),
                fiscal_year_start_month=cleaned["fiscal_year_start_month"],
            )
        except ApplicationError as error:
            fields = {_FORM_FIELDS.get(name) for name in error.fields}
            if error.fields and None not in fields:
                for name, messages in error.fields.items():
                    for message in messages:
                        self.add_error(_FORM_FIELDS[name], message)
            else:
                raise forms.ValidationError(refusal_text(error)) from error
        return cleaned


@admin.register(LedgerSettings)
class LedgerSettingsAdmin(ScopedHistoryAdmin):
    """Each entity's lock date and fiscal year (one row each, made with its books). Firm staff see
    those of the entities they reach; only a firm ADMIN changes them (ADR 0023)."""

    scope_entity = "entity"
    staff_may_add = False
    form = LedgerSettingsForm
    list_display = ("entity", "lock_date", "fiscal_year_start_month", "updated_at")
    list_select_related = ("entity",)
    search_fields = ("entity__name",)
    readonly_fields = ("entity", "updated_at")
    fields = ("entity", "lock_date", "fiscal_year_start_month", "updated_at")

    def has_add_permission(self, request):
        return False  # every entity has its row (seeded with its books)

    def has_delete_permission(self, request, obj=None):
        return False  # the row is the entity's for as long as the entity exists

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or ledger_settings_may_change(user=request.user, entity=obj.entity)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        pass  # saved by ledger_settings_update in the form's clean()
