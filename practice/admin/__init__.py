"""Practice in the admin: the firm staff's daily work, through the same services as the API.

Forms call the service in `clean()`, inside the admin's transaction, so a refusal (a billed entry, a
task of another engagement, a duplicate reference) shows on the form as the API's message, and
nothing is written. Actions call services too and report refusals as admin messages.
"""

import practice.admin.timesheet  # noqa: F401  (registers the Timesheet page)
from practice.admin import review, staff  # noqa: F401 (review registers its pages)
from practice.admin.clients import ClientLinkAdmin, FirmProfileAdmin, InvitationAdmin
from practice.admin.engagements import EngagementAdmin, TaskAdmin
from practice.admin.staff import StaffRateAdmin
from practice.admin.time import TimeEntryAdmin

__all__ = [
    "ClientLinkAdmin",
    "EngagementAdmin",
    "FirmProfileAdmin",
    "InvitationAdmin",
    "StaffRateAdmin",
    "TaskAdmin",
    "TimeEntryAdmin",
]

staff.register()  # the Staff page, listed under Practice
