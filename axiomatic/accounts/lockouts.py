"""How django-axes counts failed logins here (ADR 0017).

Axes records each failed login by account and by client address and refuses both once either has
AXES_FAILURE_LIMIT failures within AXES_COOLOFF_TIME. Two adjustments:

- The account is the email as we store it (trimmed, lower-cased), so "Alice@Firm.test" and
  "alice@firm.test" count as one account, as they are one account at login.
- Axes stores and logs the request's path with each attempt. The invitation page's path carries its
  token, so the handler records the URL *pattern* instead (`/invitations/accept/<str:token>`), as
  the request log does: no token reaches axes' tables or its log lines.
"""

from axes.handlers.database import AxesDatabaseHandler


def login_username(request, credentials: dict | None) -> str | None:
    """The account a login attempt names: AXES_USERNAME_CALLABLE."""
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "POST", {}).get("username")
    return username.strip().lower() if isinstance(username, str) else None


def _path_pattern(request) -> None:
    match = getattr(request, "resolver_match", None)
    request.axes_path_info = "/" + match.route if match is not None else "<unresolved path>"


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database handler, recording URL patterns instead of paths."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is not None:
            _path_pattern(request)
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        _path_pattern(request)
        return super().user_logged_in(sender, request, user, **kwargs)

    def user_logged_out(self, sender, request, user, **kwargs):
        _path_pattern(request)
        return super().user_logged_out(sender, request, user, **kwargs)
