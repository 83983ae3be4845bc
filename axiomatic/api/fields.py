"""Strict serializer fields for JSON bodies.

DRF's defaults are lenient (a CharField takes 123, an IntegerField takes "12"). Our contract says
wrong types are a 400, so body fields use these instead.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axiomatic.core.ids import ALPHABET, BODY_LENGTH, is_public_id
from axiomatic.core.money import MAX_CENTS


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class PublicIdField(serializers.CharField):
    """A prefixed public id (`ent_...`). Malformed is a 400; well-formed but unknown is the view's 404."""

    default_error_messages = {"invalid_id": "Not a valid {prefix}_ id."}

    def __init__(self, *, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(**kwargs)
        pattern = rf"^{prefix}_[{ALPHABET}]{{{BODY_LENGTH}}}$"
        self._spectacular_annotation = {
            "type": "string",
            "pattern": pattern,
            "example": f"{prefix}_" + "0" * BODY_LENGTH,
        }

    def to_internal_value(self, data):
        if not is_public_id(data, self.prefix):
            self.fail("invalid_id", prefix=self.prefix)
        return data


@extend_schema_field(OpenApiTypes.INT64)
class CentsField(serializers.Field):
    """A non-negative whole number of cents given as a JSON integer (not 10.5, "10" or true)."""

    default_error_messages = {
        "invalid": "Must be an integer number of cents.",
        "negative": "Must not be negative.",
        "too_large": f"Must be at most {MAX_CENTS}.",
    }

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        if data < 0:
            self.fail("negative")
        if data > MAX_CENTS:
            self.fail("too_large")
        return data

    def to_representation(self, value):
        return int(value)
