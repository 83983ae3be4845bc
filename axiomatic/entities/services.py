"""Writes for entities, users, memberships, partner enrollment and API keys."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from axiomatic.core.errors import field_errors
from axiomatic.core.exports import Archive, Progress, Scope
from axiomatic.core.exports import tables as export_tables
from axiomatic.core.history import history_record_bulk
from axiomatic.entities import key_cache
from axiomatic.entities.access import reachable_entities
from axiomatic.entities.models import (
    ApiKey,
    EnrollmentStatus,
    Entity,
    EntityType,
    Membership,
    PartnerEnrollment,
    Role,
    User,
)
from axiomatic.ledger.services import entity_books_seed

API_KEY_RANDOM_BYTES = 32
# Why throttle: stamping last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def entity_create(
    *, name: str, type: str = EntityType.OTHER, industry: str = "", currency: str = "USD"
) -> Entity:
    """Create an entity with its default chart of accounts and books, in one transaction."""
    entity = Entity.objects.create(name=name, type=type, industry=industry, currency=currency)
    entity_books_seed(entity=entity)
    return entity


@transaction.atomic
def user_get_or_create(*, email: str, password: str | None = None, is_staff: bool = False) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return User.objects.create_user(email=email, password=password, is_staff=is_staff)
    changed = []
    if password:
        user.set_password(password)
        changed.append("password")
    if is_staff and not user.is_staff:
        user.is_staff = True
        changed.append("is_staff")
    if changed:
        user.save(update_fields=changed)
    return user


@transaction.atomic
def membership_set(*, user: User, entity: Entity, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, entity=entity, defaults={"role": role}
    )
    return membership


# --- API keys ---------------------------------------------------------------------------------


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    """The key in clear is here once, to be shown to its owner, and never stored."""

    api_key: ApiKey
    key: str


@transaction.atomic
def api_key_create(*, firm: Entity, name: str, created_by: User | None = None) -> IssuedApiKey:
    key = ApiKey.PREFIX + secrets.token_urlsafe(API_KEY_RANDOM_BYTES)
    api_key = ApiKey.objects.create(
        firm=firm,
        name=name,
        created_by=created_by,
        display_prefix=key[:12],
        key_hash=_hash_key(key),
    )
    return IssuedApiKey(api_key=api_key, key=key)


def api_key_is_well_formed(key: str) -> bool:
    return (
        key.startswith(ApiKey.PREFIX)
        and 40 <= len(key) <= 100
        and all(c.isalnum() or c in "-_" for c in key[len(ApiKey.PREFIX) :])
    )


def api_key_authenticate(key: str) -> ApiKey | None:
    """The active key matching `key`, with its firm and the firm's enrollment loaded; else None."""
    if not api_key_is_well_formed(key):
        return None
    digest = _hash_key(key)
    api_key = key_cache.get(digest)  # kept by this process a moment ago, if nothing changed since
    if api_key is None:
        api_key = (
            ApiKey.objects.select_related("firm", "firm__enrollment", "created_by")
            .filter(key_hash=digest, revoked_at__isnull=True)
            .first()
        )
    # Why compare again: the index look-up is by hash; a constant-time check keeps the habit honest.
    if api_key is None or not hmac.compare_digest(api_key.key_hash, digest):
        return None
    key_cache.put(digest, api_key)
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        api_key.refresh_from_db(fields=["revoked_at"])
        key_cache.invalidate()  # refused here at once, in every process within a second
        if revoked:  # this call revoked it (not a concurrent one): its history says so once
            history_record_bulk([api_key], model=ApiKey)
    return api_key


# --- Partner firms ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewPartnerFirm:
    firm: Entity
    owner: User
    enrollment: PartnerEnrollment
    issued_key: IssuedApiKey


@transaction.atomic
def partner_firm_create(
    *,
    name: str,
    owner_email: str,
    owner_password: str | None = None,
    enrollment_status: str = EnrollmentStatus.ACTIVE,
    type: str = EntityType.LLC,
    industry: str = "Accounting",
    api_key_name: str = "Default key",
) -> NewPartnerFirm:
    """A firm entity with its books, its owner (ADMIN, admin login), its enrollment and an API key."""
    firm = entity_create(name=name, type=type, industry=industry)
    owner = user_get_or_create(email=owner_email, password=owner_password, is_staff=True)
    membership_set(user=owner, entity=firm, role=Role.ADMIN)
    enrollment = PartnerEnrollment.objects.create(firm=firm, status=enrollment_status)
    issued = api_key_create(firm=firm, name=api_key_name, created_by=owner)
    return NewPartnerFirm(firm=firm, owner=owner, enrollment=enrollment, issued_key=issued)


# --- Firm data export -------------------------------------------------------------------------


def firm_export(*, firm: Entity, progress: Progress | None = None) -> Archive:
    """Everything a partner firm owns, as a ZIP of CSV files and a manifest, streamed: iterate
    `chunks()` once (to a file, to a download). Its rows: those that name the firm (clients,
    time, engagements and tasks, invoices and lines, invitations, API keys, webhook endpoints)
    and those of the entities it reaches (its own and its active clients': books, members, share
    links), as the API lets it read them. No secret: tables name their columns (core.exports).
    `progress(file, rows written, rows expected)` is told as each file grows."""
    if not PartnerEnrollment.objects.filter(firm=firm).exists():
        raise field_errors({"firm": [f"{firm.public_id} is not a partner firm."]})
    scope = Scope(firm=firm, entity_ids=reachable_entities(firm).values("pk"))
    return Archive(
        owner_public_id=firm.public_id, tables=export_tables(), scope=scope, progress=progress
    )
