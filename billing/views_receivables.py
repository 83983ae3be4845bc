"""The receivables reports of the billing API: AR aging, WIP and realization."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from axiomatic.api.access import firm_for_request
from axiomatic.api.schema import error_responses
from axiomatic.api.views import ApiViewSet
from billing import schema_examples as examples
from billing.selectors import receivables
from billing.serializers import (
    ArAgingSerializer,
    AsOfQuerySerializer,
    RealizationQuerySerializer,
    RealizationSerializer,
    WipSerializer,
)

READ = error_responses(400, 401, 403, 404)


class ReceivablesViewSet(ApiViewSet):
    """AR aging, WIP and realization: reads of the firm's invoices, payments and time."""

    query_serializer_class = AsOfQuerySerializer

    def _as_of(self):
        access = firm_for_request(self.request, self.query["firmEntityId"])
        return access.entity, self.query.get("asOf") or timezone.localdate()

    @extend_schema(
        operation_id="practice_billing_ar_aging",
        summary="Open invoice balances as of a day, by client and days past due",
        description=(
            "Each client's open invoice balances as of `asOf` (default today), by days past due: "
            "current, 1-30, 31-60, 61-90 and over 90, with the firm's totals. Payments and voids "
            "after `asOf` are not counted."
        ),
        examples=examples.AR_AGING,
        parameters=[AsOfQuerySerializer],
        responses={200: ArAgingSerializer, **READ},
    )
    def aging(self, request):
        firm, as_of = self._as_of()
        return Response(ArAgingSerializer(receivables.ar_aging(firm=firm, as_of=as_of)).data)

    @extend_schema(
        operation_id="practice_billing_wip",
        summary="Unbilled billable time as of a day, by client, at standard value",
        description=(
            "Billable time logged on or before `asOf` (default today) and not billed by then, by "
            "client, valued at each entry's standard rate, with its oldest date."
        ),
        examples=examples.WIP,
        parameters=[AsOfQuerySerializer],
        responses={200: WipSerializer, **READ},
    )
    def wip(self, request):
        firm, as_of = self._as_of()
        return Response(WipSerializer(receivables.wip(firm=firm, as_of=as_of)).data)


class RealizationViewSet(ApiViewSet):
    query_serializer_class = RealizationQuerySerializer

    @extend_schema(
        operation_id="practice_billing_realization",
        summary="Standard, billed and collected amounts of the invoices issued in a range",
        description=(
            "For the invoices issued `from`..`to`, grouped by client, user or engagement: hours, "
            "standard value, the amount billed and the amount collected, and the two ratios "
            "(billed / standard, collected / billed; null when the base is 0)."
        ),
        examples=examples.REALIZATION,
        parameters=[RealizationQuerySerializer],
        responses={200: RealizationSerializer, **READ},
    )
    def retrieve(self, request):
        access = firm_for_request(request, self.query["firmEntityId"])
        report = receivables.realization(
            firm=access.entity,
            date_from=self.query["from"],
            date_to=self.query["to"],
            group_by=self.query["groupBy"],
        )
        return Response(RealizationSerializer(report).data)
