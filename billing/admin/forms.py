"""The billing admin's own forms: a payment as staff type it, and the receivables reports' query.

Amounts are typed in currency units ("1234.56") and read into exact cents by
`axiomatic.core.money.parse_money`; dates are ISO dates inside the API's bounds (1900 to 2999), so
the reports' date arithmetic cannot overflow whatever is typed. Whether a payment is allowed (its
balance, the invoice's status, the books) is the service's to decide, not the form's.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from axiomatic.api.form_fields import IsoDateField
from axiomatic.core.money import parse_money
from billing.models import PaymentMethod
from billing.serializers import MAX_RECIPIENTS


class PaymentForm(forms.Form):
    """Money received against an invoice. `cleaned_data["amount"]` is in cents."""

    amount = forms.CharField(
        max_length=30,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "placeholder": "1234.56", "autocomplete": "off"}
        ),
    )
    date = IsoDateField(initial=timezone.localdate)
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.ACH)
    reference = forms.CharField(
        max_length=200, required=False, help_text="A check number, a transfer's reference."
    )

    def __init__(self, *args, currency: str, owner: str | None = None, **kwargs):
        """`owner`: the id of the <form> element the fields belong to, when they are rendered
        outside it (HTML's `form` attribute)."""
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)
        self.fields["amount"].label = f"Amount ({currency})"
        if owner:
            for field in self.fields.values():
                field.widget.attrs["form"] = owner

    def clean_amount(self) -> int:
        try:
            cents = parse_money(self.cleaned_data["amount"])
        except ValueError:
            raise ValidationError("Enter an amount like 1234.56.") from None
        if cents <= 0:
            raise ValidationError("Must be more than 0.")
        return cents


class ReportQueryForm(forms.Form):
    """The firm (when the user reaches more than one) and the day a report is as of (default
    today). Always bound: an empty query is the default report."""

    firm = forms.ChoiceField(required=False)
    as_of = IsoDateField(label="As of", required=False)

    def __init__(self, data, *, firms: list):
        data = data.copy()
        if not data.get("as_of"):
            data["as_of"] = timezone.localdate().isoformat()
        if len(firms) == 1 and not data.get("firm"):
            data["firm"] = firms[0].public_id
        super().__init__(data)
        self.firms = {firm.public_id: firm for firm in firms}
        self.fields["firm"].choices = [
            ("", "Choose a firm"),
            *((f.public_id, f.name) for f in firms),
        ]

    def clean_firm(self):
        """The chosen firm (an Entity), or None when none is chosen yet."""
        return self.firms.get(self.cleaned_data["firm"])

    @property
    def several_firms(self) -> bool:
        return len(self.firms) > 1


class InvoiceSendForm(forms.Form):
    """Whom to email an invoice to (empty: the client's ADMIN users) and a note for them."""

    to = forms.CharField(
        label="To",
        required=False,
        max_length=5000,
        help_text="Email addresses, separated by commas. Leave empty to send to the client's "
        "admin users.",
        widget=forms.TextInput(attrs={"size": 60}),
    )
    message = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4, "cols": 60})
    )

    def clean_to(self) -> list[str]:
        addresses = [a.strip().lower() for a in re.split(r"[,;\s]+", self.cleaned_data["to"])]
        addresses = list(dict.fromkeys(a for a in addresses if a))
        bad = []
        for address in addresses:
            try:
                validate_email(address)
            except ValidationError:
                bad.append(address)
        if bad:
            raise ValidationError(f"Not an email address: {', '.join(bad)}.")
        if len(addresses) > MAX_RECIPIENTS:
            raise ValidationError(f"At most {MAX_RECIPIENTS} addresses.")
        return addresses
