"""The Django admin as a firm's workplace: what a staff member of a firm may see and change there.

A superuser sees everything. Anyone else with the staff flag works inside the firms they are members
of (entities with a partner enrollment): the firm itself, its reachable client entities, and what
belongs to them. ADMIN and MEMBER memberships may change things; VIEWER memberships only look.
Every ModelAdmin a firm's staff may open derives from `ScopedAdmin`, which scopes the changelist,
the change form, autocompletes, raw-id lookups and filter choices through one queryset (the read
scope); an object outside the scope is a 404, exactly like one that does not exist.

Reading and writing are two scopes, because one person can hold two roles: ADMIN of one firm and
VIEWER of another sees both firms but may change only the first. Actions therefore act on the
writable scope alone (`scope_queryset(..., writable=True)`), whatever rows were selected; the rest
are skipped with a message saying why.

A firm whose partner enrollment is not active (suspended, cancelled) follows the API's rule
(`axiomatic.api.access`): its client entities drop out of reach (`reachable_entities`), its own
records stay readable, and every write is refused with the API's `partner_program_required` message.

A firm's changelists stay fast however many rows it has (issue 20: 200,000 time entries): the
paginator counts at most `COUNT_CAP` + 1 rows (a COUNT over a LIMIT subquery) and then says
"10,000+", the unfiltered total is never counted (`show_full_result_count = False`), the date
hierarchy's years and months come from the first and last date (an index's two ends) instead of a
DISTINCT over every row, and a related-field filter offers the related rows the staff member
reaches instead of the DISTINCT values of the whole changelist. A search on a big list matches ids
exactly (`search_exact`) and entities by the start of their name (`search_entity_names`, through
the ids of the entities in reach), so the one substring column left (a memo, a description) is
all the database scans, with a trigram index behind it on PostgreSQL.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Paginator
from django.db.models import Max, Min, Q, QuerySet
from django.http import Http404
from django.utils.functional import cached_property

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.access import (
    PARTNER_PROGRAM_REQUIRED_MESSAGE,
    enrollment_is_active,
    may_write,
    reachable_entities,
    role_may_write,
)
from axiomatic.entities.models import Entity, Membership

READ_ONLY_ROLE = "Your role in this firm is read-only."
# At most this many entities whose names start with a search term are searched for (a firm's
# whole client list, for a term like "client"; a superuser's search is no wider).
ENTITY_SEARCH_CAP = 2_000


def refusal_text(error: ApplicationError) -> str:
    """A service's refusal as one sentence for a person: its message, then only the field details
    that add something (services often repeat the message as the field's detail)."""
    details = [
        f"{field}: {msg}"
        for field, msgs in error.fields.items()
        for msg in msgs
        if msg not in error.message
    ]
    return " ".join([error.message, *details]).strip()


@dataclass(frozen=True)
class StaffScope:
    firm_ids: frozenset[int]
    writable_firm_ids: frozenset[int]
    entity_ids: frozenset[int]  # the firms and the client entities they reach
    writable_entity_ids: frozenset[int]
    # Firms whose enrollment is not active: readable, never writable (the API's 403).
    suspended_firm_ids: frozenset[int] = frozenset()
    # Firms where the role would allow writing, active or not: what an add form may offer, so a
    # suspended firm's staff get the API's message rather than a bare 403.
    write_role_firm_ids: frozenset[int] = frozenset()

    @property
    def read_only(self) -> bool:
        return not self.write_role_firm_ids


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
        # A suspended firm reaches only itself (the API's rule): its clients drop out here.
        reached = set(reachable_entities(firm).values_list("pk", flat=True))
        entity_ids |= reached
        if may_write(firm, *roles[firm.pk]):
            writable_entity_ids |= reached
    scope = StaffScope(
        firm_ids=frozenset(f.pk for f in firms),
        writable_firm_ids=frozenset(f.pk for f in firms if may_write(f, *roles[f.pk])),
        entity_ids=frozenset(entity_ids),
        writable_entity_ids=frozenset(writable_entity_ids),
        suspended_firm_ids=frozenset(f.pk for f in firms if not enrollment_is_active(f)),
        write_role_firm_ids=frozenset(f.pk for f in firms if role_may_write(*roles[f.pk])),
    )
    request._staff_scope = scope
    return scope


def staff_firms(request) -> QuerySet[Entity]:
    scope = staff_scope(request)
    if scope is None:
        return Entity.objects.filter(enrollment__isnull=False)
    return Entity.objects.filter(pk__in=scope.firm_ids)


# -- changelists that never count or scan a firm's whole table ---------------------------------------

COUNT_CAP = 10_000


class CappedCount(int):
    """A row count that stopped at `COUNT_CAP` + 1: it pages and compares as that number and reads
    "10,000+" wherever the admin prints it (the paginator, "N results", "Select all N")."""

    def __str__(self) -> str:
        return f"{COUNT_CAP:,}+"

    def __format__(self, spec: str) -> str:
        return str(self) if not spec else int.__format__(self, spec)

    def __repr__(self) -> str:
        return f"CappedCount({int(self)})"


def capped_count(queryset: QuerySet) -> int:
    """How many rows `queryset` has, counted as the paginator counts (at most `COUNT_CAP` + 1)."""
    counted = queryset.order_by()[: COUNT_CAP + 1].count()
    return CappedCount(counted) if counted > COUNT_CAP else counted


class CappedPaginator(Paginator):
    """Django's paginator, counting at most `COUNT_CAP` + 1 rows.

    `count` is `SELECT COUNT(*) FROM (SELECT id ... LIMIT 10001)`: a few milliseconds whatever the
    table's size, exact up to the cap. Past it the count is a `CappedCount`, and pages past the
    cap's last one still open (their rows are read with OFFSET like any page; a page past the end
    is the admin's "invalid page" redirect)."""

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return len(rows)
        return capped_count(rows)

    @property
    def capped(self) -> bool:
        return isinstance(self.count, CappedCount)

    def validate_number(self, number):
        if not self.capped:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().validate_number(number)  # Django's PageNotAnInteger
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = self.object_list[bottom : bottom + self.per_page]
        if number > self.num_pages and not rows:  # evaluates the page once, kept in its cache
            raise EmptyPage(self.error_messages["no_results"])
        return self._get_page(rows, number, self)


def _periods(first: dt.date, last: dt.date, kind: str) -> list[dt.date]:
    """Every year (or month) from `first`'s to `last`'s, as the first day of each."""
    if kind == "year":
        return [dt.date(year, 1, 1) for year in range(first.year, last.year + 1)]
    months, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


class _DatesFromBounds:
    """Mixed into a changelist's queryset: `dates(field, "year" | "month")` (what the date
    hierarchy lists) from the first and last date, one MIN/MAX read off an index's two ends,
    instead of a DISTINCT over every row. A year or month without rows may then be offered (it
    lists nothing); the days of a month are still the real ones (one month is a small range).

    Django's tag asks this queryset for the same MIN/MAX first (to pick the level to show): the
    answer is kept on the queryset, so the bounds are read once per page."""

    def aggregate(self, *args, **kwargs):
        cache = self.__dict__.setdefault("_aggregates", {})
        key = repr((args, sorted(kwargs.items())))
        if key not in cache:
            cache[key] = super().aggregate(*args, **kwargs)
        return dict(cache[key])

    def dates(self, field_name, kind, order="ASC"):
        if kind not in ("year", "month"):
            return super().dates(field_name, kind, order)
        bounds = self.aggregate(first=Min(field_name), last=Max(field_name))
        if bounds["first"] is None:
            return []
        periods = _periods(bounds["first"], bounds["last"], kind)
        return periods if order == "ASC" else periods[::-1]


_bounded_classes: dict[type, type] = {}


def _with_bounded_dates(queryset: QuerySet) -> QuerySet:
    cls = type(queryset)
    if issubclass(cls, _DatesFromBounds):
        return queryset
    bounded = _bounded_classes.get(cls)
    if bounded is None:
        bounded = _bounded_classes[cls] = type(
            f"Bounded{cls.__name__}", (_DatesFromBounds, cls), {}
        )
    clone = queryset._chain()
    clone.__class__ = bounded
    return clone


class ScopedChangeList(ChangeList):
    """The changelist of a ScopedAdmin: its queryset's date hierarchy reads bounds, not rows."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if self.date_hierarchy and exclude_parameters is None:
            field = self.model._meta.get_field(self.date_hierarchy.split("__")[0])
            if field.get_internal_type() == "DateField":
                return _with_bounded_dates(queryset)
        return queryset


class ScopedAdmin(admin.ModelAdmin):
    """A ModelAdmin a firm's staff may use, limited to their firms.

    Set `scope_firm` to the lookup of the owning firm ("firm", "engagement__firm") or
    `scope_entity` to the lookup of an entity the firm must reach ("entity"); `client_fields` names
    the entity fields that hold a client. `staff_may_add` and `staff_may_delete` say whether
    writing staff may add or delete here at all.
    """

    scope_firm: str | None = None
    scope_entity: str | None = None
    # Entity fields that hold a client (their autocomplete offers clients only, never a firm).
    client_fields: tuple[str, ...] = ("client",)
    staff_may_add = True
    staff_may_delete = False

    # Searched besides `search_fields`, as whole terms: fields matched exactly (ids, references:
    # their unique indexes), and entity foreign keys matched by the start of the entity's name.
    search_exact: tuple[str, ...] = ()
    search_entity_names: tuple[str, ...] = ()

    # A firm's lists are long (200,000 time entries): count at most COUNT_CAP rows, never the
    # unfiltered total ("N total" becomes "Show all").
    paginator = CappedPaginator
    show_full_result_count = False

    def get_changelist(self, request, **kwargs):
        return ScopedChangeList

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

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if not term or not (self.search_exact or self.search_entity_names):
            return found, may_have_duplicates
        arms = Q()
        for name in self.search_exact:
            arms |= Q(**{name: term})
        if self.search_entity_names:
            entities = Entity.objects.filter(name__istartswith=term)
            scope = staff_scope(request)
            if scope is not None:
                entities = entities.filter(pk__in=scope.entity_ids)
            # A list of ids, not a join: each arm of the OR stays on this table's own indexes.
            ids = list(entities.values_list("pk", flat=True)[:ENTITY_SEARCH_CAP])
            for name in self.search_entity_names if ids else ():
                arms |= Q(**{f"{name}_id__in": ids})
        if not arms:  # no exact field, no entity by that name: the substring search alone
            return found, may_have_duplicates
        if self.search_fields:
            return found | queryset.filter(arms), may_have_duplicates
        return queryset.filter(arms), may_have_duplicates

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and staff_scope(request) is not None:
            raise Http404("No such object.")  # another firm's object looks like no object
        return obj

    # -- writing: only ever inside the writable scope ------------------------------------------------
    def writable_queryset(self, request, queryset: QuerySet) -> QuerySet:
        """The part of `queryset` this request may change. Every action runs on this, never on the
        read scope: a VIEWER of one firm who is ADMIN of another must not act on the first."""
        scope = staff_scope(request)
        return queryset if scope is None else self.scope_queryset(queryset, scope, writable=True)

    def write_refusal(self, request, queryset: QuerySet) -> str:
        """Why rows of `queryset` (outside the writable scope) may not change: the API's words."""
        scope = staff_scope(request)
        owner = self.scope_firm or self.scope_entity
        if scope is not None and scope.suspended_firm_ids and owner:
            owners = set(queryset.values_list(owner, flat=True))
            if owners & scope.suspended_firm_ids:
                return PARTNER_PROGRAM_REQUIRED_MESSAGE
        return READ_ONLY_ROLE

    def get_actions(self, request):
        actions = super().get_actions(request)
        if staff_scope(request) is None:
            return actions
        return {
            name: (self._on_writable_rows(func), name, description)
            for name, (func, _, description) in actions.items()
        }

    def _on_writable_rows(self, func):
        @functools.wraps(func)
        def action(model_admin, request, queryset):
            writable = model_admin.writable_queryset(request, queryset)
            skipped = queryset.exclude(pk__in=writable.values("pk"))
            count = skipped.count()
            if count:
                opts = model_admin.model._meta
                noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
                model_admin.message_user(
                    request,
                    f"Skipped {count} selected {noun}: "
                    f"{model_admin.write_refusal(request, skipped)}",
                    messages.ERROR,
                )
            if not writable.exists():
                return None
            return func(model_admin, request, writable)

        return action

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        scope = staff_scope(request)
        if scope is None or not self.scope_firm or self.scope_firm not in form.base_fields:
            return form
        attrs = {"scope_firm": self.scope_firm, "suspended_firm_ids": scope.suspended_firm_ids}
        return type(form.__name__, (_RefuseSuspendedFirm, form), attrs)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        scope = staff_scope(request)
        if scope is not None and scope.suspended_firm_ids and request.method == "GET":
            # Say why the page is read-only, as the API would answer a write.
            rows = self.get_queryset(request).filter(pk=unquote(object_id))
            if self.write_refusal(request, rows) == PARTNER_PROGRAM_REQUIRED_MESSAGE:
                self.message_user(request, PARTNER_PROGRAM_REQUIRED_MESSAGE, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)

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
                # Suspended firms are offered too, so that choosing one answers with the API's
                # message (`_RefuseSuspendedFirm`) instead of a choice that is silently missing.
                firms = firms.filter(pk__in=scope.write_role_firm_ids)
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
        # this staff member reaches (ScopedRelatedFieldListFilter).
        scoped = []
        for item in filters:
            if isinstance(item, str) and self._is_relation(item):
                scoped.append((item, ScopedRelatedFieldListFilter))
            else:
                scoped.append(item)
        return scoped

    def reachable_related(self, request, field) -> QuerySet | frozenset | None:
        """The rows of `field`'s related model a filter may offer this staff member without reading
        this changelist: entities they reach (clients only for a client field, their firms for the
        owning firm's), or what the related model's scoped admin shows. None: no such scope."""
        scope = staff_scope(request)
        if scope is None:
            return None
        related = field.related_model
        if related is Entity:
            if field.name in self.client_fields:
                return scope.entity_ids - scope.firm_ids
            if field.name == self.scope_firm:
                return scope.firm_ids
            return scope.entity_ids
        related_admin = self.admin_site._registry.get(related)
        if isinstance(related_admin, ScopedAdmin) and related is not self.model:
            return related_admin.get_queryset(request).values("pk")
        return None

    def _is_relation(self, name: str) -> bool:
        try:
            return self.model._meta.get_field(name).is_relation
        except Exception:  # a lookup through relations or a non-field name: leave it be
            return False


class ScopedRelatedFieldListFilter(admin.RelatedOnlyFieldListFilter):
    """A related-field filter for firm staff. Its choices are the related rows the staff member
    reaches (`ScopedAdmin.reachable_related`: their clients, their firms' engagements, ...), read
    without touching the changelist's table: Django's RelatedOnlyFieldListFilter asks for the
    DISTINCT values of the whole (scoped) changelist, a scan of every time entry of the firm. Choices
    may include a client with no row here (it filters to an empty list). Where the related model has
    no scope of its own, Django's filter stays."""

    def field_choices(self, field, request, model_admin):
        reachable = None
        if isinstance(model_admin, ScopedAdmin):
            reachable = model_admin.reachable_related(request, field)
        if reachable is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": reachable}, ordering=ordering
        )


class _RefuseSuspendedFirm:
    """Mixed into a scoped admin's form: a write for a firm whose enrollment is not active is
    refused with the API's message before the form's own clean() (and its service) runs."""

    scope_firm: str
    suspended_firm_ids: frozenset[int]

    def clean(self):
        firm = self.cleaned_data.get(self.scope_firm)
        if firm is not None and firm.pk in self.suspended_firm_ids:
            raise ValidationError(PARTNER_PROGRAM_REQUIRED_MESSAGE)
        return super().clean()


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
