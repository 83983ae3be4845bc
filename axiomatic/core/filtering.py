"""Running a django-filter FilterSet inside a selector.

Selectors take their filters as a dict of snake_case names (already validated by the API layer's
query serializers, which speak the contract's names and give the 400s). `filtered` runs the
FilterSet over a queryset; should a value still be refused (a caller that skipped validation), it
is the same 400 in the one error shape, never a silently unfiltered list.
"""

from collections.abc import Mapping

from django.db.models import QuerySet

from axiomatic.core.errors import field_errors


def filtered(filterset_class, queryset: QuerySet, filters: Mapping | None) -> QuerySet:
    filterset = filterset_class(data=dict(filters or {}), queryset=queryset)
    if not filterset.is_valid():
        raise field_errors({name: list(messages) for name, messages in filterset.errors.items()})
    return filterset.qs
