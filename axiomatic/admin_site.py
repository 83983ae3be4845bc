"""The admin site: Django's, with a firm dashboard as the start page of a firm's staff.

Feature apps add dashboard panels with `register_dashboard_panel` (in their AppConfig.ready), so the
platform shows practice and billing figures without importing either. A panel is a callable
`(request, firm) -> {"title": ..., "html": ...} | None`.

Feature apps add pages of their own (reports such as billing's AR aging) with
`admin.site.register_page(AdminPage(...))` when their admin module is imported: each is served at
`/admin/<app_label>/<slug>/` behind `admin_view`, named `admin:<app_label>_<slug>` (dashes become
underscores), and listed in its app's section of the index and the sidebar like a model, for the
users its `has_permission(request)` lets in.

Staff with a second factor enter a code after their password, and staff whose firm requires one
enrol first (ADR 0017): every admin view runs behind `admin_view`, which sends them to the step they
owe (`axiomatic.accounts.selectors.mfa_step`) before anything else, logout and those two pages
excepted.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
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


@dataclass(frozen=True)
class AdminPage:
    """An admin page that is not a model's: `view(request)` answers it, for the users that
    `has_permission(request)` lets in (others get a 403, and no link to it)."""

    app_label: str
    slug: str
    name: str
    view: Callable
    has_permission: Callable[..., bool]
    nav: bool = True  # listed in the workplace bar under the header (base_site.html)

    @property
    def url_name(self) -> str:
        return f"{self.app_label}_{self.slug.replace('-', '_')}"

    @property
    def object_name(self) -> str:
        # The app list's CSS class and element ids ("model-araging"), as a model's object_name.
        return self.name.title().replace(" ", "")


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[AdminPage] = []

    # -- feature apps' own pages ------------------------------------------------------------------
    def register_page(self, page: AdminPage) -> None:
        if any(p.url_name == page.url_name for p in self._pages):
            return  # registered already (the admin module imported twice)
        self._pages.append(page)

    def _page_view(self, page: AdminPage):
        def view(request):
            if not page.has_permission(request):
                raise PermissionDenied
            return page.view(request)

        return self.admin_view(view)

    def _build_app_dict(self, request, label=None):
        """Django's app dictionary, with each app's pages listed among its models.

        A private method of Django's AdminSite, overridden because the index, each app's index and
        the sidebar all build their lists through it (tests/admin cover all three)."""
        app_dict = super()._build_app_dict(request, label)
        for page in self._pages:
            if not page.nav or (label and page.app_label != label):
                continue  # a page reached from another (New invoice from WIP) is not listed
            if not page.has_permission(request):
                continue
            app = app_dict.get(page.app_label)
            if app is None:
                continue  # nothing else of the app is open to this user: no section to join
            app["models"].append(
                {
                    "model": None,
                    "name": page.name,
                    "object_name": page.object_name,
                    "perms": {"add": False, "change": False, "delete": False, "view": True},
                    "admin_url": reverse(f"admin:{page.url_name}", current_app=self.name),
                    "add_url": None,
                    "view_only": True,
                }
            )
        return app_dict

    def each_context(self, request):
        """Django's context for every admin page, with `workplace_pages`: the registered pages this
        user may open, as (name, url), for the bar under the header (templates/admin/base_site.html).
        """
        context = super().each_context(request)
        user = getattr(request, "user", None)
        signed_in = bool(user and user.is_active and user.is_staff)
        context["workplace_pages"] = [
            {"name": page.name, "url": reverse(f"admin:{page.url_name}", current_app=self.name)}
            for page in self._pages
            if signed_in and page.nav and page.has_permission(request)
        ]
        return context

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
            *(
                path(f"{p.app_label}/{p.slug}/", self._page_view(p), name=p.url_name)
                for p in self._pages
            ),
            *super().get_urls(),
        ]

    def _mfa_context(self, request) -> dict:
        # No app list beside these pages: none of its links opens before the step is done.
        return {
            **self.each_context(request),
            "is_nav_sidebar_enabled": False,
            "workplace_pages": [],
        }

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
