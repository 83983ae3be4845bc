"""Forms of the login pages: a second-factor code, and a password reset request."""

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from axiomatic.accounts import services


class MfaCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class PasswordResetRequestForm(PasswordResetForm):
    """Django's form (it finds the active accounts with a usable password for the address); the
    email is queued instead of sent in the request, so the page answers alike, and as fast, whether
    or not an account exists."""

    def save(self, **kwargs) -> None:
        services.password_reset_request(users=self.get_users(self.cleaned_data["email"]))
