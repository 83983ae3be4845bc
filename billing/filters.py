"""The filters of the billing lists, as django-filter FilterSets run inside the selectors.

Names are snake_case: the API layer validates the contract's query parameters (clientEntityId,
status) with its query serializers, which also give the schema and the 400s, and maps them to these
names. The selector runs the FilterSet on that dict, so what a list filters on is declared in one
place, beside the model fields it reads.
"""

import django_filters

from billing.models import Invoice, InvoiceStatus, Payment


class InvoiceFilter(django_filters.FilterSet):
    client_entity_id = django_filters.CharFilter(field_name="client__public_id")
    status = django_filters.ChoiceFilter(field_name="status", choices=InvoiceStatus.choices)

    class Meta:
        model = Invoice
        fields: list[str] = []


class PaymentFilter(django_filters.FilterSet):
    client_entity_id = django_filters.CharFilter(field_name="invoice__client__public_id")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = Payment
        fields: list[str] = []
