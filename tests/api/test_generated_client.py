"""A client generated from the live schema does what an integration does first (ADR 0035).

openapi-python-client (requirements.txt) generates the `axiomatic_client` package from
/api/schema/ as the test server answers it, once per module, into a temporary folder; the smoke
(`tests/api/client_smoke.py`) then drives the test server with nothing but that package. A schema
the generator warns about, or whose client cannot create a client, log and list time, invoice it,
fetch by id and open a statement, fails here. `make client-smoke` runs just this module.
"""

import datetime as dt
import importlib
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from axiomatic.entities.models import Entity
from billing.models import Invoice
from practice.models import TimeEntry

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BIN = Path(sys.executable).parent
PACKAGE = "axiomatic_client"
SMOKE = "tests.api.client_smoke"
# Generating and formatting ~150 modules takes a few seconds; a minute means something is wrong.
GENERATION_BUDGET_SECONDS = 60.0


@dataclass
class Generated:
    folder: Path
    output: str
    seconds: float


def fetch_schema(base_url: str) -> dict:
    response = httpx.get(
        f"{base_url}/api/schema/",
        headers={"Accept": "application/vnd.oai.openapi+json"},
        timeout=30,
    )
    assert response.status_code == 200, response.text[:500]
    return response.json()


def generate(schema: dict, folder: Path) -> Generated:
    """openapi-python-client on `schema`, ruff (by absolute path: no PATH needed) as its post hooks."""
    source = folder / "schema.json"
    source.write_text(json.dumps(schema))
    config = folder / "generator.json"
    ruff = BIN / "ruff"
    config.write_text(
        json.dumps(
            {
                "package_name_override": PACKAGE,
                "project_name_override": "axiomatic-client",
                "post_hooks": [
                    f"{ruff} check --isolated --fix --extend-select=I .",
                    f"{ruff} format --isolated .",
                ],
            }
        )
    )
    started = time.perf_counter()
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(source),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(folder / "client" / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
    )
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return Generated(folder=folder / "client", output=output, seconds=seconds)


@pytest.fixture(scope="module")
def generated(live_server, tmp_path_factory, django_db_blocker) -> Generated:
    """The package generated from the schema the test server publishes (no key), once for the
    module, importable while the module's tests run."""
    # Before any test has begun: pytest-django lets the server's host in and unblocks the
    # database per test, so the module does both for its one request.
    host = httpx.URL(live_server.url).host
    with (
        override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, host]),
        django_db_blocker.unblock(),
    ):
        schema = fetch_schema(live_server.url)
    made = generate(schema, tmp_path_factory.mktemp("generated-client"))
    sys.path.insert(0, str(made.folder))
    yield made
    sys.path.remove(str(made.folder))
    for name in [n for n in sys.modules if n == SMOKE or n.split(".")[0] == PACKAGE]:
        del sys.modules[name]


@pytest.fixture
def smoke(generated):
    return importlib.import_module(SMOKE)


def test_the_generator_reads_the_live_schema_without_a_warning(generated):
    print(f"\nopenapi-python-client generated {PACKAGE} in {generated.seconds:.1f} s")
    # Anything the generator says beyond "Generating <folder>" is a warning or an error about the
    # schema (a skipped operation or model, an unsupported type) or a failed post hook.
    said = [line for line in generated.output.splitlines() if line.strip()]
    assert len(said) == 1 and said[0].startswith("Generating "), generated.output
    assert generated.seconds < GENERATION_BUDGET_SECONDS
    modules = {p.stem for p in (generated.folder / PACKAGE / "api").rglob("*.py")}
    assert {
        "practice_clients_create",
        "practice_time_create",
        "practice_time_list",
        "practice_billing_invoice_create",
        "practice_billing_invoice_get",
        "practice_clients_get",
        "practice_time_get",
        "ledger_journal_entries_get",
        "reports_statement",
    } <= modules


def test_the_generated_client_runs_the_integration_smoke(live_server, alice, smoke):
    day = timezone.localdate() - dt.timedelta(days=1)
    outcome = smoke.run(live_server.url, alice.key, alice.firm.public_id, day=day)

    client = Entity.objects.get(public_id=outcome.client_entity_id)
    assert client.name == "Initech LLC"
    entries = TimeEntry.objects.filter(public_id__in=outcome.time_entry_ids)
    assert {(e.firm_id, e.client_id) for e in entries} == {(alice.firm.pk, client.pk)}
    assert sorted(outcome.listed_ids) == sorted(outcome.time_entry_ids)
    assert outcome.listed_hours == 3.75
    invoice = Invoice.objects.get(public_id=outcome.invoice_id)
    assert invoice.total_cents == outcome.invoice_total == 56_250  # 3.75 h at $150.00
    assert set(entries.values_list("invoice_public_id", flat=True)) == {invoice.public_id}
    assert outcome.fetched_invoice_id == outcome.invoice_id
    assert outcome.fetched_client == (client.public_id, "Initech LLC")
    # Fetched after invoicing: the entry points at its invoice.
    assert outcome.fetched_entry == (outcome.time_entry_ids[0], 1.5, invoice.public_id)
    # The invoice's journal entry, by id, is in the book the statement reads.
    assert outcome.journal_entry == (
        invoice.journal_entry.public_id,
        outcome.statement.book_id,
        day,
    )
    assert outcome.not_found == (404, "not_found")
    body_id, header_id = outcome.request_ids
    assert body_id == header_id and body_id.startswith("req_")
    # The firm's income statement for the day holds the invoice and nothing else.
    assert outcome.statement.entity_id == alice.firm.public_id
    assert outcome.statement.totals.revenue == 56_250


def test_the_smoke_notices_a_key_the_schema_leaves_out(smoke):
    body = {
        "error": {
            "code": "validation_error",
            "message": "No.",
            "fields": {"name": ["Required."]},
            "requestId": "req_0123456789abcdefghjkmnpq",
        },
        "surprise": 1,
    }
    # The error's `fields` is a free-form map (field -> messages): its keys are not undocumented.
    assert smoke.undocumented(smoke.Error.from_dict(body), "Error") == ["Error.surprise"]
    with pytest.raises(smoke.SmokeFailure, match="Error.surprise"):
        smoke.expect(smoke.Error.from_dict(body), smoke.Error)
