"""The reports app in the admin: share links (`shares`) and the Statements page (`statements`)."""

from reports.admin import shares, statements

__all__ = ["shares", "statements"]
