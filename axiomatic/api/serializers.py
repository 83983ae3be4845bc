"""Serializer pieces shared by endpoints of every app."""

from collections.abc import Mapping

from rest_framework import serializers

from axiomatic.api.fields import PublicIdField


class DateRangeQueryMixin(serializers.Serializer):
    """The contract's optional `from` and `to` dates (ISO 8601); `from` may not be after `to`.

    Why get_fields: `from` is a Python keyword, so the fields cannot be declared in the class body.
    Validated data keeps the wire names: data["from"], data["to"].
    """

    # The longest range a caller may ask for, in days (None: no limit).
    max_range_days: int | None = None

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="Start date (ISO 8601).")
        fields["to"] = serializers.DateField(required=False, help_text="End date (ISO 8601).")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        start, end = attrs.get("from"), attrs.get("to")
        if start and end and start > end:
            raise serializers.ValidationError({"from": ["Must not be after 'to'."]})
        if start and end and self.max_range_days and (end - start).days > self.max_range_days:
            raise serializers.ValidationError(
                {"from": [f"The range may span at most {self.max_range_days} days."]}
            )
        return attrs


class FirmQuerySerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent")


class FirmBodySerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent", required=False)


# A PATCH body: `firmEntityId` may name the firm (or the query string does), and at least one other
# field must be given. (A comment, not a docstring: drf-spectacular would publish a docstring as the
# description of every subclass.)
class FirmPatchSerializer(serializers.Serializer):
    firmEntityId = PublicIdField(prefix="ent", required=False)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if not set(attrs) - {"firmEntityId"}:
            raise serializers.ValidationError("Nothing to change: give at least one field.")
        return attrs


def renamed(data: Mapping, names: Mapping[str, str]) -> dict:
    """The contract's camelCase keys present in `data`, under the snake_case names that services
    and selectors take (`names`: wire name -> Python name). Keys not in `names` are left out: each
    view says exactly what it passes down."""
    return {names[key]: value for key, value in data.items() if key in names}
