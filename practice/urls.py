"""Explicit paths, exactly as the contract spells them (docs/adr/0002)."""

from django.urls import path

from practice import views
from practice.views.approvals import TimeApprovalViewSet

clients = views.ClientViewSet
time = views.TimeViewSet
engagements = views.EngagementViewSet

urlpatterns = [
    path("clients", clients.as_view({"get": "list", "post": "create"}), name="practice-clients"),
    path(
        "clients/<str:entity_id>",
        clients.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"}),
        name="practice-client",
    ),
    path(
        "clients/<str:entity_id>/invite",
        clients.as_view({"post": "invite"}),
        name="practice-client-invite",
    ),
    path(
        "time",
        time.as_view({"get": "list", "post": "create", "delete": "destroy"}),
        name="practice-time",
    ),
    # Before time/<str:time_entry_id>, which would take "approve" for an id (docs/adr/0025).
    path(
        "time/approve",
        TimeApprovalViewSet.as_view({"post": "approve"}),
        name="practice-time-approve",
    ),
    path(
        "time/unapprove",
        TimeApprovalViewSet.as_view({"post": "unapprove"}),
        name="practice-time-unapprove",
    ),
    path(
        "time/<str:time_entry_id>",
        time.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="practice-time-entry",
    ),
    path(
        "time/<str:time_entry_id>/history",
        time.as_view({"get": "history"}),
        name="practice-time-entry-history",
    ),
    path(
        "engagements",
        engagements.as_view({"get": "list", "post": "create", "patch": "patch_collection"}),
        name="practice-engagements",
    ),
    path(
        "engagements/<str:engagement_id>",
        engagements.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="practice-engagement",
    ),
    path(
        "engagements/<str:engagement_id>/tasks/<str:task_id>/complete",
        engagements.as_view({"post": "complete_task"}),
        name="practice-task-complete",
    ),
    path(
        "engagements/<str:engagement_id>/tasks/<str:task_id>/reopen",
        engagements.as_view({"post": "reopen_task"}),
        name="practice-task-reopen",
    ),
]

# Staff, their rates and the firm's practice settings.
urlpatterns += [
    path("staff", views.StaffViewSet.as_view({"get": "list"}), name="practice-staff"),
    path(
        "staff/<str:user_id>/rates",
        views.StaffViewSet.as_view({"post": "add_rate"}),
        name="practice-staff-rates",
    ),
    path(
        "settings",
        views.SettingsViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="practice-settings",
    ),
]

# --- Timers
timers = views.TimerViewSet
urlpatterns += [
    path("timers", timers.as_view({"get": "list", "post": "create"}), name="practice-timers"),
    path("timers/<str:timer_id>", timers.as_view({"delete": "destroy"}), name="practice-timer"),
    path(
        "timers/<str:timer_id>/stop",
        timers.as_view({"post": "stop"}),
        name="practice-timer-stop",
    ),
]
