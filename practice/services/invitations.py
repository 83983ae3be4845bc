"""Invitations of client users: create or resend, email, revoke, accept.

The token exists in clear only inside the email: the send step mints a fresh random token, keeps its
SHA-256 hash and mails the link. A resend mints a new one (the old link stops working), so a token is
never stored, queued or logged. Accepting locks the invitation row first, so two simultaneous accepts
make one membership; the second sees the invitation already used. Revoking locks it too, so a revoke
and an accept that race end with exactly one of them done.

An invitation is in one of four states (`invitation_state`): pending, accepted, revoked (stored as
its status) or expired (pending, past its expiry: nothing stores that, time does).
"""

import hashlib
import logging
import secrets
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from axiomatic.core.db import in_savepoint
from axiomatic.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    RateLimitedError,
    field_errors,
)
from axiomatic.core.hooks import Hook
from axiomatic.core.ratelimit import window_hit
from axiomatic.entities.models import Entity, Membership, Role, User
from axiomatic.entities.services import user_get_or_create
from practice import events, selectors
from practice.errors import PracticeErrorCode
from practice.models import Invitation, InvitationStatus

logger = logging.getLogger(__name__)

INVITATION_TTL = timedelta(days=7)
TOKEN_BYTES = 32
ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.ADMIN: 2}

# invitation_email_queue(invitation_id): mail it after commit (practice.tasks, plugged in by ready).
invitation_email_queue = Hook("queue an invitation email")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sends_allowed(email: str) -> None:
    """429 once the address has had its invitation emails for the hour or the day."""
    caller = hashlib.sha256(email.encode()).hexdigest()  # no address in cache keys
    for limit, window, span in (
        (settings.INVITATION_SENDS_PER_HOUR, 3600, "an hour"),
        (settings.INVITATION_SENDS_PER_DAY, 86400, "a day"),
    ):
        wait = window_hit("invitation-email", caller, limit, window_seconds=window)
        if wait is not None:
            raise RateLimitedError(
                f"{email} has been sent {limit} invitation emails in {span}, the most we send. "
                "Try again later, or check the address with the client.",
                retry_after=wait,
            )


@transaction.atomic
def invitation_create(*, firm: Entity, entity: Entity, email: str, role: str, invited_by=None):
    """Invite `email` to `entity`, or resend the pending invitation that address already has.

    Returns (invitation, created). The email goes out after commit.
    """
    email = email.strip().lower()
    _sends_allowed(email)
    expires_at = timezone.now() + INVITATION_TTL
    pending = (
        Invitation.objects.select_for_update()
        .filter(entity=entity, email=email, status=InvitationStatus.PENDING)
        .first()
    )
    created = pending is None
    if created:

        def resend_the_winners(error):  # a concurrent invite of the same address won
            nonlocal created
            created = False
            return Invitation.objects.select_for_update().get(
                entity=entity, email=email, status=InvitationStatus.PENDING
            )

        invitation = in_savepoint(
            lambda: Invitation.objects.create(
                firm=firm,
                entity=entity,
                email=email,
                role=role,
                expires_at=expires_at,
                invited_by=invited_by,
            ),
            on_conflict=resend_the_winners,
        )
    else:
        invitation = pending
    if not created:
        invitation.role = role
        invitation.expires_at = expires_at
        invitation.save(update_fields=["role", "expires_at", "updated_at"])
    transaction.on_commit(lambda: invitation_email_queue(invitation.pk))
    return invitation, created


class InvitationState(StrEnum):
    """What staff see of an invitation: its status, with a pending one past its expiry as expired."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def invitation_state(invitation: Invitation, *, now=None) -> InvitationState:
    if invitation.status == InvitationStatus.PENDING:
        expired = invitation.expires_at <= (now or timezone.now())
        return InvitationState.EXPIRED if expired else InvitationState.PENDING
    return InvitationState(invitation.status)


def invitations_in_state(invitations, state: str, *, now=None):
    """`invitations` (a queryset) narrowed to one state, as `invitation_state` names them."""
    now = now or timezone.now()
    if state == InvitationState.PENDING:
        return invitations.filter(status=InvitationStatus.PENDING, expires_at__gt=now)
    if state == InvitationState.EXPIRED:
        return invitations.filter(status=InvitationStatus.PENDING, expires_at__lte=now)
    return invitations.filter(status=state)


def _locked(*, firm: Entity, public_id: str) -> Invitation:
    """The firm's invitation, locked; another firm's and an unknown id are the same 404."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("entity")
        .filter(firm=firm, public_id=public_id)
        .first()
    )
    if invitation is None:
        raise NotFoundError()
    return invitation


def _refuse_unless_pending(invitation: Invitation, what: str) -> None:
    if invitation.status != InvitationStatus.PENDING:
        raise ConflictError(
            f"This invitation is {invitation.get_status_display().lower()}: only a pending "
            f"invitation can be {what}.",
            code=PracticeErrorCode.INVALID_STATUS_TRANSITION,
        )


@transaction.atomic
def invitation_resend(*, firm: Entity, public_id: str, invited_by=None) -> Invitation:
    """Send a pending invitation again: a new link and a new expiry (an expired one too). An
    accepted or revoked one is refused: invite the address again instead."""
    invitation = _locked(firm=firm, public_id=public_id)
    _refuse_unless_pending(invitation, "sent again")
    invitation, _ = invitation_create(
        firm=firm,
        entity=invitation.entity,
        email=invitation.email,
        role=invitation.role,
        invited_by=invited_by,  # who sent this link, as the API records it
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, firm: Entity, public_id: str, by: User | None = None) -> Invitation:
    """Withdraw a pending invitation (an expired one too): its link then opens the "withdrawn"
    page. Accepted and already revoked invitations are refused (409).

    Why lock first: an accept running at the same moment either finishes before (the revoke is
    then refused as accepted) or waits and finds the invitation revoked."""
    invitation = _locked(firm=firm, public_id=public_id)
    _refuse_unless_pending(invitation, "revoked")
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    logger.info(
        "invitation %s revoked by %s",
        invitation.public_id,
        getattr(by, "public_id", None) or "the platform",
    )
    return invitation


def accept_url(token: str) -> str:
    return settings.SITE_URL + reverse("invitation-accept", args=[token])


@transaction.atomic
def invitation_send(*, invitation_id: int) -> bool:
    """Mint a fresh token and mail the link. False (nothing sent) if the invitation is no longer open."""
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("entity", "firm", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != InvitationStatus.PENDING:
        return False
    if invitation.expires_at <= timezone.now():
        return False
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation.token_hash = _hash(token)
    invitation.sent_count += 1
    invitation.last_sent_at = timezone.now()
    invitation.last_error = ""
    invitation.save(
        update_fields=["token_hash", "sent_count", "last_sent_at", "last_error", "updated_at"]
    )
    context = {
        "invitation": invitation,
        "firm_name": invitation.firm.name,
        "entity_name": invitation.entity.name,
        "role": invitation.get_role_display(),
        "accept_url": accept_url(token),
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
    }
    message = EmailMultiAlternatives(
        # Why split/join: a name with a line break must not become a header break.
        subject=" ".join(
            f"{invitation.firm.name} invites you to {invitation.entity.name} on Axiomatic".split()
        ),
        body=render_to_string("emails/invitation.txt", context),
        to=[invitation.email],
    )
    message.attach_alternative(render_to_string("emails/invitation.html", context), "text/html")
    message.send()
    events.invitation_event("invitation.sent", invitation=invitation)
    return True


def invitation_record_send_failure(*, invitation_id: int, error: str) -> None:
    Invitation.objects.filter(pk=invitation_id).update(last_error=error[:2000])


def password_check(password: str | None, *, user: User) -> None:
    """Django's validators (AUTH_PASSWORD_VALIDATORS), against the person the password is for, so
    that one like their email is refused; a refusal is a validation error on `password`."""
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as error:
        raise field_errors({"password": list(error.messages)}) from error


class InvitationProblem(StrEnum):
    """Why a link cannot be used; the page says it plainly."""

    INVALID = "invalid"  # no such token: never issued, tampered with, or replaced by a resend
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


class InvitationUnusable(ApplicationError):
    def __init__(self, problem: InvitationProblem):
        self.problem = problem
        status = 404 if problem == InvitationProblem.INVALID else 410
        super().__init__(
            f"This invitation link is {problem}.", code=f"invitation_{problem}", status=status
        )


def invitation_check(invitation: Invitation | None) -> Invitation:
    if invitation is None:
        raise InvitationUnusable(InvitationProblem.INVALID)
    state = invitation_state(invitation)
    if state == InvitationState.ACCEPTED:
        raise InvitationUnusable(InvitationProblem.USED)
    if state == InvitationState.REVOKED:
        raise InvitationUnusable(InvitationProblem.REVOKED)
    if state == InvitationState.EXPIRED:
        raise InvitationUnusable(InvitationProblem.EXPIRED)
    if not _client_still_linked(invitation):  # archived since: the invitation went with it
        raise InvitationUnusable(InvitationProblem.REVOKED)
    return invitation


def _client_still_linked(invitation: Invitation) -> bool:
    if invitation.entity_id == invitation.firm_id:  # the firm's own entity
        return True
    return (
        selectors.active_client_links(invitation.firm_id)
        .filter(client_id=invitation.entity_id)
        .exists()
    )


def invitations_revoke_pending(*, firm: Entity, entity: Entity) -> int:
    """Withdraw the firm's pending invitations to `entity` (its client was archived); their links
    then open the "withdrawn" page. Returns how many. Runs in the caller's transaction."""
    return Invitation.objects.filter(
        firm=firm, entity=entity, status=InvitationStatus.PENDING
    ).update(status=InvitationStatus.REVOKED, updated_at=timezone.now())


def invitation_for_token(token: str) -> Invitation:
    """The open invitation behind `token` (no lock), or InvitationUnusable."""
    invitation = (
        Invitation.objects.select_related("entity", "firm").filter(token_hash=_hash(token)).first()
    )
    return invitation_check(invitation)


@transaction.atomic
def invitation_accept(
    *, token: str, user: User | None = None, full_name: str = "", password: str | None = None
) -> Membership:
    """Accept as `user` (an existing account, already authenticated), or create the account."""
    invitation = invitation_check(
        Invitation.objects.select_for_update(of=("self",))
        .select_related("entity")
        .filter(token_hash=_hash(token))
        .first()
    )
    if user is None:
        password_check(password, user=User(email=invitation.email, full_name=full_name))
        user = user_get_or_create(email=invitation.email, password=password)
        if full_name and user.full_name != full_name:
            user.full_name = full_name
            user.save(update_fields=["full_name"])
    elif user.email.lower() != invitation.email:
        raise ApplicationError("This invitation is for another email address.", status=403)
    membership = Membership.objects.filter(user=user, entity=invitation.entity).first()
    if membership is None:
        membership = Membership.objects.create(
            user=user, entity=invitation.entity, role=invitation.role
        )
    elif ROLE_RANK[invitation.role] > ROLE_RANK[membership.role]:
        # An invitation never lowers a role someone already has.
        membership.role = invitation.role
        membership.save(update_fields=["role", "updated_at"])
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    events.invitation_event("invitation.accepted", invitation=invitation)
    return membership
