"""The admin site: Django's, with a firm dashboard as the start page of a firm's staff.

Feature apps add dashboard panels with `register_dashboard_panel` (in their AppConfig.ready), so the
platform shows practice and billing figures without importing either. A panel is a callable
`(request, firm) -> {"title": ..., "html": ...} | None`.

Staff with a second factor enter a code after their password, and staff whose firm requires one
enrol first (ADR 0017): every admin view runs behind `admin_view`, which sends them to the step they
owe (`axiomatic.accounts.selectors.mfa_step`) before anything else, logout and those two pages
excepted.
"""

import functools
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import path, reverse

from axiomatic.accounts import views as account_views
from axiomatic.accounts.selectors import MfaStep, mfa_step
from axiomatic.entities.access import PARTNER_PROGRAM_REQUIRED_MESSAGE
from axiomatic.entities.admin_scope import staff_firms, staff_scope

Panel = Callable[..., dict | None]
_panels: list[Panel] = []


def register_dashboard_panel(panel: Panel) -> None:
    if panel not in _panels:
        _panels.append(panel)


def mfa_exempt(view):
    """Mark an admin view that staff may open before their second-factor step."""
    view.mfa_exempt = True
    return view


_STEP_VIEWS = {MfaStep.ENROL: "admin:mfa_enrol", MfaStep.VERIFY: "admin:mfa_verify"}


class AxiomaticAdminSite(admin.AdminSite):
    site_header = "Axiomatic practice"
    site_title = "Axiomatic"
    index_title = "Workplace"
    index_template = "admin/axiomatic_index.html"

    # -- the second factor ----------------------------------------------------------------------
    def admin_view(self, view, cacheable=False):
        if getattr(view, "mfa_exempt", False):
            return super().admin_view(view, cacheable)

        @functools.wraps(view)
        def second_factor_first(request, *args, **kwargs):
            step = mfa_step(request.user)
            if step is not None:
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse(_STEP_VIEWS[step])}?{query}")
            return view(request, *args, **kwargs)

        # Django's wrapper checks the login (and staff flag) first, then ours asks for the factor.
        return super().admin_view(second_factor_first, cacheable)

    def get_urls(self):
        return [
            path("mfa/enrol/", self.admin_view(self.mfa_enrol), name="mfa_enrol"),
            path("mfa/verify/", self.admin_view(self.mfa_verify), name="mfa_verify"),
            *super().get_urls(),
        ]

    def _mfa_context(self, request) -> dict:
        # No app list beside these pages: none of its links opens before the step is done.
        return {**self.each_context(request), "is_nav_sidebar_enabled": False}

    @mfa_exempt
    def mfa_enrol(self, request):
        return account_views.mfa_enrol(request, self._mfa_context(request))

    @mfa_exempt
    def mfa_verify(self, request):
        return account_views.mfa_verify(request, self._mfa_context(request))

    @mfa_exempt
    def logout(self, request, extra_context=None):
        return super().logout(request, extra_context)

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
