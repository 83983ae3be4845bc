"""Which entities a firm can reach.

A firm reaches its own entity and the client entities it has an active link to. Client links live in
the practice app, which sits above this one, so it registers how to find them here at start-up
(`register_client_entity_source` in its AppConfig.ready). Every endpoint that takes an entity id
resolves it through `reachable_entities`, so an unknown id and another firm's id get the same 404.
"""

from collections.abc import Callable

from django.db.models import Q, QuerySet

from axiomatic.entities.models import WRITE_ROLES, EnrollmentStatus, Entity, Membership, Role

# What a firm whose enrollment is not active is told when it tries to work (the API's 403
# `partner_program_required`, the admin's refusal): one sentence, one place.
PARTNER_PROGRAM_REQUIRED_MESSAGE = (
    "This firm is not an active member of the partner program. "
    "Contact partner support to enroll or reinstate it."
)


# -- Who may write: the one policy the API (axiomatic.api.access) and the admin (admin_scope) apply --
def enrollment_is_active(firm: Entity) -> bool:
    """A firm works (writes) only while its partner enrollment is active; it still reads."""
    enrollment = getattr(firm, "enrollment", None)
    return enrollment is not None and enrollment.is_active


def role_may_write(*roles: str) -> bool:
    """An ADMIN or MEMBER role writes; a VIEWER reads. Any one writing role among `roles` is enough."""
    return bool(set(roles) & WRITE_ROLES)


def may_write(firm: Entity, *roles: str) -> bool:
    return role_may_write(*roles) and enrollment_is_active(firm)


# Each source maps a firm to a queryset of the primary keys of the client entities it reaches.
ClientEntitySource = Callable[[Entity], QuerySet]
_client_entity_sources: list[ClientEntitySource] = []
# And back: each maps an entity to a queryset of the primary keys of the firms that reach it.
FirmSource = Callable[[Entity], QuerySet]
_firm_sources: list[FirmSource] = []


def register_client_entity_source(source: ClientEntitySource, firms: FirmSource) -> None:
    """`source` gives a firm's client entities; `firms` gives the firms linked to an entity."""
    if source not in _client_entity_sources:
        _client_entity_sources.append(source)
    if firms not in _firm_sources:
        _firm_sources.append(firms)


def reachable_entities(firm: Entity) -> QuerySet[Entity]:
    """The firm itself, and the clients of an actively enrolled firm."""
    condition = Q(pk=firm.pk)
    enrollment = getattr(firm, "enrollment", None)
    if enrollment is not None and enrollment.is_active:
        for source in _client_entity_sources:
            condition |= Q(pk__in=source(firm))
    return Entity.objects.filter(condition)


def firms_reaching(entity: Entity) -> QuerySet[Entity]:
    """The actively enrolled firms that reach `entity`: itself, if it is one, and its linked firms."""
    condition = Q(pk=entity.pk)
    for source in _firm_sources:
        condition |= Q(pk__in=source(entity))
    return Entity.objects.filter(condition, enrollment__status=EnrollmentStatus.ACTIVE)


def partner_firm(public_id: str) -> Entity | None:
    """The enrolled firm `public_id` (active or not), else None."""
    return (
        Entity.objects.select_related("enrollment")
        .filter(public_id=public_id, enrollment__isnull=False)
        .first()
    )


def is_firm_admin(user, firm: Entity) -> bool:
    """A superuser, or an ADMIN member of `firm`: who may take the firm's whole data away."""
    if getattr(user, "is_superuser", False):
        return True
    return Membership.objects.filter(user_id=user.pk, entity=firm, role=Role.ADMIN).exists()
