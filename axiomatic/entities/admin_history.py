"""The admin's History page from the change history (django-simple-history), inside the firm's scope.

simple-history's admin lists an object's records and what each changed, and falls back to the
records of an object that no longer exists (a deleted time entry keeps its history). Both its
views look records up by primary key alone; here they only ever see records inside the staff
member's read scope, so another firm's history, live or deleted, is the same 404 as none. Its
"revert to this version" is a form save that would bypass the services: it is off, the version
page is read-only, and a POST to it is refused.
"""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from axiomatic.entities.admin_scope import ScopedAdmin, StaffScope, staff_scope


class ScopedHistoryAdmin(SimpleHistoryAdmin, ScopedAdmin):
    """A ScopedAdmin with the History page of the model's change history."""

    history_list_display = ("api_key",)

    def scope_history(self, records, scope: StaffScope):
        """`scope_queryset` on history records: the same lookups, the tracked row's own id for
        its primary key (a record's `pk` is the record's)."""
        lookup = self.scope_firm or self.scope_entity
        if lookup is None:
            return records.none()
        if lookup == "pk":
            lookup = self.model._meta.pk.attname
        ids = scope.firm_ids if self.scope_firm else scope.entity_ids
        return records.filter(**{f"{lookup}__in": ids})

    def get_history_queryset(self, request, history_manager, pk_name, object_id):
        records = super().get_history_queryset(request, history_manager, pk_name, object_id)
        scope = staff_scope(request)
        return records if scope is None else self.scope_history(records, scope)

    def _checked_id(self, value: str):
        """A primary key from the URL; junk is a 404 (simple-history's views would raise)."""
        try:
            return self.model._meta.pk.to_python(unquote(value))
        except ValidationError:
            raise Http404("No such object.") from None

    def history_view(self, request, object_id, extra_context=None):
        self._checked_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied  # no reverting: changes go through the services
        pk = self._checked_id(object_id)
        records = self.get_history_queryset(
            request, self.model.history, self.model._meta.pk.attname, pk
        )
        if not version_id.isdigit() or not records.filter(history_id=version_id).exists():
            raise Http404("No such object.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def api_key(self, record) -> str:
        """The History page's column beside "Changed by": the API key a change was made with."""
        return record.history_api_key_public_id or "-"
