"""OpenAPI pieces shared by every endpoint: the auth scheme and the error shape."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "axiomatic.api.authentication.ApiKeyAuthentication"
    name = "firmApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "axk_...",
            "description": "A firm API key: `Authorization: Bearer axk_...`.",
        }


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "Invalid input: malformed JSON, wrong types, unknown values, impossible dates, junk ids.",
    401: "Missing, malformed, unknown or revoked credentials.",
    403: "Read-only role, or the firm is not active in the partner program.",
    404: "Unknown id, or an id the caller cannot reach (the same answer for both).",
    409: "The request conflicts with the current state.",
}


def error_responses(*statuses: int) -> dict[int, OpenApiResponse]:
    return {s: OpenApiResponse(ErrorSerializer, description=_DESCRIPTIONS[s]) for s in statuses}


IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": "Idempotency-Key",
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Makes the request safe to retry: the same key with the same body within 24 hours replays "
        "the first response without doing the work again (header `Idempotent-Replayed: true`); "
        "with a different body it is 409 `idempotency_error`. Keys are shared by a firm's API keys."
    ),
}


def add_idempotency_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: every POST documents the Idempotency-Key header."""
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is not None:
            parameters = post.setdefault("parameters", [])
            if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(IDEMPOTENCY_PARAMETER)
    return result
