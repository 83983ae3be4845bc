"""No page a firm's staff see says "cents" (issue 20): every registered ModelAdmin a firm ADMIN or
VIEWER may view, its changelist, add page and the change page of one of the firm's objects.

Only what a person reads counts: the text of the page (headers, labels, help texts, cells, option
texts, messages), never tags or attributes (a column's CSS class `field-amount_cents` or an input's
name may keep the model's field name).
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.admin.conftest import build_world

pytestmark = pytest.mark.django_db

MODELS = sorted(
    model._meta.label_lower
    for model in admin.site._registry
    if model._meta.app_label not in ("djstripe", "axes", "otp_totp", "otp_static", "auth")
)


class _VisibleText(HTMLParser):
    """The text a person reads: data outside <script>, <style> and <template>, no attributes."""

    HIDDEN = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def test_visible_text_leaves_out_tags_and_attributes():
    html = (
        '<td class="field-amount_cents"><input name="rate_cents" value="1"> $1.00</td>'
        "<script>var cents = 1;</script><label>Rate</label>"
    )
    assert visible_text(html) == "$1.00 Rate"
    assert "cents" in visible_text("<label>Rate cents</label>").lower()


def _page_urls(model_admin, model, request) -> tuple[list[str], list[str]]:
    """The model's pages this user opens: (urls, what was left out and why)."""
    if not model_admin.has_view_permission(request):
        return [], [f"{model._meta.label_lower}: not open to a firm's staff"]
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls, left_out = [reverse(f"{prefix}_changelist")], []
    if model_admin.has_add_permission(request):
        urls.append(reverse(f"{prefix}_add"))
    pk = model_admin.get_queryset(request).order_by("pk").values_list("pk", flat=True).first()
    if pk is None:
        left_out.append(f"{model._meta.label_lower}: the small world has none of the firm's")
    else:
        urls.append(reverse(f"{prefix}_change", args=[pk]))
    return urls, left_out


@pytest.fixture
def world(alice, make_client):
    return build_world(alice, make_client, "Acme")


@pytest.mark.parametrize("who", ["admin", "viewer"])
def test_no_page_a_firms_staff_see_says_cents(who, rf, alice, bob, world, alice_admin, bob_admin):
    """A firm ADMIN's pages, and a VIEWER's (where every field is shown read-only): every model's
    changelist, add page (where the user may add) and the change page of one of the firm's
    objects, in one test per role so the world is built once (it is the costly part)."""
    user, browser = (alice.user, alice_admin) if who == "admin" else (bob.user, bob_admin)
    request = rf.get("/admin/")
    request.user = user
    opened, says = [], []
    for label in MODELS:
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        urls, _ = _page_urls(admin.site._registry[model], model, request)
        for url in urls:
            response = browser.get(url)
            assert response.status_code == 200, url
            text = visible_text(response.content.decode())
            found = [m.group(0) for m in re.finditer(r".{0,40}cents.{0,40}", text, re.I)]
            opened.append(url)
            if found:
                says.append(f"{url} says: {found}")
    assert not says, "\n".join(says)
    # The walk reached the pages that matter (a broken permission would make it pass on nothing).
    for expected in ("practice_timeentry", "practice_clientlink", "practice_engagement"):
        assert any(f"/{expected.replace('_', '/', 1)}/" in url for url in opened), expected
    assert len(opened) >= 30 if who == "admin" else len(opened) >= 20
