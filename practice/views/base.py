"""What every practice view shares: the error responses it documents, the firm's client link and
member look-ups, each through a selector so unknown and foreign ids meet the same answer."""

from axiomatic.api.access import Access
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import field_errors
from practice import selectors
from practice.errors import NOT_A_FIRM_MEMBER

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()


class PracticeViewSet(ApiViewSet):
    def client_link(self, access: Access, entity_id: str):
        return selectors.client_link_get(firm=access.entity, entity_id=entity_id)

    def member(self, access: Access, user_id: str | None, field: str):
        """The firm's member named in the body, or a 400 naming the field (None stays None)."""
        if user_id is None:
            return None
        user = selectors.firm_member(firm=access.entity, user_public_id=user_id)
        if user is None:
            raise field_errors({field: [NOT_A_FIRM_MEMBER]})
        return user
