"""One assertion for "another firm's id is the same 404 as an unknown one"."""

from tests.helpers import assert_error


def assert_same_404(*responses) -> dict:
    """Every response is the one error shape's 404 `not_found`, and their bodies are the same
    once each response's own request id is set aside (it is unique per request by design)."""
    errors = [assert_error(response, 404, "not_found") for response in responses]
    bodies = [{k: v for k, v in error.items() if k != "requestId"} for error in errors]
    assert all(body == bodies[0] for body in bodies), bodies
    return bodies[0]
