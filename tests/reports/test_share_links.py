"""Share links: create, open, the signed page behind them, expiry, revocation, limits and the access
log; access and bad input; concurrent opens on PostgreSQL."""

import datetime as dt
import hashlib
import html
import io
import json
import re
from types import SimpleNamespace

import pypdf
import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from axiomatic.core.ids import new_public_id
from axiomatic.ledger.models import Account, Book
from axiomatic.ledger.services import JournalEntryDraft
from reports import services, views
from reports.models import ReportShare, ReportShareAccess
from tests.factories import EntityFactory
from tests.helpers import assert_error, db_snapshot, requires_postgres, run_concurrently

SHARES = "/api/reports/share"
LINK_KEYS = {
    "id",
    "entityId",
    "reportType",
    "parameters",
    "expiresAt",
    "accessCount",
    "maxAccessCount",
    "lastAccessedAt",
    "revoked",
    "createdAt",
}


def share_body(persona, *, book=None, **overrides) -> dict:
    book = book or persona.gl
    body = {
        "entityId": book.entity.public_id,
        "reportType": "trial_balance",
        "parameters": {"bookId": book.public_id, "from": "2026-01-01", "to": "2026-01-31"},
    }
    body.update(overrides)
    return body


def create(client, body, **extra):
    return client.post(SHARES, data=json.dumps(body), content_type="application/json", **extra)


def token_of(share_url: str) -> str:
    return share_url.rsplit("/", 1)[1]


def open_url(token: str) -> str:
    return f"{SHARES}/{token}"


def parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def assert_private(response):
    assert response["Referrer-Policy"] == "no-referrer", response.status_code
    assert response["Cache-Control"] == "no-store", response.status_code


def assert_problem_page(response, status: int, words: str):
    """An HTML page for people (never the API's JSON error), private, with the given status."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    assert_private(response)
    page = response.content.decode()
    assert not page.lstrip().startswith("{")
    assert words in page, page


@pytest.fixture
def shared(alice, db):
    """A trial balance link on Alpha's General Ledger, which holds 10,000.00 of capital."""
    JournalEntryDraft(book=alice.gl, date=dt.date(2026, 1, 2), memo="Capital").debit(
        alice.account("1000"), 1_000_000
    ).credit(alice.account("3000"), 1_000_000).post()
    response = create(alice.client, share_body(alice))
    assert response.status_code == 201, response.content
    body = response.json()
    token = token_of(body["shareUrl"])
    return SimpleNamespace(
        id=body["id"], token=token, body=body, share=ReportShare.objects.get(public_id=body["id"])
    )


def make_share(persona, **overrides) -> SimpleNamespace:
    response = create(persona.client, share_body(persona, **overrides))
    assert response.status_code == 201, response.content
    body = response.json()
    return SimpleNamespace(id=body["id"], token=token_of(body["shareUrl"]), body=body)


# --- Create -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_id_share_url_and_expiry(alice):
    before = timezone.now()
    response = create(alice.client, share_body(alice, maxAccessCount=3))
    after = timezone.now()
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "shareUrl", "expiresAt"}
    assert re.fullmatch(r"shr_[0-9a-z]{26}", body["id"])
    prefix = django_settings.SITE_URL + "/api/reports/share/tok_"
    assert body["shareUrl"].startswith(prefix), body["shareUrl"]
    token_body = body["shareUrl"][len(prefix) :]
    assert len(token_body) >= 43
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token_body)
    expires = parse_time(body["expiresAt"])
    week = dt.timedelta(days=7)
    assert before + week - dt.timedelta(seconds=1) <= expires <= after + week
    share = ReportShare.objects.get(public_id=body["id"])
    assert share.entity == alice.firm and share.book == alice.gl
    assert share.report_type == "trial_balance"
    assert (share.date_from, share.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert share.max_access_count == 3 and share.access_count == 0
    assert share.created_by == alice.user
    assert abs(share.expires_at - expires) < dt.timedelta(seconds=1)


@pytest.mark.django_db
@pytest.mark.parametrize("days", [1, 30, 90])
def test_expires_in_days(alice, days):
    before = timezone.now()
    body = make_share(alice, expiresInDays=days).body
    expires = parse_time(body["expiresAt"])
    assert before + dt.timedelta(days=days) <= expires + dt.timedelta(seconds=1)
    assert expires <= timezone.now() + dt.timedelta(days=days)


@pytest.mark.django_db
def test_tokens_differ_every_time(alice):
    tokens = {make_share(alice).token for _ in range(5)}
    assert len(tokens) == 5


@pytest.mark.django_db
def test_share_url_comes_from_site_url_not_the_host_header(alice, settings):
    settings.ALLOWED_HOSTS = ["*"]
    response = create(alice.client, share_body(alice), HTTP_HOST="evil.example.test")
    assert response.status_code == 201, response.content
    url = response.json()["shareUrl"]
    assert url.startswith(settings.SITE_URL + "/api/reports/share/tok_"), url
    assert "evil.example.test" not in url
    # SITE_URL is read when the link is made.
    settings.SITE_URL = "https://books.example.test"
    response = create(alice.client, share_body(alice), HTTP_HOST="evil.example.test")
    assert response.json()["shareUrl"].startswith("https://books.example.test/api/reports/share/")


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_stored(alice, shared):
    token = shared.token
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_reportshare")
        dump = repr(cursor.fetchall())
    assert shared.id in dump  # the dump is of the right rows
    assert token not in dump
    assert token[len("tok_") :] not in dump
    assert hashlib.sha256(token.encode()).hexdigest() in dump


@pytest.mark.django_db
def test_a_firm_shares_its_clients_statements(anon, alice, acme):
    client_gl = Book.objects.get(entity=acme.client, is_primary=True)
    link = make_share(alice, book=client_gl, reportType="balance_sheet")
    share = ReportShare.objects.get(public_id=link.id)
    assert share.entity == acme.client and share.book == client_gl
    opened = anon.get(open_url(link.token))
    assert opened.status_code == 302
    page = anon.get(opened["Location"])
    assert page.status_code == 200
    assert "Acme Corp" in page.content.decode()
    assert "Balance sheet" in page.content.decode()


# --- Open ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_open_redirects_to_the_rendered_report_and_logs_the_access(anon, alice, shared):
    token = shared.token
    response = anon.get(
        open_url(token), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (share test)"
    )
    assert response.status_code == 302, response.content
    assert_private(response)
    location = response["Location"]
    assert token not in location and token[len("tok_") :] not in location
    assert location.startswith("/reports/view/")

    page = anon.get(location)
    assert page.status_code == 200, page.content[:300]
    assert page["Content-Type"].startswith("text/html")
    assert_private(page)
    text = page.content.decode()
    assert "Alpha &amp; Co CPA" in text
    assert "Trial balance" in text
    assert "Cash" in text and "Owner&#x27;s Equity" in text
    assert "10,000.00" in text
    assert token[len("tok_") :] not in text
    assert 'name="referrer" content="no-referrer"' in text

    link = re.search(r'<a href="([^"]+)">Download PDF</a>', text)
    assert link, text
    pdf = anon.get(html.unescape(link.group(1)))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert_private(pdf)
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Alpha & Co CPA" in pdf_text and "10,000.00" in pdf_text

    share = ReportShare.objects.get(public_id=shared.id)
    assert share.access_count == 1  # following the redirect and the PDF are not new opens
    assert share.last_accessed_at is not None
    access = ReportShareAccess.objects.get(share=share)
    assert access.user_agent == "Mozilla/5.0 (share test)"
    assert "203.0.113.9" not in access.ip_hash
    assert re.fullmatch(r"[0-9a-f]{64}", access.ip_hash)
    # Keyed: hashing every IPv4 address without the secret does not reverse it.
    assert access.ip_hash != hashlib.sha256(b"203.0.113.9").hexdigest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM reports_reportshareaccess")
        assert "203.0.113.9" not in repr(cursor.fetchall())


@pytest.mark.django_db
def test_each_open_counts_and_the_log_is_readable(anon, alice, bob, shared):
    anon.get(open_url(shared.token), REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT="first")
    anon.get(open_url(shared.token), REMOTE_ADDR="198.51.100.2", HTTP_USER_AGENT="second")
    anon.get(open_url(shared.token), REMOTE_ADDR="198.51.100.1", HTTP_USER_AGENT="first")
    assert ReportShare.objects.get(public_id=shared.id).access_count == 3
    response = alice.client.get(f"{SHARES}/{shared.id}/accesses")
    assert response.status_code == 200, response.content
    accesses = response.json()["accesses"]
    assert len(accesses) == 3
    assert all(set(a) == {"accessedAt", "ipHash", "userAgent"} for a in accesses)
    assert sorted(a["userAgent"] for a in accesses) == ["first", "first", "second"]
    hashes = {a["userAgent"]: a["ipHash"] for a in accesses}
    same_ip = [a["ipHash"] for a in accesses if a["userAgent"] == "first"]
    assert same_ip[0] == same_ip[1]  # one visitor, one hash
    assert hashes["first"] != hashes["second"]
    assert all("198.51.100" not in a["ipHash"] for a in accesses)
    assert all(parse_time(a["accessedAt"]) <= timezone.now() for a in accesses)
    assert bob.client.get(f"{SHARES}/{shared.id}/accesses").json() == response.json()


@pytest.mark.django_db
def test_open_needs_no_authentication_and_ignores_bad_credentials(alice, shared):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer axk_not_a_real_key")
    assert client.get(open_url(shared.token)).status_code == 302


@pytest.mark.django_db
def test_an_expired_link_is_410(anon, alice, shared):
    ReportShare.objects.filter(public_id=shared.id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = anon.get(open_url(shared.token))
    assert_problem_page(response, 410, "expired")
    share = ReportShare.objects.get(public_id=shared.id)
    assert share.access_count == 0 and share.last_accessed_at is None
    assert not ReportShareAccess.objects.exists()


@pytest.mark.django_db
def test_expiry_boundary(anon, alice, shared, monkeypatch):
    expires_at = ReportShare.objects.get(public_id=shared.id).expires_at
    clock = SimpleNamespace(now=lambda: expires_at + dt.timedelta(microseconds=1))
    monkeypatch.setattr(services, "timezone", clock)
    assert_problem_page(anon.get(open_url(shared.token)), 410, "expired")
    clock.now = lambda: expires_at - dt.timedelta(microseconds=1)
    assert anon.get(open_url(shared.token)).status_code == 302
    clock.now = lambda: expires_at + dt.timedelta(seconds=1)
    assert_problem_page(anon.get(open_url(shared.token)), 410, "expired")
    assert ReportShare.objects.get(public_id=shared.id).access_count == 1


@pytest.mark.django_db
def test_a_revoked_link_is_410_at_the_very_next_open(anon, alice, shared):
    first = anon.get(open_url(shared.token))
    assert first.status_code == 302
    response = alice.client.post(f"{SHARES}/{shared.id}/revoke")
    assert response.status_code == 200, response.content
    link = response.json()["link"]
    assert set(link) == LINK_KEYS
    assert link["id"] == shared.id and link["revoked"] is True and link["accessCount"] == 1
    assert_problem_page(anon.get(open_url(shared.token)), 410, "withdrawn")
    # The page behind a redirect issued before the revocation is refused too.
    assert_problem_page(anon.get(first["Location"]), 410, "withdrawn")
    assert ReportShare.objects.get(public_id=shared.id).access_count == 1
    # Revoking again changes nothing.
    revoked_at = ReportShare.objects.get(public_id=shared.id).revoked_at
    assert alice.client.post(f"{SHARES}/{shared.id}/revoke").status_code == 200
    assert ReportShare.objects.get(public_id=shared.id).revoked_at == revoked_at


@pytest.mark.django_db
def test_max_access_count(anon, alice):
    link = make_share(alice, maxAccessCount=2)
    assert anon.get(open_url(link.token)).status_code == 302
    assert anon.get(open_url(link.token)).status_code == 302
    assert_problem_page(anon.get(open_url(link.token)), 410, "expired")
    assert_problem_page(anon.get(open_url(link.token)), 410, "expired")
    share = ReportShare.objects.get(public_id=link.id)
    assert share.access_count == 2
    assert ReportShareAccess.objects.filter(share=share).count() == 2


def _tamper(token: str) -> str:
    i = 10
    replacement = "A" if token[i] != "A" else "B"
    return token[:i] + replacement + token[i + 1 :]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: "tok_" + "x" * 43, id="unknown"),
        pytest.param(_tamper, id="one-character-changed"),
        pytest.param(lambda t: t[:-1], id="last-character-cut"),
        pytest.param(lambda t: t[:20], id="truncated"),
        pytest.param(lambda t: t + "x", id="extended"),
        pytest.param(lambda t: t[len("tok_") :], id="prefix-missing"),
        pytest.param(lambda t: "tok_", id="prefix-only"),
        pytest.param(lambda t: t.upper(), id="upper-case"),
    ],
)
def test_unknown_tampered_and_truncated_tokens_are_a_404_page(anon, alice, shared, mangle):
    bad = mangle(shared.token)
    assert bad != shared.token
    response = anon.get(open_url(bad))
    assert_problem_page(response, 404, "not valid")
    assert ReportShare.objects.get(public_id=shared.id).access_count == 0
    assert not ReportShareAccess.objects.exists()


@pytest.mark.django_db
def test_the_signed_page_expires(anon, alice, shared, monkeypatch):
    location = anon.get(open_url(shared.token))["Location"]
    real_time = signing.time.time
    soon = SimpleNamespace(time=lambda: real_time() + views.SHARE_VIEW_MAX_AGE - 10)
    monkeypatch.setattr(signing, "time", soon)
    assert anon.get(location).status_code == 200
    later = SimpleNamespace(time=lambda: real_time() + views.SHARE_VIEW_MAX_AGE + 2)
    monkeypatch.setattr(signing, "time", later)
    assert_problem_page(anon.get(location), 410, "expired")
    assert_problem_page(anon.get(location + "?format=pdf"), 410, "expired")


@pytest.mark.django_db
def test_the_signed_page_expires_with_a_shorter_max_age(anon, alice, shared, monkeypatch):
    location = anon.get(open_url(shared.token))["Location"]
    monkeypatch.setattr(views, "SHARE_VIEW_MAX_AGE", -1)
    assert_problem_page(anon.get(location), 410, "expired")


@pytest.mark.django_db
def test_a_garbage_or_forged_signed_page_is_404(anon, alice, shared):
    location = anon.get(open_url(shared.token))["Location"]
    assert_problem_page(anon.get("/reports/view/garbage"), 404, "not valid")
    assert_problem_page(
        anon.get(location[:-1] + ("A" if location[-1] != "A" else "B")), 404, "not valid"
    )
    # The share's own id, unsigned or signed with another salt, is no key to the page.
    assert_problem_page(anon.get(f"/reports/view/{shared.id}"), 404, "not valid")
    other_salt = signing.TimestampSigner(salt="something-else").sign(shared.id)
    assert_problem_page(anon.get(f"/reports/view/{other_salt}"), 404, "not valid")
    # A correctly signed id that names nothing.
    nothing = signing.TimestampSigner(salt=views.SHARE_VIEW_SALT).sign(new_public_id("shr"))
    assert_problem_page(anon.get(f"/reports/view/{nothing}"), 404, "not valid")


# --- List, accesses, revoke: who may ----------------------------------------------------------------


@pytest.mark.django_db
def test_list(alice, acme, bob):
    links = [
        make_share(alice),
        make_share(alice, reportType="income_statement", maxAccessCount=5, expiresInDays=30),
        make_share(alice, reportType="balance_sheet"),
    ]
    client_gl = Book.objects.get(entity=acme.client, is_primary=True)
    theirs = make_share(alice, book=client_gl)
    response = alice.client.get(SHARES, {"entityId": alice.firm.public_id})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"links", "hasMore", "nextCursor"}
    assert body["hasMore"] is False and body["nextCursor"] is None
    assert {link["id"] for link in body["links"]} == {link.id for link in links}
    assert all(set(link) == LINK_KEYS for link in body["links"])
    second = next(link for link in body["links"] if link["id"] == links[1].id)
    assert second == {
        "id": links[1].id,
        "entityId": alice.firm.public_id,
        "reportType": "income_statement",
        "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-01-31"},
        "expiresAt": links[1].body["expiresAt"],
        "accessCount": 0,
        "maxAccessCount": 5,
        "lastAccessedAt": None,
        "revoked": False,
        "createdAt": second["createdAt"],
    }
    assert parse_time(second["createdAt"]) <= timezone.now()
    # The client's link is listed under the client only.
    client_list = alice.client.get(SHARES, {"entityId": acme.client.public_id}).json()
    assert [link["id"] for link in client_list["links"]] == [theirs.id]
    # Pages.
    page = alice.client.get(SHARES, {"entityId": alice.firm.public_id, "limit": 2}).json()
    assert len(page["links"]) == 2 and page["hasMore"] is True and page["nextCursor"]
    rest = alice.client.get(
        SHARES, {"entityId": alice.firm.public_id, "limit": 2, "cursor": page["nextCursor"]}
    ).json()
    assert len(rest["links"]) == 1 and rest["hasMore"] is False
    assert {link["id"] for link in page["links"] + rest["links"]} == {link.id for link in links}
    # A viewer reads the list.
    assert bob.client.get(SHARES, {"entityId": alice.firm.public_id}).json() == body


@pytest.mark.django_db
def test_the_list_shows_accesses_and_revocation(anon, alice, shared):
    anon.get(open_url(shared.token))
    alice.client.post(f"{SHARES}/{shared.id}/revoke")
    link = alice.client.get(SHARES, {"entityId": alice.firm.public_id}).json()["links"][0]
    assert link["accessCount"] == 1
    assert link["lastAccessedAt"] is not None
    assert link["revoked"] is True


@pytest.mark.django_db
def test_list_bad_input(alice):
    assert_error(alice.client.get(SHARES), 400, "validation_error")
    assert_error(alice.client.get(SHARES, {"entityId": "junk"}), 400, "validation_error")
    response = alice.client.get(SHARES, {"entityId": alice.firm.public_id, "cursor": "junk"})
    assert_error(response, 400, "validation_error")


@pytest.mark.django_db
def test_anonymous_is_401_on_the_api(anon, alice, shared):
    assert_error(anon.get(SHARES, {"entityId": alice.firm.public_id}), 401)
    assert_error(create(anon, share_body(alice)), 401)
    assert_error(anon.post(f"{SHARES}/{shared.id}/revoke"), 401)
    assert_error(anon.get(f"{SHARES}/{shared.id}/accesses"), 401)
    assert ReportShare.objects.get(public_id=shared.id).revoked_at is None


@pytest.mark.django_db
def test_another_firm_cannot_see_revoke_or_read_the_log(anon, alice, charlie, shared):
    anon.get(open_url(shared.token))
    before = db_snapshot()
    row_before = ReportShare.objects.filter(public_id=shared.id).values().get()

    unknown_list = charlie.client.get(SHARES, {"entityId": new_public_id("ent")})
    foreign_list = charlie.client.get(SHARES, {"entityId": alice.firm.public_id})
    assert_error(foreign_list, 404, "not_found")
    assert foreign_list.content == unknown_list.content

    unknown_id = new_public_id("shr")
    for suffix, method in (("revoke", "post"), ("accesses", "get")):
        unknown = getattr(charlie.client, method)(f"{SHARES}/{unknown_id}/{suffix}")
        foreign = getattr(charlie.client, method)(f"{SHARES}/{shared.id}/{suffix}")
        assert_error(foreign, 404, "not_found")
        assert foreign.content == unknown.content, suffix

    assert db_snapshot() == before
    assert ReportShare.objects.filter(public_id=shared.id).values().get() == row_before
    # And the link still opens.
    assert anon.get(open_url(shared.token)).status_code == 302


@pytest.mark.django_db
def test_another_firm_cannot_create_a_link_to_my_books(alice, charlie):
    before = db_snapshot()
    unknown = create(charlie.client, share_body(alice, entityId=new_public_id("ent")))
    foreign = create(charlie.client, share_body(alice))
    assert_error(foreign, 404, "not_found")
    assert foreign.content == unknown.content
    assert db_snapshot() == before


@pytest.mark.django_db
def test_a_viewer_cannot_create_or_revoke(alice, bob, shared):
    before = db_snapshot()
    assert_error(create(bob.client, share_body(alice)), 403, "permission_denied")
    assert_error(bob.client.post(f"{SHARES}/{shared.id}/revoke"), 403, "permission_denied")
    assert db_snapshot() == before
    assert ReportShare.objects.get(public_id=shared.id).revoked_at is None


@pytest.mark.django_db
def test_malformed_share_ids_are_400(alice):
    for path in ("junk/revoke", "shr_123/revoke", "ent_" + "0" * 26 + "/revoke"):
        assert_error(alice.client.post(f"{SHARES}/{path}"), 400, "validation_error")
    assert_error(alice.client.get(f"{SHARES}/junk/accesses"), 400, "validation_error")


# --- Bad input on create ------------------------------------------------------------------------------


def _params(**changes):
    params = {"from": "2026-01-01", "to": "2026-01-31"}
    params.update(changes)
    return params


BAD_BODIES = [
    pytest.param({"expiresInDays": 0}, "expiresInDays", id="days-0"),
    pytest.param({"expiresInDays": 91}, "expiresInDays", id="days-91"),
    pytest.param({"expiresInDays": -1}, "expiresInDays", id="days-negative"),
    pytest.param({"expiresInDays": "7"}, "expiresInDays", id="days-string"),
    pytest.param({"expiresInDays": 7.5}, "expiresInDays", id="days-float"),
    pytest.param({"expiresInDays": True}, "expiresInDays", id="days-bool"),
    pytest.param({"expiresInDays": None}, "expiresInDays", id="days-null"),
    pytest.param({"maxAccessCount": 0}, "maxAccessCount", id="max-0"),
    pytest.param({"maxAccessCount": -3}, "maxAccessCount", id="max-negative"),
    pytest.param({"maxAccessCount": "2"}, "maxAccessCount", id="max-string"),
    pytest.param({"maxAccessCount": 2.5}, "maxAccessCount", id="max-float"),
    pytest.param({"parameters": None}, "parameters", id="parameters-null"),
    pytest.param({"parameters": "bk_x"}, "parameters", id="parameters-string"),
    pytest.param({"parameters": {}}, "parameters.bookId", id="parameters-empty"),
    pytest.param({"reportType": "cashflow"}, "reportType", id="report-unknown"),
    pytest.param({"reportType": None}, "reportType", id="report-null"),
    pytest.param({"entityId": "ent_123"}, "entityId", id="entity-junk"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("overrides", "field"), BAD_BODIES)
def test_bad_bodies_are_400(alice, overrides, field):
    before = db_snapshot()
    response = create(alice.client, share_body(alice, **overrides))
    error = assert_error(response, 400, "validation_error")
    assert field in error["fields"], error
    assert db_snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("missing", ["entityId", "reportType", "parameters"])
def test_missing_fields_are_400(alice, missing):
    body = share_body(alice)
    del body[missing]
    error = assert_error(create(alice.client, body), 400, "validation_error")
    assert missing in error["fields"], error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("parameters", "field"),
    [
        ({"from": "2026-02-01", "to": "2026-01-31"}, "parameters.from"),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "parameters.from"),
        ({"from": "2026-01-01", "to": "31/01/2026"}, "parameters.to"),
        ({"to": "2026-01-31"}, "parameters.from"),
        ({"from": "2026-01-01"}, "parameters.to"),
        ({"from": "2026-01-01", "to": "2026-01-31", "bookId": "junk"}, "parameters.bookId"),
        ({"from": "2026-01-01", "to": "2026-01-31", "bookId": None}, "parameters.bookId"),
    ],
)
def test_bad_parameters_are_400(alice, parameters, field):
    body = share_body(alice)
    body["parameters"] = {"bookId": alice.gl.public_id, **parameters}
    error = assert_error(create(alice.client, body), 400, "validation_error")
    assert field in error["fields"], error


@pytest.mark.django_db
def test_a_book_of_another_entity_is_a_400_naming_parameters_book_id(alice, acme, charlie):
    before = db_snapshot()
    messages = []
    for book_id in (
        Book.objects.get(entity=acme.client, is_primary=True).public_id,  # alice's client's
        charlie.gl.public_id,  # another firm's
        new_public_id("bk"),  # nobody's
    ):
        body = share_body(alice)
        body["parameters"]["bookId"] = book_id
        error = assert_error(create(alice.client, body), 400, "validation_error")
        assert set(error["fields"]) == {"parameters.bookId"}, error
        messages.append(error)
    assert messages[0] == messages[1] == messages[2]
    assert db_snapshot() == before


@pytest.mark.django_db
def test_body_that_is_not_an_object_is_400(alice):
    response = alice.client.post(SHARES, data="[1, 2]", content_type="application/json")
    assert_error(response, 400)
    response = alice.client.post(SHARES, data="{not json", content_type="application/json")
    assert_error(response, 400)


# --- Concurrency (PostgreSQL) -----------------------------------------------------------------------

THREADS = 50


def _open_concurrently(token: str):
    def open_once() -> tuple[str, str]:
        try:
            share = services.share_open(token=token, ip="127.0.0.1", user_agent="t")
        except services.ShareUnusable as exc:
            return "refused", str(exc.problem)
        return "opened", share.public_id

    race = run_concurrently(open_once, THREADS)
    assert race.errors == []  # a thread still running after the timeout is one of them
    opened = [value for outcome, value in race.results if outcome == "opened"]
    refused = [value for outcome, value in race.results if outcome == "refused"]
    return opened, refused


def _share_for_threads(max_access_count):
    entity = EntityFactory()
    gl = Book.objects.get(entity=entity, is_primary=True)
    assert Account.objects.filter(entity=entity).exists()
    return services.share_create(
        entity=entity,
        book=gl,
        report_type="trial_balance",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 1, 31),
        expires_in_days=7,
        max_access_count=max_access_count,
    )


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_are_all_counted():
    share, token = _share_for_threads(None)
    opened, refused = _open_concurrently(token)
    assert len(opened) == THREADS and refused == []
    share.refresh_from_db()
    assert share.access_count == THREADS
    assert ReportShareAccess.objects.filter(share=share).count() == THREADS


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_opens_never_overshoot_the_limit():
    share, token = _share_for_threads(10)
    opened, refused = _open_concurrently(token)
    assert len(opened) == 10
    assert refused == [services.ShareProblem.USED_UP.value] * (THREADS - 10)
    share.refresh_from_db()
    assert share.access_count == 10
    assert ReportShareAccess.objects.filter(share=share).count() == 10


def test_a_head_request_does_not_use_up_a_link(alice):
    from django.test import Client

    body = {
        "entityId": alice.firm.public_id,
        "reportType": "balance_sheet",
        "parameters": {"bookId": alice.gl.public_id, "from": "2026-01-01", "to": "2026-12-31"},
        "maxAccessCount": 1,
    }
    created = alice.client.post("/api/reports/share", body, format="json")
    assert created.status_code == 201, created.content
    path = "/api/reports/share/" + created.json()["shareUrl"].rsplit("/", 1)[1]
    assert Client().head(path).status_code == 405
    assert Client().get(path).status_code == 302
