"""A firm's clients, their invitations and the firm's practice settings in the admin.

Onboarding a client is one form: its name, type and industry, the link's tier, billing mode,
default rate and reference, saved by `client_create` as the API's POST /api/practice/clients does
(entity, chart of accounts and books in one transaction; the Stripe sync after commit). Any writing
role may add one (ADMIN or MEMBER, in a firm whose enrollment is active), as in the API. The client's
page then shows what was seeded (its books and chart, with links to them) and the program's monthly
fee for its tier (practice.pricing, filled by billing at start-up), and lists its invitations with
their state, to resend or revoke; a client user is invited from there too, through
`invitation_create`, as the API's invite does.

Forms call the service in `clean()`, inside the admin's transaction, so a refusal shows on the form
as the API's message and nothing is written.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme

from axiomatic.core.errors import ApplicationError
from axiomatic.core.forms import MoneyField
from axiomatic.core.money import format_money
from axiomatic.entities.access import PARTNER_PROGRAM_REQUIRED_MESSAGE
from axiomatic.entities.admin_history import ScopedHistoryAdmin
from axiomatic.entities.admin_scope import ScopedAdmin, capped_count, refusal_text
from axiomatic.entities.models import EntityType, Role
from axiomatic.ledger.models import Account, Book
from practice.admin.common import _refusal, _run_action
from practice.admin.staff import FirmAdminWrites
from practice.models import BillingMode, ClientLink, ClientTier, FirmProfile, Invitation
from practice.pricing import tier_fees_cents
from practice.services.clients import client_archive, client_create, client_update
from practice.services.invitations import (
    InvitationState,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_state,
    invitations_in_state,
)
from practice.services.settings import firm_settings_update

# Program fees are in US dollars, as Stripe bills them (billing's price table).
PROGRAM_CURRENCY = "USD"
# The invitations a client's page lists, newest first.
INVITATIONS_SHOWN = 50
CONTROL_CHARACTERS = "Must be one line without control characters."


def _one_line(value: str) -> str:
    # The API's rule for names (StrictCharField single_line): they end up in email subjects.
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        raise ValidationError(CONTROL_CHARACTERS)
    return value


def _money_or_dash(cents: int | None, currency: str) -> str:
    return "—" if cents is None else format_money(cents, currency)


# -- the firm's practice settings ------------------------------------------------------------------

# The settings the form edits, in the order it shows them ("default_rate" is typed as money).
SETTINGS_FIELDS = (
    "require_approval",
    "time_lock_date",
    "time_rounding_minutes",
    "time_rounding_mode",
    "default_rate",
    "payment_terms_days",
    "require_mfa",
)
# The form's names of settings whose model field is named otherwise.
SETTING_NAMES = {"default_rate": "default_rate_cents"}
# Settings that always have a value: one missing from a POST keeps the current value.
_KEPT_WHEN_LEFT_OUT = ("time_rounding_minutes", "time_rounding_mode", "payment_terms_days")


class FirmProfileForm(forms.ModelForm):
    """The firm's practice settings, saved by `firm_settings_update` in `clean()` (ADR 0016, 0024):
    a firm ADMIN's to change, all of them. A setting left out of the POST stays as it is."""

    by = None  # the signed-in user, set by FirmProfileAdmin.get_form
    default_rate = MoneyField(
        label="Default rate",
        required=False,
        help_text="An hour, for clients without a rate of their own. Empty: none.",
    )

    class Meta:
        model = FirmProfile
        fields = ("firm", *(f for f in SETTINGS_FIELDS if f not in SETTING_NAMES))
        widgets = {"time_lock_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in _KEPT_WHEN_LEFT_OUT:
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk is not None:
            self.initial.setdefault("default_rate", self.instance.default_rate_cents)

    def clean(self):
        cleaned = super().clean()
        firm = self.instance.firm if self.instance.pk else cleaned.get("firm")
        if self.errors or firm is None:
            return cleaned
        changes = {
            SETTING_NAMES.get(name, name): cleaned.get(name)
            for name in SETTINGS_FIELDS
            if name in self.fields
            and not (name in _KEPT_WHEN_LEFT_OUT and cleaned.get(name) in (None, ""))
        }
        try:
            self.instance = firm_settings_update(firm=firm, by=self.by, changes=changes)
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


@admin.register(FirmProfile)
class FirmProfileAdmin(FirmAdminWrites, ScopedAdmin):
    """A firm's practice settings: approval before billing, the time lock date, invoice rounding,
    the default rate, payment terms and staff MFA. A firm ADMIN adds and changes them (until the
    first change the firm has the defaults); the firm's other staff read them."""

    scope_firm = "firm"
    form = FirmProfileForm
    fields = ("firm", *SETTINGS_FIELDS)
    list_display = (
        "firm",
        "require_approval",
        "time_lock_date",
        "rounding",
        "default_rate",
        "payment_terms_days",
        "require_mfa",
        "updated_at",
    )
    list_select_related = ("firm",)
    search_fields = ("firm__name",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def get_readonly_fields(self, request, obj=None):
        return ["firm"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        pass  # saved by firm_settings_update in the form's clean()

    @admin.display(description="Invoice rounding")
    def rounding(self, obj: FirmProfile) -> str:
        if not obj.time_rounding_minutes:
            return "None"
        return f"{obj.time_rounding_minutes} min, {obj.get_time_rounding_mode_display().lower()}"

    @admin.display(description="Default rate", ordering="default_rate_cents")
    def default_rate(self, obj: FirmProfile) -> str:
        return _money_or_dash(obj.default_rate_cents, obj.firm.currency)


# -- clients ---------------------------------------------------------------------------------------


class ClientDetailsForm(forms.ModelForm):
    """The fields a client's add and change forms share: its entity's name, type and industry,
    and its default rate typed as money."""

    client_name = forms.CharField(label="Name", max_length=200, validators=[_one_line])
    client_type = forms.ChoiceField(label="Type", choices=EntityType.choices)
    client_industry = forms.CharField(label="Industry", max_length=100, required=False)
    default_rate = MoneyField(
        label="Default rate",
        required=False,
        help_text="An hour. Empty: the staff member's rate, else the firm's default rate.",
    )


class ClientLinkAddForm(ClientDetailsForm):
    """A new client, saved by `client_create` as the API's POST /api/practice/clients: the
    entity with its chart of accounts and books, linked to the firm."""

    client_tier = forms.ChoiceField(
        label="Tier", choices=ClientTier.choices, initial=ClientTier.STARTER
    )
    billing_mode = forms.ChoiceField(
        label="Billing mode", choices=BillingMode.choices, initial=BillingMode.CONSOLIDATED
    )
    external_reference = forms.CharField(
        label="External reference",
        max_length=100,
        required=False,
        help_text="Your own id for this client (another system's), unique in the firm.",
    )

    class Meta:
        model = ClientLink
        # Only the firm is the model's: the rest goes to client_create, not onto a bare row (and
        # the link's constraints are the service's to check, with the API's messages).
        fields = ("firm",)

    field_order = (
        "firm",
        "client_name",
        "client_type",
        "client_industry",
        "client_tier",
        "billing_mode",
        "default_rate",
        "external_reference",
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # The created link becomes the form's instance: the admin logs it and opens its page.
            self.instance = client_create(
                firm=cleaned["firm"],
                name=cleaned["client_name"],
                type=cleaned["client_type"],
                industry=cleaned.get("client_industry") or "",
                tier=cleaned["client_tier"],
                billing_mode=cleaned["billing_mode"],
                external_reference=cleaned.get("external_reference") or None,
                default_rate_cents=cleaned.get("default_rate"),
            )
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


class ClientLinkForm(ClientDetailsForm):
    """The client's details (its entity's name, type, industry) and the link's terms, in one form
    saved by `client_update`, as the API's PATCH does: the `client.updated` event, the reference
    check and billing's follow-up happen whichever door the change came through. (The entity's own
    admin is read-only for firm staff: the platform may not call practice's service.)"""

    class Meta:
        model = ClientLink
        fields = ("client_tier", "billing_mode", "external_reference")
        labels = {"client_tier": "Tier"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            client = self.instance.client
            self.initial.update(
                client_name=client.name,
                client_type=client.type,
                client_industry=client.industry,
                default_rate=self.instance.default_rate_cents,
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.instance.pk is None:
            return cleaned
        client = self.instance.client
        entity = {"name": "client_name", "type": "client_type", "industry": "client_industry"}
        changes = {
            key: cleaned.get(field) or ""
            for key, field in entity.items()
            if (cleaned.get(field) or "") != getattr(client, key)
        }
        changes |= {
            "tier": cleaned["client_tier"],
            "billing_mode": cleaned["billing_mode"],
            "default_rate_cents": cleaned.get("default_rate"),
            "external_reference": cleaned.get("external_reference") or None,
        }
        try:
            self.saved = client_update(link=self.instance, changes=changes)
        except ApplicationError as error:
            raise _refusal(error) from error
        return cleaned


class InviteForm(forms.Form):
    """Invite a client user: the API's invite body (email, role)."""

    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(
        label="Role", choices=Role.choices, initial=Role.VIEWER, required=False
    )

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or Role.VIEWER  # the API's default


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed and target.startswith("/") else fallback


class WriteViews:
    """What the clients' and invitations' own POST pages share: the object through the admin's
    read scope (another firm's and an unknown id are the same 404), then the write scope (a VIEWER
    gets a 403; a suspended firm's staff the API's message)."""

    def writable_object(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such object.")
        if not self.has_change_permission(request, obj):
            rows = self.get_queryset(request).filter(pk=obj.pk)
            if self.write_refusal(request, rows) == PARTNER_PROGRAM_REQUIRED_MESSAGE:
                self.message_user(request, PARTNER_PROGRAM_REQUIRED_MESSAGE, messages.ERROR)
                return HttpResponseRedirect(self.page_of(obj))
            raise PermissionDenied
        return obj

    def page_of(self, obj) -> str:
        opts = self.model._meta
        return reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change",
            args=[obj.pk],
            current_app=self.admin_site.name,
        )


@admin.register(ClientLink)
class ClientLinkAdmin(WriteViews, ScopedHistoryAdmin):
    """A firm's clients: added through `client_create`, changed through `client_update` (the event,
    program billing and Stripe follow), archived through `client_archive`, as through the API."""

    scope_firm = "firm"
    form = ClientLinkForm
    add_form = ClientLinkAddForm
    change_form_template = "admin/practice/clientlink/change_form.html"
    list_display = (
        "client",
        "firm",
        "client_tier",
        "billing_mode",
        "default_rate",
        "external_reference",
        "archived_at",
    )
    list_filter = ("client_tier", "billing_mode", ("archived_at", admin.EmptyFieldListFilter))
    list_select_related = ("client", "firm")
    search_fields = ("client__name", "firm__name", "public_id", "external_reference")
    readonly_fields = (
        "public_id",
        "firm",
        "client_entity",
        "books",
        "chart_of_accounts",
        "monthly_fee",
        "archived_at",
        "created_at",
        "updated_at",
    )
    add_fields = ClientLinkAddForm.field_order
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "public_id",
                    "firm",
                    "client_entity",
                    "client_name",
                    "client_type",
                    "client_industry",
                    "client_tier",
                    "billing_mode",
                    "default_rate",
                    "external_reference",
                )
            },
        ),
        (
            "Books and program fee",
            {
                "fields": ("books", "chart_of_accounts", "monthly_fee"),
                "description": "Seeded when the client was added: its books and the standard "
                "chart of accounts, to read here and in Ledger.",
            },
        ),
        ("Record", {"fields": ("archived_at", "created_at", "updated_at")}),
    )
    actions = ("archive",)

    # -- adding ----------------------------------------------------------------------------------
    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return ((None, {"fields": self.add_fields}),)
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else super().get_readonly_fields(request, obj)

    def save_model(self, request, obj, form, change):
        pass  # saved by client_create / client_update in the form's clean()

    def response_add(self, request, obj, post_url_continue=None):
        if "_addanother" in request.POST or "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request,
            f"Added {obj.client.name}: its chart of accounts and books are seeded.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.page_of(obj))

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {"title": "Add a client", **(extra_context or {})}
        return super().add_view(request, form_url, extra_context)

    # -- the client's page -----------------------------------------------------------------------
    def get_urls(self):
        invite = self.admin_site.admin_view(self.invite_view)
        return [
            path("<path:object_id>/invite/", invite, name="practice_clientlink_invite"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        link = self.get_object(request, unquote(object_id))  # 404 outside the scope
        context = dict(extra_context or {})
        if link is not None:
            context.update(
                title="Client",
                subtitle=link.client.name,
                client_name=link.client.name,
                invitation_rows=self._invitation_rows(link),
                invite_form=InviteForm(auto_id="invite-%s")
                if self._may_invite(request, link)
                else None,
                invite_url=reverse(
                    "admin:practice_clientlink_invite",
                    args=[link.pk],
                    current_app=self.admin_site.name,
                ),
                may_write=self.has_change_permission(request, link),
            )
        return super().change_view(request, object_id, form_url, context)

    def _may_invite(self, request, link: ClientLink) -> bool:
        return link.archived_at is None and self.has_change_permission(request, link)

    def _invitation_rows(self, link: ClientLink) -> list[dict]:
        invitations = Invitation.objects.filter(firm_id=link.firm_id, entity_id=link.client_id)
        now = timezone.now()
        rows = []
        for invitation in invitations.select_related("invited_by").order_by("-created_at", "-id")[
            :INVITATIONS_SHOWN
        ]:
            state = invitation_state(invitation, now=now)
            rows.append({"invitation": invitation, "state": state, "open": _open(state)})
        return rows

    def invite_view(self, request, object_id):
        link = self.writable_object(request, object_id)
        if not isinstance(link, ClientLink):
            return link  # a refusal
        back = self.page_of(link) + "#invitations"
        if link.archived_at is not None:
            self.message_user(request, "This client is archived: it has no users to invite.")
            return HttpResponseRedirect(back)
        form = InviteForm(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    self.message_user(request, f"{label}: {error}", messages.ERROR)
            return HttpResponseRedirect(back)
        try:
            invitation, created = invitation_create(
                firm=link.firm,
                entity=link.client,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ApplicationError as error:
            self.message_user(request, refusal_text(error), messages.ERROR)
            return HttpResponseRedirect(back)
        done = "Invited" if created else "Sent the pending invitation again to"
        self.message_user(request, f"{done} {invitation.email}.", messages.SUCCESS)
        return HttpResponseRedirect(back)

    # -- what the page and the list show ---------------------------------------------------------
    @admin.display(description="Client entity")
    def client_entity(self, obj: ClientLink) -> str:
        url = reverse("admin:entities_entity_change", args=[obj.client_id])
        return format_html('<a href="{}">{}</a> ({})', url, obj.client.name, obj.client.public_id)

    @admin.display(description="Name")
    def client_name(self, obj: ClientLink) -> str:
        return obj.client.name

    @admin.display(description="Type")
    def client_type(self, obj: ClientLink) -> str:
        return obj.client.get_type_display()

    @admin.display(description="Industry")
    def client_industry(self, obj: ClientLink) -> str:
        return obj.client.industry

    @admin.display(description="Default rate", ordering="default_rate_cents")
    def default_rate(self, obj: ClientLink) -> str:
        return _money_or_dash(obj.default_rate_cents, obj.firm.currency)

    @admin.display(description="Books")
    def books(self, obj: ClientLink) -> str:
        books = Book.objects.filter(entity_id=obj.client_id).order_by("-is_primary", "name")
        if not books:
            return "None"
        items = format_html_join(
            ", ",
            '<a href="{}">{}</a> ({}{})',
            (
                (
                    reverse("admin:ledger_book_change", args=[b.pk]),
                    b.name,
                    b.get_basis_display().lower(),
                    ", primary" if b.is_primary else "",
                )
                for b in books
            ),
        )
        return format_html("{} {}", len(books), items)

    @admin.display(description="Chart of accounts")
    def chart_of_accounts(self, obj: ClientLink) -> str:
        count = capped_count(Account.objects.filter(entity_id=obj.client_id))
        url = reverse("admin:ledger_account_changelist") + f"?entity__id__exact={obj.client_id}"
        return format_html('<a href="{}">{} accounts</a>', url, count)

    @admin.display(description="Monthly program fee")
    def monthly_fee(self, obj: ClientLink) -> str:
        cents = tier_fees_cents()[obj.client_tier]
        payer = (
            "paid by the firm"
            if obj.billing_mode == BillingMode.CONSOLIDATED
            else "billed to the client"
        )
        return format_html(
            '<span class="amount">{}</span> a month ({} tier, {})',
            format_money(cents, PROGRAM_CURRENCY),
            obj.get_client_tier_display(),
            payer,
        )

    @admin.action(description="Archive selected clients", permissions=["change"])
    def archive(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.filter(archived_at__isnull=True),
            lambda link: client_archive(link=link),
            "Archived {count} client(s).",
        )


# -- invitations -------------------------------------------------------------------------------


def _open(state: str) -> bool:
    """Whether staff may still resend or revoke it."""
    return state in (InvitationState.PENDING, InvitationState.EXPIRED)


class InvitationStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [(s.value, s.value.capitalize()) for s in InvitationState]

    def queryset(self, request, queryset):
        if self.value() in set(InvitationState):
            return invitations_in_state(queryset, self.value())
        return queryset


@admin.register(Invitation)
class InvitationAdmin(WriteViews, ScopedAdmin):
    """Client users invited by the firm: their state, resent (a new link and expiry) or revoked
    here, through the invitation services. New ones come from the client's page."""

    scope_firm = "firm"
    staff_may_add = False
    change_form_template = "admin/practice/invitation/change_form.html"
    list_display = (
        "email",
        "entity",
        "firm",
        "role",
        "state",
        "expires_at",
        "sent_count",
        "last_sent_at",
        "last_error",
    )
    list_filter = (InvitationStateFilter, "role")
    list_select_related = ("entity", "firm")
    search_fields = ("email", "entity__name", "public_id")
    readonly_fields = (
        "public_id",
        "firm",
        "entity",
        "email",
        "role",
        "state",
        "expires_at",
        "invited_by",
        "sent_count",
        "last_sent_at",
        "last_error",
        "accepted_at",
        "accepted_by",
        "created_at",
    )
    fields = readonly_fields
    actions = ("resend", "revoke")

    def get_urls(self):
        def named(view, suffix):
            view = self.admin_site.admin_view(view)
            return path(f"<path:object_id>/{suffix}/", view, name=f"practice_invitation_{suffix}")

        return [
            named(self.resend_view, "resend"),
            named(self.revoke_view, "revoke"),
            *super().get_urls(),
        ]

    @admin.display(description="State")
    def state(self, obj: Invitation) -> str:
        return invitation_state(obj).value.capitalize()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invitation = self.get_object(request, unquote(object_id))  # 404 outside the scope
        context = dict(extra_context or {})
        if invitation is not None:
            writable = self.has_change_permission(request, invitation)
            context["may_act"] = writable and _open(invitation_state(invitation))
        return super().change_view(request, object_id, form_url, context)

    def _act(self, request, object_id, service, done: str):
        invitation = self.writable_object(request, object_id)
        if not isinstance(invitation, Invitation):
            return invitation  # a refusal
        back = _safe_next(request, self.page_of(invitation))
        try:
            service(invitation)
        except ApplicationError as error:
            self.message_user(request, f"{invitation.email}: {refusal_text(error)}", messages.ERROR)
        else:
            self.message_user(request, done.format(email=invitation.email), messages.SUCCESS)
        return HttpResponseRedirect(back)

    def resend_view(self, request, object_id):
        return self._act(
            request, object_id, self._resend(request), "Resent the invitation to {email}."
        )

    def revoke_view(self, request, object_id):
        return self._act(
            request, object_id, self._revoke(request), "Revoked the invitation to {email}."
        )

    def _resend(self, request):
        return lambda inv: invitation_resend(
            firm=inv.firm, public_id=inv.public_id, invited_by=request.user
        )

    def _revoke(self, request):
        return lambda inv: invitation_revoke(
            firm=inv.firm, public_id=inv.public_id, by=request.user
        )

    @admin.action(description="Resend invitation (new link, new expiry)", permissions=["change"])
    def resend(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.select_related("firm"),
            self._resend(request),
            "Resent {count} invitation(s).",
        )

    @admin.action(description="Revoke invitation (its link stops working)", permissions=["change"])
    def revoke(self, request, queryset):
        _run_action(
            self,
            request,
            queryset.select_related("firm"),
            self._revoke(request),
            "Revoked {count} invitation(s).",
        )
