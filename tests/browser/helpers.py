"""What the browser tests share. Without Playwright (or with a broken one) a module importing
this skips, with the reason, instead of failing collection."""

import pytest

expect = pytest.importorskip(
    "playwright.sync_api",
    reason="playwright is not installed: pip install -r requirements.txt",
    exc_type=ImportError,
).expect

PASSWORD = "correct horse battery staple"


def admin_login(page, base_url: str, email: str, password: str = PASSWORD) -> None:
    """Sign in on the admin's login page; the browser lands on an admin page."""
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Axiomatic")
