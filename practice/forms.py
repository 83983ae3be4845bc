"""Forms of the invitation accept page."""

from django import forms
from django.contrib.auth import authenticate

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.models import User
from practice.services.invitations import password_check


class NewAccountForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200)
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(
        label="Repeat the password", widget=forms.PasswordInput, strip=False
    )

    def __init__(self, *args, email: str, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            person = User(email=self.email, full_name=data.get("full_name") or "")
            try:
                password_check(first, user=person)
            except ApplicationError as error:
                self.add_error("password1", error.fields["password"])
        return data


class SignInForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, email: str, request=None, **kwargs):
        self.email = email
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("password"):
            self.user = authenticate(self.request, username=self.email, password=data["password"])
            if self.user is None:
                raise forms.ValidationError("That password is not right for this account.")
        return data
