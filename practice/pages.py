"""Pages for people outside the firm: accepting an invitation, and the client home page."""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from axiomatic.entities.models import Membership, User
from axiomatic.ledger.models import Book
from practice.forms import NewAccountForm, SignInForm
from practice.services.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_for_token,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"


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


@login_required
def client_home(request):
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("entity")
        .prefetch_related(Prefetch("entity__books", queryset=Book.objects.order_by("id")))
        .order_by("entity__name", "id")
    )
    today = timezone.localdate()
    context = {
        "memberships": memberships,
        "today": today,
        "year_start": today.replace(month=1, day=1),
    }
    return render(request, "practice/client_home.html", context)
