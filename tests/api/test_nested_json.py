"""A body nested too deeply is a 400 in the one error shape on every JSON write endpoint, never a
500: 1,000 nested arrays (2 KB) used to send the decoder past Python's recursion limit."""

from dataclasses import fields

import pytest

from axiomatic.api.parsers import MAX_JSON_DEPTH, nesting_depth_exceeds
from tests.api.test_authorization_matrix import (  # noqa: F401 (fixtures)
    ROWS,
    Ids,
    _loopback_webhooks,
    callers,
)
from tests.helpers import assert_error, db_fingerprint

pytestmark = pytest.mark.django_db

# Placeholder ids, only to see which calls carry a JSON body (a revoke, say, reads none).
_PLACEHOLDER = Ids(**{f.name: "x" for f in fields(Ids)} | {"entries": ["x", "x"]})
# Revoking a share link reads no body at all (its schema says `request: none`).
TAKES_NO_BODY = {"api/reports/share/<str:share_id>/revoke"}
WRITES = [
    row
    for row in ROWS
    if row.build(_PLACEHOLDER).body is not None and row.route not in TAKES_NO_BODY
]
DEEP = "[" * 1000 + "]" * 1000
JUST_TOO_DEEP = '{"a": ' * MAX_JSON_DEPTH + "[]" + "}" * MAX_JSON_DEPTH


def test_every_json_write_endpoint_is_covered():
    assert len(WRITES) >= 14


@pytest.mark.parametrize("row", WRITES, ids=lambda r: f"{r.method} {r.route}")
@pytest.mark.parametrize("body", [DEEP, JUST_TOO_DEEP], ids=["1000-deep", "one-too-deep"])
def test_a_deeply_nested_body_is_a_400_that_changes_nothing(row, body, callers):  # noqa: F811
    clients, ids_a, _ = callers
    call = row.build(ids_a)
    path = call.path + (
        "?" + "&".join(f"{k}={v}" for k, v in call.query.items()) if call.query else ""
    )
    before = db_fingerprint()
    response = clients["admin"].generic(row.method, path, body, content_type="application/json")
    error = assert_error(response, 400, "malformed_request")
    assert "nested" in error["message"]
    assert db_fingerprint() == before


def test_the_depth_bound():
    assert not nesting_depth_exceeds({"lines": [{"accountId": "acct_x"}]})
    value: list = []
    for _ in range(MAX_JSON_DEPTH - 1):
        value = [value]
    assert not nesting_depth_exceeds(value)
    assert nesting_depth_exceeds([value])
