"""Change history on the wire: `GET .../{id}/history` of a time entry or an invoice.

    {"history": [{"at": "...Z", "change": "updated", "by": {"userId": "usr_...", "apiKeyId": "key_..."},
                  "reason": null, "fields": {"hours": {"from": 2.0, "to": 3.0}}}],
     "hasMore": false, "nextCursor": null}

Oldest first, paginated like every list (`limit`, `cursor`). Each resource names the fields it
shows, under the names and in the types its own representation uses (`hours` a number, `rate`
cents, `engagementId` a public id): `history_serializer` builds the typed schema from that table,
with one shared `{from, to}` component per value type.
"""

from collections.abc import Callable, Mapping

from rest_framework import serializers
from rest_framework.response import Response

from axiomatic.api.fields import DecimalNumberField
from axiomatic.api.pagination import PageParamsSerializer, keyset_page
from axiomatic.core.history import KINDS

# A shown field: its wire name and the serializer field class that renders its values.
Shown = tuple[str, type[serializers.Field]]

_KIND_NAMES = {
    serializers.CharField: "String",
    serializers.IntegerField: "Integer",
    serializers.BooleanField: "Boolean",
    serializers.DateField: "Date",
    serializers.DateTimeField: "DateTime",
    DecimalNumberField: "Number",
}
_pairs: dict[type, type[serializers.Serializer]] = {}


def _pair(field_class: type[serializers.Field]) -> type[serializers.Serializer]:
    """`{"from": ..., "to": ...}` of one value type (`from` is a keyword: built, not declared)."""
    if field_class not in _pairs:
        kind = _KIND_NAMES.get(field_class, field_class.__name__.removesuffix("Field"))
        _pairs[field_class] = type(
            f"{kind}Change",
            (serializers.Serializer,),
            {
                "from": field_class(source="old", allow_null=True),
                "to": field_class(source="new", allow_null=True),
            },
        )
    return _pairs[field_class]


class ActorSerializer(serializers.Serializer):
    userId = serializers.CharField(
        source="user_public_id",
        allow_null=True,
        help_text="The user who made the change (for an API key, the key's creator).",
    )
    apiKeyId = serializers.CharField(
        source="api_key_public_id",
        allow_null=True,
        help_text="The API key the change was made with; null for a staff session. Both null: "
        "the platform itself (a scheduled task).",
    )


class _ChangeSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    change = serializers.ChoiceField(choices=sorted(KINDS.values()), source="kind")
    by = ActorSerializer(source="*")
    reason = serializers.CharField(
        allow_null=True, help_text='Why, when the platform knows ("Billed on INV-000042").'
    )


def history_serializer(name: str, shown: Mapping[str, Shown]) -> type[serializers.Serializer]:
    """The history envelope of resource `name`: `shown` maps model field names (as the selector's
    changes name them) to their wire names and value types. Only changed fields appear."""
    changed = type(
        f"{name}ChangedFields",
        (serializers.Serializer,),
        {
            # DRF refuses a `source` equal to the field's name.
            wire: _pair(kind)(required=False, **({"source": field} if field != wire else {}))
            for field, (wire, kind) in shown.items()
        },
    )
    change = type(f"{name}Change", (_ChangeSerializer,), {"fields": changed()})
    return type(
        f"{name}History",
        (serializers.Serializer,),
        {
            "history": change(many=True),
            "hasMore": serializers.BooleanField(),
            "nextCursor": serializers.CharField(allow_null=True),
        },
    )


def history_response(
    request, records, *, changes_of: Callable, serializer_class, salt: str
) -> Response:
    """One page of `records` (oldest first), each record's changes, in `serializer_class`'s shape."""
    params = PageParamsSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    page = keyset_page(
        records,
        ordering=("history_id",),
        limit=params.validated_data["limit"],
        cursor=params.validated_data.get("cursor"),
        salt=salt,
    )
    body = {
        "history": changes_of(page.items),
        "hasMore": page.has_more,
        "nextCursor": page.next_cursor,
    }
    return Response(serializer_class(body).data)
