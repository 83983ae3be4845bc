"""Strict serializer fields for JSON bodies.

DRF's defaults are lenient (a CharField takes 123, an IntegerField takes "12"). Our contract says
wrong types are a 400, so body fields use these instead.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from axiomatic.core.ids import ALPHABET, BODY_LENGTH, is_public_id
from axiomatic.core.money import MAX_CENTS

# A line of text with at least one visible character (surrounding spaces are trimmed).
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*[^\x00-\x20\x7f][^\x00-\x1f\x7f]*$"
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"


class StrictCharField(serializers.CharField):
    """A JSON string. With single_line=True (names), line breaks and other control characters are
    refused too: names end up in email subjects and report headers."""

    default_error_messages = {
        "invalid": "Must be a string.",
        "control": "Must be one line without control characters.",
    }

    def __init__(self, *, single_line: bool = False, **kwargs):
        self.single_line = single_line
        super().__init__(**kwargs)
        if single_line:
            # The schema says what the check enforces: no control characters (and, unless blank
            # is allowed, something visible).
            pattern = ONE_LINE_PATTERN if self.allow_blank else SINGLE_LINE_PATTERN
            schema = {"type": "string", "pattern": pattern}
            if self.max_length is not None:
                schema["maxLength"] = self.max_length
            if self.allow_null:
                schema["nullable"] = True
            self._spectacular_annotation = {"field": schema}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.single_line and any(ord(c) < 32 or ord(c) == 127 for c in data):
            self.fail("control")
        return super().to_internal_value(data)


class PublicIdField(serializers.CharField):
    """A prefixed public id (`ent_...`). Malformed is a 400; well-formed but unknown is the view's 404."""

    default_error_messages = {"invalid_id": "Not a valid {prefix}_ id."}

    def __init__(self, *, prefix: str, **kwargs):
        self.prefix = prefix
        super().__init__(**kwargs)
        pattern = rf"^{prefix}_[{ALPHABET}]{{{BODY_LENGTH}}}$"
        # drf-spectacular reads a field's own schema from the "field" key.
        self._spectacular_annotation = {
            "field": {
                "type": "string",
                "pattern": pattern,
                "example": f"{prefix}_" + "0" * BODY_LENGTH,
            }
        }

    def to_internal_value(self, data):
        if not is_public_id(data, self.prefix):
            self.fail("invalid_id", prefix=self.prefix)
        return data


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_CENTS})
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


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_CENTS})
class PositiveCentsField(CentsField):
    """A whole number of cents greater than 0 (an item's or a payment's amount)."""

    default_error_messages = {"not_positive": "Must be greater than 0."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value <= 0:
            self.fail("not_positive")
        return value


@extend_schema_field(
    {"type": "integer", "format": "int64", "minimum": -MAX_CENTS, "maximum": MAX_CENTS}
)
class SignedCentsField(CentsField):
    """A whole number of cents that may be negative (an adjustment: negative = write-down)."""

    default_error_messages = {"too_large": f"Must be between -{MAX_CENTS} and {MAX_CENTS}."}

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        if abs(data) > MAX_CENTS:
            self.fail("too_large")
        return data


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanField(serializers.Field):
    """A JSON true or false; not "yes", 1 or "true"."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if type(data) is not bool:
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return bool(value)


@extend_schema_field({"type": "string", "enum": ["true", "false", "1", "0"]})
class QueryBooleanField(serializers.Field):
    """A boolean query parameter: true, false, 1 or 0, and nothing else."""

    default_error_messages = {"invalid": "Must be true, false, 1 or 0."}
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_internal_value(self, data):
        if not isinstance(data, str) or data.lower() not in self.VALUES:
            self.fail("invalid")
        return self.VALUES[data.lower()]

    def to_representation(self, value):
        return bool(value)


@extend_schema_field(
    {"type": "number", "format": "decimal", "minimum": 0.01, "maximum": 24, "multipleOf": 0.01}
)
class HoursField(serializers.Field):
    """Hours as a JSON number with at most two decimal places, 0 < hours <= 24."""

    default_error_messages = {
        "invalid": "Must be a number.",
        "places": "Must have at most two decimal places.",
        "range": "Must be greater than 0 and at most 24.",
    }

    def to_internal_value(self, data):
        if type(data) not in (int, float):
            self.fail("invalid")
        try:
            value = Decimal(repr(data)) if isinstance(data, float) else Decimal(data)
        except InvalidOperation:
            self.fail("invalid")
        if not value.is_finite():
            self.fail("invalid")
        if value.as_tuple().exponent < -2 and value != value.quantize(Decimal("0.01")):
            self.fail("places")
        if not (0 < value <= 24):
            self.fail("range")
        return value.quantize(Decimal("0.01"))

    def to_representation(self, value):
        return float(value)


@extend_schema_field(OpenApiTypes.DOUBLE)
class DecimalNumberField(serializers.Field):
    """A Decimal shown as a JSON number (hours: 2.5), not as a string. Output only."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return float(value)


class BoundedDateField(serializers.DateField):
    """An ISO date between 1900-01-01 and 2999-12-31: room for any real period, and for the date
    arithmetic (due dates, recurrences) done on it, without overflow."""

    MIN = dt.date(1900, 1, 1)
    MAX = dt.date(2999, 12, 31)
    default_error_messages = {"bounds": "Must be between 1900-01-01 and 2999-12-31."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        schema = {"type": "string", "format": "date", "pattern": r"^(19\d\d|2\d\d\d)-\d\d-\d\d$"}
        if self.allow_null:
            schema["nullable"] = True
        self._spectacular_annotation = {"field": schema}

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not (self.MIN <= day <= self.MAX):
            self.fail("bounds")
        return day


@extend_schema_field(OpenApiTypes.INT)
class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that takes only a JSON integer (not "7", 7.5 or true)."""

    def to_internal_value(self, data):
        if type(data) is not int:
            self.fail("invalid")
        return super().to_internal_value(data)
