"""Pages for people outside the firm: accepting an invitation, and the client home page.

The client home page shows one card per entity the user belongs to: its books and statements, and
whatever the apps above practice add through `client_home_sections` (billing: the entity's
invoices). Practice cannot import those apps; they register a section provider in their
AppConfig.ready. A provider is called once per page with every entity, so a page costs the same
number of queries whatever the number of entities:
`provider(*, request, entities: list[Entity]) -> {entity pk: html}`, leaving out the entities it
has nothing to show for.
"""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from axiomatic.core.hooks import Registry
from axiomatic.entities.models import Membership, User
from axiomatic.ledger.models import Book, LedgerSettings
from axiomatic.ledger.periods import fiscal_year_start
from practice.forms import NewAccountForm, SignInForm
from practice.services.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_for_token,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"

client_home_sections = Registry("client home section")

# The statements a client's card links to (`report` of GET /api/reports/pdf). Practice sits beside
# reports and cannot import its list, so the names are spelled here, in the order people read them.
STATEMENT_REPORTS = (
    ("balance_sheet", "Balance sheet"),
    ("income_statement", "Income statement"),
    ("cash_flow", "Cash-flow statement"),
    ("trial_balance", "Trial balance"),
    ("general_ledger", "General ledger"),
)


def _unusable(request, error: InvitationUnusable):
    return render(
        request,
        "practice/invitation_unusable.html",
        {"problem": error.problem},
        status=error.status_code,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_page(request, token: str):
    try:
        invitation = invitation_for_token(token)
    except InvitationUnusable as error:
        return _unusable(request, error)

    existing = User.objects.filter(email__iexact=invitation.email).first()
    signed_in = request.user.is_authenticated and request.user.email == invitation.email
    if signed_in:
        mode, form_class = "confirm", None
    elif existing is not None and existing.has_usable_password():
        mode, form_class = "sign_in", SignInForm
    else:
        mode, form_class = "new", NewAccountForm

    form = None
    if form_class is NewAccountForm:
        form = NewAccountForm(request.POST or None, email=invitation.email)
    elif form_class is SignInForm:
        form = SignInForm(request.POST or None, email=invitation.email, request=request)

    status = 200
    if request.method == "POST":
        if form is None or form.is_valid():
            try:
                if mode == "confirm":
                    membership = invitation_accept(token=token, user=request.user)
                elif mode == "sign_in":
                    membership = invitation_accept(token=token, user=form.user)
                else:
                    membership = invitation_accept(
                        token=token,
                        full_name=form.cleaned_data["full_name"],
                        password=form.cleaned_data["password1"],
                    )
            except InvitationUnusable as error:
                return _unusable(request, error)
            login(request, membership.user, backend=BACKEND)
            return redirect("client-home")
        status = 400
    return render(
        request,
        "practice/invitation_accept.html",
        {"invitation": invitation, "mode": mode, "form": form},
        status=status,
    )


def _sections(request, memberships: list[Membership]) -> dict[int, list[str]]:
    """Each entity's sections from the registered providers, in registration order."""
    entities = [membership.entity for membership in memberships]
    sections: dict[int, list[str]] = {entity.pk: [] for entity in entities}
    if not entities:
        return sections
    for _key, provider in client_home_sections.items():
        for entity_pk, html in provider(request=request, entities=entities).items():
            if entity_pk in sections:  # never a card for an entity the user is not in
                sections[entity_pk].append(html)
    return sections


def _start_month(entity) -> int:
    # The settings row came with the entity (select_related); an entity without one yet has the
    # defaults (ledger_settings_get's rule), January among them.
    try:
        return entity.ledger_settings.fiscal_year_start_month
    except LedgerSettings.DoesNotExist:
        return LedgerSettings().fiscal_year_start_month


@never_cache
@login_required
def client_home(request):
    memberships = list(
        Membership.objects.filter(user=request.user)
        .select_related("entity", "entity__ledger_settings")
        .prefetch_related(Prefetch("entity__books", queryset=Book.objects.order_by("id")))
        .order_by("entity__name", "id")
    )
    sections = _sections(request, memberships)
    today = timezone.localdate()
    context = {
        # Each card's statements run over its entity's fiscal year to date.
        "cards": [
            (m, sections[m.entity.pk], fiscal_year_start(today, _start_month(m.entity)))
            for m in memberships
        ],
        "today": today,
        "statement_reports": STATEMENT_REPORTS,
    }
    return render(request, "practice/client_home.html", context)
