"""What every practice view shares: the error responses it documents, the firm's client link and
member look-ups, each through a selector so unknown and foreign ids meet the same answer."""

from axiomatic.api.access import Access
from axiomatic.api.authentication import ApiKeyUser
from axiomatic.api.schema import error_responses, firm_query_parameter
from axiomatic.api.views import ApiViewSet
from axiomatic.core.errors import field_errors
from practice import selectors
from practice.errors import NOT_A_FIRM_MEMBER

READ = error_responses(400, 401, 403, 404)
WRITE = error_responses(400, 401, 403, 404, 409)
FIRM_QUERY = firm_query_parameter()
SEVERAL_FIRMS = "You belong to several firms: name the one you mean."
NO_FIRM = "Name the firm (you are not a member of one)."


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

    # Endpoints of the extensions page, where `firmEntityId` (query string or body) may be left
    # out: an API key acts for its own firm, a session for the one firm its user belongs to; a
    # session reaching several firms (or none) must name one, else 400.
    def caller_firm(self, *, write: bool = False, body: dict | None = None) -> Access:
        named = self.request.query_params.get("firmEntityId") is not None or (
            (body or {}).get("firmEntityId") is not None
        )
        if not named:
            body = {**(body or {}), "firmEntityId": self._implied_firm_id()}
        return self.firm(write=write, body=body)

    def _implied_firm_id(self) -> str:
        user = self.request.user
        if isinstance(user, ApiKeyUser):
            return user.api_key.firm.public_id
        firms = selectors.firm_public_ids_of_staff(user)
        if len(firms) != 1:
            raise field_errors({"firmEntityId": [SEVERAL_FIRMS if firms else NO_FIRM]})
        return firms[0]
