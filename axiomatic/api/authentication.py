"""Authentication: `Authorization: Bearer axk_...` firm API keys, beside Django sessions.

A request with an API key acts for the key's firm and nothing else. The request's user is an
`ApiKeyUser`, which carries the key; `request.auth` is the ApiKey row. The change history records
what the request writes as the key's (and its creator's): `axiomatic.core.history.actor_set`.

A session counts once its second factor is done (ADR 0017): a staff member who signed in with the
password but still owes a code, or an enrolment their firm requires, is not authenticated here
either, so the API is no way around the admin's second step.
"""

from django.utils.functional import cached_property
from rest_framework import authentication, exceptions

from axiomatic.accounts.selectors import mfa_step
from axiomatic.core.history import actor_set
from axiomatic.entities.models import ApiKey
from axiomatic.entities.services import api_key_authenticate

KEYWORD = "Bearer"


class ApiKeyUser:
    """The caller behind an API key: authenticated, never staff, bound to one firm."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key

    @cached_property
    def user(self):
        """The person who created the key, recorded as the author of what the key writes."""
        return self.api_key.created_by

    def __str__(self) -> str:
        return f"API key {self.api_key.display_prefix}… of {self.api_key.firm}"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        try:
            keyword, _, key = header.decode("ascii").partition(" ")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The Authorization header is not valid ASCII.")
        if keyword.lower() != KEYWORD.lower():
            # Not ours (e.g. Basic): let the other authenticators or the permission check answer.
            return None
        key = key.strip()
        if not key or " " in key:
            raise exceptions.AuthenticationFailed(
                "Malformed Authorization header: expected 'Bearer axk_...'."
            )
        api_key = api_key_authenticate(key)
        if api_key is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API key.")
        user = ApiKeyUser(api_key)
        # On the Django request, where the history middleware (and so every model save) sees it.
        actor_set(request._request, user=user.user, api_key_public_id=api_key.public_id)
        return user, api_key

    def authenticate_header(self, request) -> str:
        # Why: with a WWW-Authenticate header DRF answers 401 (not 403) to unauthenticated calls.
        return f'{KEYWORD} realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """Django's session (with its CSRF check), once the second factor is done."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and mfa_step(result[0]) is not None:
            return None
        return result
