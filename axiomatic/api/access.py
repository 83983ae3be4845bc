"""The access helpers every view calls first.

`firm_for_request` resolves `firmEntityId`; `entity_for_request` resolves an `entityId`. An id the
caller cannot reach gets exactly the same 404 as an id that names nothing, so an answer never
confirms that another firm or its client exists. Only after the caller is known to belong do we say
more: 403 `partner_program_required` for a firm whose enrollment is not active, 403
`permission_denied` for a VIEWER who tries to write.
"""

from dataclasses import dataclass

from axiomatic.api.authentication import ApiKeyUser
from axiomatic.core.errors import AccessDeniedError, ErrorCode, NotFoundError
from axiomatic.entities.access import (
    PARTNER_PROGRAM_REQUIRED_MESSAGE,
    enrollment_is_active,
    may_write,
    reachable_entities,
    role_may_write,
)
from axiomatic.entities.models import Entity, Membership

CLIENT_USERS_READ_ONLY = (
    "Client users read their entity's ledger and statements here; changes are made by the firm "
    "(its staff or its software)."
)


@dataclass(frozen=True)
class Access:
    entity: Entity
    can_write: bool
    # The person to record as author of a write (the key's creator for API keys).
    actor: object | None


def _deny_write(access: Access, write: bool) -> Access:
    if write and not access.can_write:
        raise AccessDeniedError("Your role on this entity is read-only.")
    return access


def _require_enrollment(firm: Entity) -> None:
    if not enrollment_is_active(firm):
        raise AccessDeniedError(
            PARTNER_PROGRAM_REQUIRED_MESSAGE,
            code=ErrorCode.PARTNER_PROGRAM_REQUIRED,
        )


def firm_for_request(request, firm_id: str, *, write: bool = False) -> Access:
    """The partner firm named by `firmEntityId`, if the caller belongs to it."""
    user = request.user
    if isinstance(user, ApiKeyUser):
        firm = user.api_key.firm
        if firm.public_id != firm_id:
            raise NotFoundError()
        access = Access(entity=firm, can_write=True, actor=user.user)
    elif getattr(user, "is_superuser", False):
        firm = Entity.objects.select_related("enrollment").filter(public_id=firm_id).first()
        if firm is None:
            raise NotFoundError()
        access = Access(entity=firm, can_write=True, actor=user)
    else:
        membership = (
            Membership.objects.select_related("entity", "entity__enrollment")
            .filter(user_id=user.pk, entity__public_id=firm_id)
            .first()
        )
        if membership is None:
            raise NotFoundError()
        access = Access(
            entity=membership.entity, can_write=role_may_write(membership.role), actor=user
        )
    _require_enrollment(access.entity)
    return _deny_write(access, write)


def entity_for_request(request, entity_id: str, *, write: bool = False) -> Access:
    """An entity the caller reaches: its firm's own, an actively linked client, or a direct
    membership. Writes take a firm whose enrollment is active and a writing role in it: a suspended
    firm reads its books but writes nothing (its own entity included), and a client user's
    session (a member of a client entity, not of a firm) only reads: the API is the firms'."""
    user = request.user
    if isinstance(user, ApiKeyUser):
        firm = user.api_key.firm
        entity = reachable_entities(firm).filter(public_id=entity_id).first()
        if entity is None:
            raise NotFoundError()
        if write:
            _require_enrollment(firm)
        return Access(entity=entity, can_write=True, actor=user.user)
    if getattr(user, "is_superuser", False):
        entity = Entity.objects.filter(public_id=entity_id).first()
        if entity is None:
            raise NotFoundError()
        return _deny_write(Access(entity=entity, can_write=True, actor=user), write)
    best: Access | None = None
    suspended = False  # a writing role in a firm whose enrollment is not active
    via_firm = False  # reached through a firm membership (else only as a client user)
    memberships = Membership.objects.select_related("entity", "entity__enrollment").filter(
        user_id=user.pk
    )
    for membership in memberships:
        home = membership.entity
        if home.public_id == entity_id:
            entity = home
        else:
            entity = reachable_entities(home).filter(public_id=entity_id).first()
        if entity is None:
            continue
        is_firm = getattr(home, "enrollment", None) is not None
        can_write = is_firm and may_write(home, membership.role)
        suspended |= is_firm and role_may_write(membership.role) and not can_write
        via_firm |= is_firm
        access = Access(entity=entity, can_write=can_write, actor=user)
        if best is None or (access.can_write and not best.can_write):
            best = access
    if best is None:
        raise NotFoundError()
    if write and not best.can_write and suspended:
        raise AccessDeniedError(
            PARTNER_PROGRAM_REQUIRED_MESSAGE, code=ErrorCode.PARTNER_PROGRAM_REQUIRED
        )
    if write and not via_firm:
        raise AccessDeniedError(CLIENT_USERS_READ_ONLY)
    return _deny_write(best, write)
