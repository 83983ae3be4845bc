"""Base classes for API views."""

from functools import cached_property

from rest_framework import viewsets

from axiomatic.api import idempotency
from axiomatic.api.access import Access, firm_for_request
from axiomatic.api.serializers import FirmQuerySerializer
from axiomatic.core.errors import field_errors
from axiomatic.core.ids import is_public_id


class ApiViewSet(viewsets.GenericViewSet):
    """A viewset whose query parameters are validated by `query_serializer_class` (400 on bad input)."""

    query_serializer_class = None
    _idempotency = None

    # -- Idempotency-Key on every POST (axiomatic.api.idempotency) ------------------------------
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication and permissions first
        if request.method == "POST" and idempotency.HEADER in request.headers:
            self._idempotency = idempotency.idempotency_begin(
                request, request.headers[idempotency.HEADER]
            )

    def handle_exception(self, exc):
        if isinstance(exc, idempotency.Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            # An unhandled error skips finalize_response (DRF re-raises it for the 500): release
            # the key here, as every response but a success does, or it stays "in progress" for
            # 24 hours and each retry gets 409.
            self._idempotency_release()
            raise

    def _idempotency_release(self) -> None:
        if self._idempotency is not None:
            record, self._idempotency = self._idempotency, None
            idempotency.idempotency_release(record)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self._idempotency is not None:
            record, self._idempotency = self._idempotency, None
            idempotency.idempotency_finish(record, response)
        return response

    @cached_property
    def query(self) -> dict:
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def body(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def firm(self, *, write: bool = False, body: dict | None = None) -> Access:
        """The firm named by `firmEntityId` in the query string or, failing that, the body."""
        query = self.request.query_params.get("firmEntityId")
        in_body = (body or {}).get("firmEntityId")
        if query is not None and in_body is not None and query != in_body:
            raise field_errors({"firmEntityId": ["The query string and the body disagree."]})
        value = query if query is not None else in_body
        checked = FirmQuerySerializer(data={"firmEntityId": value} if value is not None else {})
        checked.is_valid(raise_exception=True)
        return firm_for_request(self.request, checked.validated_data["firmEntityId"], write=write)

    def path_id(self, value: str, prefix: str, name: str) -> str:
        """An id from the path: malformed is a 400 naming it, like anywhere else."""
        if not is_public_id(value, prefix):
            raise field_errors({name: [f"Not a valid {prefix}_ id."]})
        return value

    def optional_body(self, serializer_class) -> dict:
        """A body that may be left out. Nothing sent (or `{}`) is `{}`; anything else is checked,
        so a body that is not an object (`0`, `false`, `[]`, `""`) is a 400, not ignored."""
        data = self.request.data
        if isinstance(data, dict) and not data:
            return {}
        return self.body(serializer_class)
