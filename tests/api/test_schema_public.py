"""/api/schema/ and /api/docs/ are public: no key, no session, and no firm's data in them."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client

from tests.api.schema_document import JSON

pytestmark = pytest.mark.django_db


def test_the_schema_and_docs_answer_without_credentials_and_show_no_data(alice, acme):
    firm_values = [alice.firm.public_id, alice.firm.name, alice.user.email, acme.client.public_id]
    for path, accept in (("/api/schema/", JSON), ("/api/docs/", "text/html")):
        response = Client().get(path, HTTP_ACCEPT=accept)
        assert response.status_code == 200, (path, response.content[:300])
        body = response.content.decode()
        for value in firm_values:
            assert value not in body, (path, value)
    # A key or a session changes nothing: the document is the same for everyone.
    anonymous = Client().get("/api/schema/", HTTP_ACCEPT=JSON).content
    assert alice.client.get("/api/schema/", HTTP_ACCEPT=JSON).content == anonymous
    # Credentials that do not authenticate are not even read.
    refused = Client().get("/api/schema/", HTTP_ACCEPT=JSON, HTTP_AUTHORIZATION="Bearer axk_nope")
    assert refused.status_code == 200
    # The docs only describe: the API itself still needs a key.
    listing = Client().get("/api/practice/clients", {"firmEntityId": alice.firm.public_id})
    assert listing.status_code == 401


def test_the_docs_page_loads_its_assets_from_our_static_files_without_login():
    html = Client().get("/api/docs/").content.decode()
    external = re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html)
    assert external == []
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html):
        assert Client().get(asset).status_code == 200, asset
    assert re.search(r"""src=["']/static/[^"']*swagger-ui-bundle""", html)
    assert '"/api/schema/"' in html or "'/api/schema/'" in html


def test_the_schema_names_this_deployment_as_its_server():
    document = json.loads(Client().get("/api/schema/", HTTP_ACCEPT=JSON).content)
    assert [server["url"] for server in document["servers"]] == [settings.SITE_URL]
