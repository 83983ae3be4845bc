"""Every view under /api/ (and the Stripe webhook) refuses anonymous callers, except those listed.

The URLconf is walked, so a new endpoint is covered the day it is added."""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# Reachable without authentication, on purpose: the share link (its token is the credential) and
# Stripe's webhook (its signature is).
PUBLIC = {
    "api/reports/share/<str:token>",
    "stripe/webhook/<uuid:uuid>/",
    # The schema and its docs describe the API, not anyone's data (tests/api/test_schema_public.py).
    "api/schema/",
    "api/docs/",
}
SAMPLES = {
    "str": "ent_01hzzzzzzzzzzzzzzzzzzzzzzz",
    "int": "1",
    "uuid": "00000000-0000-0000-0000-000000000000",
    "path": "x",
}


def _routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _sample_path(route: str) -> str:
    import re

    return "/" + re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route
    ).lstrip("^").rstrip("$")


def api_routes() -> list[str]:
    return sorted(
        {r for r in _routes(get_resolver().url_patterns) if r.startswith(("api/", "stripe/"))}
    )


def test_the_walk_finds_the_endpoints():
    routes = api_routes()
    assert len(routes) >= 20
    assert "api/practice/billing/invoice" in routes
    assert set(routes) >= PUBLIC


@pytest.mark.parametrize("route", api_routes())
def test_anonymous_callers_are_refused(route):
    path = _sample_path(route)
    statuses = {method: getattr(Client(), method)(path).status_code for method in ("get", "post")}
    if route in PUBLIC:
        assert 401 not in statuses.values()
        return
    allowed = [s for s in statuses.values() if s != 405]
    assert allowed, f"{route}: no method answered"
    assert set(allowed) == {401}, f"{route} answered {statuses} to an anonymous caller"
