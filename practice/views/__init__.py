"""The practice API: clients, invitations, time, engagements, staff and their rates, the firm's
practice settings, timers. Thin: parse, scope, call, serialize.

Every view resolves the firm first (`firmEntityId`, from the query string, or the body where the
contract puts it there), so another firm's ids and unknown ids meet the same 404 before anything else.
"""

from practice.views.clients import ClientViewSet
from practice.views.engagements import EngagementViewSet
from practice.views.settings import SettingsViewSet
from practice.views.staff import StaffViewSet
from practice.views.time import TimeViewSet
from practice.views.timers import TimerViewSet

__all__ = [
    "ClientViewSet",
    "EngagementViewSet",
    "SettingsViewSet",
    "StaffViewSet",
    "TimeViewSet",
    "TimerViewSet",
]
