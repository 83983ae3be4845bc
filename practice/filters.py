"""The filters of the practice lists, as django-filter FilterSets run inside the selectors.

Names are snake_case: the API layer validates the contract's query parameters (clientEntityId,
from, to, unbilledOnly...) with its query serializers, which also give the schema and the 400s, and
maps them to these names. A selector runs its FilterSet on that dict, so what a list filters on is
declared in one place, beside the model fields it reads.
"""

import django_filters
from django.db.models import Q

from practice.models import BillingStatus, ClientLink, Engagement, TimeEntry


class ClientLinkFilter(django_filters.FilterSet):
    external_reference = django_filters.CharFilter(field_name="external_reference")
    # A client changes when its link (tier, rate) or its entity (name) does.
    updated_since = django_filters.IsoDateTimeFilter(method="filter_updated_since")

    class Meta:
        model = ClientLink
        fields: list[str] = []

    def filter_updated_since(self, queryset, name, value):
        return queryset.filter(Q(updated_at__gte=value) | Q(client__updated_at__gte=value))


class TimeEntryFilter(django_filters.FilterSet):
    client_entity_id = django_filters.CharFilter(field_name="client__public_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    unbilled_only = django_filters.BooleanFilter(method="filter_unbilled_only")
    engagement_id = django_filters.CharFilter(field_name="engagement__public_id")
    user_id = django_filters.CharFilter(field_name="user__public_id")
    billable = django_filters.BooleanFilter(field_name="billable")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = TimeEntry
        fields: list[str] = []

    def filter_unbilled_only(self, queryset, name, value):
        # unbilledOnly=false means "all entries", not "billed ones only".
        return queryset.filter(billing_status=BillingStatus.UNBILLED) if value else queryset


class EngagementFilter(django_filters.FilterSet):
    client_entity_id = django_filters.CharFilter(field_name="client__public_id")
    status = django_filters.CharFilter(field_name="status")
    assignee_user_id = django_filters.CharFilter(field_name="assignee__public_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Engagement
        fields: list[str] = []
