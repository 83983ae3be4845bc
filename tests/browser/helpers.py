"""What the browser tests share. Without Playwright (or with a broken one) a module importing
this skips, with the reason, instead of failing collection."""

import os
from pathlib import Path

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


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# axe-core's impact levels that fail a page; "minor" and "moderate" findings are printed only.
FAILING_IMPACTS = ("serious", "critical")


def check_accessible(page, label: str) -> list[dict]:
    """Run axe-core (node_modules, from package-lock.json) on the page as it is now and fail on any
    serious or critical violation, naming the rule, its help text and the first elements it hit.
    Returns the milder violations (for a test that wants them)."""
    if not AXE.exists():
        reason = f"axe-core is not installed at {AXE}: run make install (it runs npm ci)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    failing = [v for v in result if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"{label}: axe-core found " + "; ".join(
        f"{v['impact']} {v['id']} ({v['help']}) at {', '.join(v['targets'])}" for v in failing
    )
    return [v for v in result if v["impact"] not in FAILING_IMPACTS]


def journey_step(page, screenshots: Path, name: str) -> None:
    """One page of a journey, looked at: a full-page screenshot saved as
    artifacts/screenshots/<name>.png, then axe-core's check."""
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=True)
    check_accessible(page, name)
