"""Serializer pieces shared by endpoints of every app."""

from rest_framework import serializers


class DateRangeQueryMixin(serializers.Serializer):
    """The contract's optional `from` and `to` dates (ISO 8601); `from` may not be after `to`.

    Why get_fields: `from` is a Python keyword, so the fields cannot be declared in the class body.
    Validated data keeps the wire names: data["from"], data["to"].
    """

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
        return attrs
