"""The admin site: Django's, with a firm dashboard as the start page of a firm's staff.

Feature apps add dashboard panels with `register_dashboard_panel` (in their AppConfig.ready), so the
platform shows practice and billing figures without importing either. A panel is a callable
`(request, firm) -> {"title": ..., "html": ...} | None`.
"""

from collections.abc import Callable

from django.contrib import admin

from axiomatic.entities.access import PARTNER_PROGRAM_REQUIRED_MESSAGE
from axiomatic.entities.admin_scope import staff_firms, staff_scope

Panel = Callable[..., dict | None]
_panels: list[Panel] = []


def register_dashboard_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


class AxiomaticAdminSite(admin.AdminSite):
    site_header = "Axiomatic practice"
    site_title = "Axiomatic"
    index_title = "Workplace"
    index_template = "admin/axiomatic_index.html"

    def index(self, request, extra_context=None):
        dashboards = []
        scope = staff_scope(request)
        if scope is not None:
            for firm in staff_firms(request).order_by("name"):
                panels = [p for p in (panel(request, firm) for panel in _panels) if p]
                suspended = (
                    PARTNER_PROGRAM_REQUIRED_MESSAGE if firm.pk in scope.suspended_firm_ids else ""
                )
                dashboards.append({"firm": firm, "panels": panels, "suspended": suspended})
        context = {"dashboards": dashboards, **(extra_context or {})}
        return super().index(request, context)
