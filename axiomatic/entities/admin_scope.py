"""The Django admin as a firm's workplace: what a staff member of a firm may see and change there.

A superuser sees everything. Anyone else with the staff flag works inside the firms they are members
of (entities with a partner enrollment): the firm itself, its reachable client entities, and what
belongs to them. ADMIN and MEMBER memberships may change things; VIEWER memberships only look.
Every ModelAdmin a firm's staff may open derives from `ScopedAdmin`, which scopes the changelist,
the change form, autocompletes, raw-id lookups, filter choices and actions through one queryset;
an object outside the scope is a 404, exactly like one that does not exist.
"""

from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import Http404

from axiomatic.entities.access import reachable_entities
from axiomatic.entities.models import WRITE_ROLES, Entity, Membership


@dataclass(frozen=True)
class StaffScope:
    firm_ids: frozenset[int]
    writable_firm_ids: frozenset[int]
    entity_ids: frozenset[int]  # the firms and the client entities they reach
    writable_entity_ids: frozenset[int]

    @property
    def read_only(self) -> bool:
        return not self.writable_firm_ids


def staff_scope(request) -> StaffScope | None:
    """None for a superuser (no limit); otherwise the user's firms. Computed once per request."""
    user = request.user
    if user.is_superuser:
        return None
    cached = getattr(request, "_staff_scope", None)
    if cached is not None:
        return cached
    roles: dict[int, set[str]] = {}
    if user.is_active and user.is_staff:
        rows = Membership.objects.filter(user=user, entity__enrollment__isnull=False).values_list(
            "entity_id", "role"
        )
        for entity_id, role in rows:
            roles.setdefault(entity_id, set()).add(role)
    firms = list(Entity.objects.filter(pk__in=roles).select_related("enrollment"))
    entity_ids: set[int] = set()
    writable_entity_ids: set[int] = set()
    for firm in firms:
        reached = set(reachable_entities(firm).values_list("pk", flat=True))
        entity_ids |= reached
        if roles[firm.pk] & WRITE_ROLES:
            writable_entity_ids |= reached
    scope = StaffScope(
        firm_ids=frozenset(f.pk for f in firms),
        writable_firm_ids=frozenset(f.pk for f in firms if roles[f.pk] & WRITE_ROLES),
        entity_ids=frozenset(entity_ids),
        writable_entity_ids=frozenset(writable_entity_ids),
    )
    request._staff_scope = scope
    return scope


def staff_firms(request) -> QuerySet[Entity]:
    scope = staff_scope(request)
    if scope is None:
        return Entity.objects.filter(enrollment__isnull=False)
    return Entity.objects.filter(pk__in=scope.firm_ids)


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin a firm's staff may use, limited to their firms.

    Set `scope_firm` to the lookup of the owning firm ("firm", "engagement__firm") or
    `scope_entity` to the lookup of an entity the firm must reach ("entity"). `staff_may_add` and
    `staff_may_delete` say whether writing staff may add or delete here at all.
    """

    scope_firm: str | None = None
    scope_entity: str | None = None
    staff_may_add = True
    staff_may_delete = False

    # -- the one queryset -------------------------------------------------------------------------
    def scope_queryset(self, queryset: QuerySet, scope: StaffScope, *, writable=False) -> QuerySet:
        if self.scope_firm:
            ids = scope.writable_firm_ids if writable else scope.firm_ids
            return queryset.filter(**{f"{self.scope_firm}__in": ids})
        if self.scope_entity:
            ids = scope.writable_entity_ids if writable else scope.entity_ids
            return queryset.filter(**{f"{self.scope_entity}__in": ids})
        return queryset.none()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = staff_scope(request)
        return queryset if scope is None else self.scope_queryset(queryset, scope)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and staff_scope(request) is not None:
            raise Http404("No such object.")  # another firm's object looks like no object
        return obj

    def _in_writable_scope(self, request, obj) -> bool:
        scope = staff_scope(request)
        if obj is None:
            return True
        model = type(obj)
        return self.scope_queryset(
            model._default_manager.filter(pk=obj.pk), scope, writable=True
        ).exists()

    # -- permissions: memberships, not Django's per-model permissions, for firm staff ----------------
    def _staff(self, request) -> StaffScope | None:
        scope = staff_scope(request)
        return scope if scope is not None and scope.firm_ids else None

    def has_module_permission(self, request):
        if staff_scope(request) is None:
            return super().has_module_permission(request)
        return self._staff(request) is not None

    def has_view_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_view_permission(request, obj)
        return self._staff(request) is not None

    def has_change_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_change_permission(request, obj)
        scope = self._staff(request)
        return bool(scope and not scope.read_only and self._in_writable_scope(request, obj))

    def has_add_permission(self, request):
        if staff_scope(request) is None:
            return super().has_add_permission(request)
        scope = self._staff(request)
        return bool(self.staff_may_add and scope and not scope.read_only)

    def has_delete_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_delete_permission(request, obj)
        scope = self._staff(request)
        return bool(
            self.staff_may_delete
            and scope
            and not scope.read_only
            and self._in_writable_scope(request, obj)
        )

    # -- choices offered in forms and filters -------------------------------------------------------
    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        scope = staff_scope(request)
        if self.scope_firm and scope is not None and len(scope.writable_firm_ids) == 1:
            initial.setdefault(self.scope_firm, next(iter(scope.writable_firm_ids)))
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = staff_scope(request)
        if db_field.name == self.scope_firm and db_field.related_model is Entity:
            # The owning firm: an enrolled firm, and for staff one they may write in.
            firms = Entity.objects.filter(enrollment__isnull=False)
            if scope is not None:
                firms = firms.filter(pk__in=scope.writable_firm_ids)
            kwargs.setdefault("queryset", firms)
        if scope is not None and "queryset" not in kwargs:
            related = self.admin_site._registry.get(db_field.related_model)
            if isinstance(related, ScopedAdmin):
                kwargs["queryset"] = related.get_queryset(request)
            elif db_field.related_model is Entity:
                kwargs["queryset"] = Entity.objects.filter(pk__in=scope.writable_entity_ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if staff_scope(request) is None:
            return filters
        # A plain related-field filter lists every row of the related table: offer only the rows
        # present in this (scoped) changelist.
        scoped = []
        for item in filters:
            if isinstance(item, str) and self._is_relation(item):
                scoped.append((item, admin.RelatedOnlyFieldListFilter))
            else:
                scoped.append(item)
        return scoped

    def _is_relation(self, name: str) -> bool:
        try:
            return self.model._meta.get_field(name).is_relation
        except Exception:  # a lookup through relations or a non-field name: leave it be
            return False


def memberships_of(scope: StaffScope) -> Q:
    """Users who belong to the scope's firms or their clients (for assignee and user choices)."""
    return Q(memberships__entity__in=scope.entity_ids)


class ScopedInline:
    """Mix into an inline shown on a ScopedAdmin page: firm staff read it (the parent page is
    already scoped) and never change it there; superusers keep Django's permissions."""

    def has_view_permission(self, request, obj=None):
        scope = staff_scope(request)
        if scope is None:
            return super().has_view_permission(request, obj)
        return bool(scope.firm_ids)

    def has_change_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_change_permission(request, obj)
        return False

    def has_add_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_add_permission(request, obj)
        return False

    def has_delete_permission(self, request, obj=None):
        if staff_scope(request) is None:
            return super().has_delete_permission(request, obj)
        return False
