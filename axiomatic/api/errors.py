"""The one error shape of the API: {"error": {"code", "message", "fields", "requestId"}}.

`requestId` is the id of the request being answered, the same as its `Request-Id` header
(`axiomatic.core.request_context`); None only for a body built outside any request.
"""

from http import HTTPStatus

from django.http import JsonResponse

from axiomatic.core.errors import ErrorCode
from axiomatic.core.request_context import current_request_id

STATUS_CODES = {
    400: ErrorCode.MALFORMED_REQUEST,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    406: ErrorCode.NOT_ACCEPTABLE,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    429: ErrorCode.RATE_LIMITED,
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {
        "error": {
            "code": str(code),
            "message": message,
            "fields": fields or {},
            "requestId": current_request_id(),
        }
    }


def error_json_response(status: int, code: str | None = None, message: str | None = None):
    """A JSON error for responses made outside DRF (Django's 404/405/500, middleware)."""
    if code is None:
        code = STATUS_CODES.get(status, ErrorCode.INTERNAL_ERROR if status >= 500 else "error")
    if message is None:
        message = HTTPStatus(status).phrase + "." if status in HTTPStatus._value2member_map_ else ""
    return JsonResponse(error_body(code, message), status=status)
