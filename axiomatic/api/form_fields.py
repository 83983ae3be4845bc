"""Django form fields that take what the API takes, for the admin's own forms."""

from django import forms
from django.core.exceptions import ValidationError

from axiomatic.api.fields import BoundedDateField


class IsoDateField(forms.DateField):
    """An ISO date (the browser's date picker sends one) within the API's bounds."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day is not None and not (BoundedDateField.MIN <= day <= BoundedDateField.MAX):
            raise ValidationError(BoundedDateField.default_error_messages["bounds"])
        return day
