"""Who may change an entity's ledger settings (its lock date and fiscal year), registered into
`services.register_settings_authority` by the ledger's AppConfig.ready.

Why here and not in services: the rule is about memberships and the firms that reach an entity
(`axiomatic.entities`), which the ledger's domain modules never import (ADR 0001); this module sits
beside the admin and the views, at the top of the ledger.

The rule (ADR 0023): a superuser, or an ADMIN of an actively enrolled firm that reaches the entity
(its own entity, or a client it has an active link to). A MEMBER writes journal entries but does not
reopen a closed period. An API key acts as the person who created it, so a key made by a MEMBER
cannot do what its creator may not.
"""

from axiomatic.entities.access import firms_reaching
from axiomatic.entities.models import Entity, Membership, Role


def firm_admin_reaching(user, entity: Entity) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if getattr(user, "pk", None) is None or not getattr(user, "is_active", False):
        return False
    return Membership.objects.filter(
        user_id=user.pk, role=Role.ADMIN, entity__in=firms_reaching(entity)
    ).exists()
