"""Form fields for people: amounts typed in currency units, shown back the same way.

`MoneyField` is how a form asks a person for money ("150.00", "$1,234.56"): it cleans to integer
cents through `parse_money` (the one place that reads amounts) and shows cents through
`format_cents`, so no form names or shows cents. Model fields stay `*_cents`; the form maps them.
"""

from django import forms
from django.core.exceptions import ValidationError

from axiomatic.core.money import format_cents, parse_money


class MoneyInput(forms.TextInput):
    """A text box for an amount: shows cents as "1,234.56" and opens the numeric keyboard."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, int) and not isinstance(value, bool):
            return format_cents(value, parentheses=False)
        return super().format_value(value)


class MoneyField(forms.Field):
    """An amount in currency units, cleaned to integer cents (None when left empty and not
    required). `min_cents` refuses smaller amounts (0 by default: no negative money typed)."""

    widget = MoneyInput
    default_error_messages = {
        "invalid": "Enter an amount like 1,234.56.",
        "min_cents": "Must be at least %(minimum)s.",
    }

    def __init__(self, *, min_cents: int = 0, **kwargs):
        self.min_cents = min_cents
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        try:
            cents = parse_money(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if cents < self.min_cents:
            raise ValidationError(
                self.error_messages["min_cents"],
                code="min_cents",
                params={"minimum": format_cents(self.min_cents, parentheses=False)},
            )
        return cents

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial) != self.to_python(data)
        except ValidationError:
            return True
