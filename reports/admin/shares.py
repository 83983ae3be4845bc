"""Share links in the admin (Reports > Report shares): what each shows, who made it, until when,
its state, how often and when it was opened, and every open; staff who may write revoke a link
from its page or from the list's action, through `share_revoke`, the API's own service.

A link is made on the Statements page (or through the API); its token is shown once, there, and
never again: this page has only its public id."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from axiomatic.core.errors import ApplicationError
from axiomatic.entities.admin_scope import ScopedAdmin, refusal_text
from reports.models import ReportShare
from reports.selectors import share_access_list
from reports.services import share_revoke
from reports.statements import COMPARE_TITLES, TITLES, CompareMode, ReportType

# The one way these pages show a moment and a day (ISO, the admin's input format).
WHEN_FORMAT = "%Y-%m-%d %H:%M"
DAY_FORMAT = "%Y-%m-%d"


def when(moment) -> str | None:
    return timezone.localtime(moment).strftime(WHEN_FORMAT) if moment else None


def report_title(report_type: str) -> str:
    try:
        return TITLES[ReportType(report_type)]
    except ValueError:
        return report_type


def period_text(share: ReportShare) -> str:
    return f"{share.date_from:{DAY_FORMAT}} – {share.date_to:{DAY_FORMAT}}"


def share_state(share: ReportShare, now=None) -> str:
    """Live, or why the link no longer opens (the order `share_open` refuses in)."""
    now = now or timezone.now()
    if share.revoked_at is not None:
        return "Revoked"
    if share.expires_at <= now:
        return "Expired"
    if share.max_access_count is not None and share.access_count >= share.max_access_count:
        return "Used up"
    return "Live"


def opens_text(share: ReportShare) -> str:
    if share.max_access_count is None:
        return str(share.access_count)
    return f"{share.access_count} of {share.max_access_count}"


@admin.register(ReportShare)
class ReportShareAdmin(ScopedAdmin):
    """Share links are made on the Statements page or through the API; staff read and revoke here."""

    scope_entity = "entity"
    staff_may_add = False
    change_form_template = "admin/reports/reportshare/change_form.html"
    list_display = (
        "public_id",
        "entity",
        "report",
        "period",
        "created_by",
        "expires",
        "state",
        "opens",
        "last_opened",
    )
    list_filter = ("entity", "report_type", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("entity", "created_by")
    search_fields = ("public_id", "entity__name")
    # Nothing here is edited by hand: a share link is what it was made as, until revoked.
    fields = (
        "public_id",
        "entity",
        "book",
        "report",
        "period",
        "comparison",
        "created_by",
        "created",
        "expires",
        "state",
        "opens",
        "last_opened",
        "revoked",
        "opens_log",
    )
    readonly_fields = fields
    actions = ("revoke",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entity", "book", "created_by")

    def has_add_permission(self, request):
        return False

    # -- what a link shows ----------------------------------------------------------------------
    @admin.display(description="Report", ordering="report_type")
    def report(self, share):
        return report_title(share.report_type)

    @admin.display(description="Period", ordering="date_to")
    def period(self, share):
        return period_text(share)

    @admin.display(description="Compared with")
    def comparison(self, share):
        return COMPARE_TITLES[CompareMode(share.compare)] if share.compare else "Nothing"

    @admin.display(description="Created", ordering="created_at")
    def created(self, share):
        return when(share.created_at)

    @admin.display(description="Expires", ordering="expires_at")
    def expires(self, share):
        return when(share.expires_at)

    @admin.display(description="State")
    def state(self, share):
        return share_state(share)

    @admin.display(description="Opens", ordering="access_count")
    def opens(self, share):
        return opens_text(share)

    @admin.display(description="Last opened", ordering="last_accessed_at")
    def last_opened(self, share):
        return when(share.last_accessed_at)

    @admin.display(description="Revoked")
    def revoked(self, share):
        return when(share.revoked_at)

    @admin.display(description="Opens of this link")
    def opens_log(self, share):
        """Every open (the latest ACCESS_LOG_LIMIT), newest first: one query however many."""
        rows = list(share_access_list(share=share))
        if not rows:
            return "Not opened yet."
        body = format_html_join(
            "",
            "<tr><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            ((when(row.accessed_at), row.ip_hash[:16], row.user_agent or "-") for row in rows),
        )
        note = ""
        if share.access_count > len(rows):
            note = format_html(
                '<p class="help">The latest {} of {} opens.</p>', len(rows), share.access_count
            )
        return format_html(
            '<table class="share-opens"><caption class="visually-hidden">Opens of {}</caption>'
            '<thead><tr><th scope="col">Opened</th><th scope="col">Address (hashed)</th>'
            '<th scope="col">Browser (user agent)</th></tr></thead><tbody>{}</tbody></table>{}',
            share.public_id,
            body,
            note,
        )

    # -- the share's page: read-only, with a Revoke button ------------------------------------------
    def get_urls(self):
        revoke = self.admin_site.admin_view(require_POST(self.revoke_view))
        return [
            path("<path:object_id>/revoke/", revoke, name="reports_reportshare_revoke"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        share = self.get_object(request, unquote(object_id)) if request.method == "GET" else None
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            **(
                {"subtitle": f"{share.public_id} · {report_title(share.report_type)}"}
                if share
                else {}
            ),
            "may_revoke": bool(
                share and share.revoked_at is None and self.has_change_permission(request, share)
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def revoke_view(self, request, object_id):
        share = self.get_object(request, unquote(object_id))
        if share is None:  # a superuser naming nothing (firm staff get the 404 from get_object)
            raise Http404("No such share link.")
        if not self.has_change_permission(request, share):
            raise PermissionDenied
        page = reverse("admin:reports_reportshare_change", args=[share.pk])
        if share.revoked_at is not None:
            self.message_user(request, "This share link was already revoked.", messages.INFO)
            return redirect(page)
        try:
            share_revoke(entity=share.entity, public_id=share.public_id)
        except ApplicationError as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
            return redirect(page)
        self.message_user(
            request, "Share link revoked: it no longer opens, for anyone.", messages.SUCCESS
        )
        return redirect(page)

    @admin.action(description="Revoke selected share links", permissions=["change"])
    def revoke(self, request, queryset):
        # Say what happened to each selected link: a "success" for nothing revoked misleads.
        already = queryset.filter(revoked_at__isnull=False).count()
        revoked = 0
        for share in queryset.filter(revoked_at__isnull=True).select_related("entity"):
            try:
                share_revoke(entity=share.entity, public_id=share.public_id)
                revoked += 1
            except ApplicationError as error:
                self.message_user(request, f"{share}: {refusal_text(error)}", messages.ERROR)
        if revoked:
            self.message_user(request, f"Revoked {revoked} share link(s).", messages.SUCCESS)
        if already:
            self.message_user(
                request, f"{already} share link(s) were already revoked.", messages.INFO
            )
        if not revoked and not already:
            self.message_user(request, "No share link was revoked.", messages.WARNING)
