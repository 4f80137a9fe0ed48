"""Browser tests: Playwright drives Debian's Chromium against a real server.

The live server is a separate app on its own SQLite file, seeded with the demo club, served
by werkzeug in a daemon thread. Browser tests never touch the main test app or its session
(the autouse `db` fixture does nothing for tests marked `browser`).

Without Chromium the tests are skipped, except in CI (`CI=true`) where they fail loudly.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from tests.conftest import make_test_app, upgrade_schema

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Demo accounts (app/members/seed.py): every one has this password.
DEMO_PASSWORD = "club-demo-2026"
DEMO_ADMIN_EMAIL = "claire@example.com"
DEMO_MEMBER_EMAIL = "anna.hikes@example.com"


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), *CHROMIUM_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


@dataclass
class LiveServer:
    url: str
    app: Flask
    server: BaseWSGIServer


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo club on http://127.0.0.1:<ephemeral port>, CSRF on, its own SQLite file."""
    path = tmp_path_factory.mktemp("live") / "live.db"
    app = make_test_app(
        f"sqlite:///{path}",
        SERVER_NAME=None,
        WTF_CSRF_ENABLED=True,
        # Browser tests log in and post often, from one address and the same demo
        # accounts, within seconds; throttling has its own tests.
        LOGIN_RATE_LIMIT="1000 per minute",
        LOGIN_ACCOUNT_RATE_LIMIT="1000 per minute",
        REGISTER_RATE_LIMIT="1000 per minute",
        RESET_RATE_LIMIT="1000 per minute",
        POST_RATE_LIMIT="1000 per minute",
        REPLY_RATE_LIMIT="1000 per minute",
        EDIT_RATE_LIMIT="1000 per minute",
        LIKE_RATE_LIMIT="1000 per minute",
        FLAG_RATE_LIMIT="1000 per minute",
    )
    upgrade_schema(app)
    with app.app_context():
        from app.members.seed import seed_members

        seed_members()
        try:
            from app.community.forums.seed import seed_forums

            seed_forums()
        except Exception as exc:  # forums seeding is optional for the foundation's pages
            app.logger.warning("live server: forums not seeded: %s", exc)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, server=server)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    executable = chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except Exception as exc:
            _unavailable(f"Chromium at {executable} did not start: {exc}")
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser, live_server):  # type: ignore[no-untyped-def]
    """Make extra, isolated browser contexts (another member in another window)."""
    contexts = []

    def _make(locale: str = "en-US"):  # type: ignore[no-untyped-def]
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):  # type: ignore[no-untyped-def]
    """A fresh page in a fresh context (no cookies), English, base_url = live server."""
    return new_context().new_page()


def shot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, email: str, password: str = DEMO_PASSWORD, remember: bool = False) -> None:  # type: ignore[no-untyped-def]
    """Log in through the real form and wait for the redirect away from it."""
    page.goto("/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    if remember:
        page.get_by_label("Keep me logged in on this device").check()
    page.get_by_role("button", name="Log in").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


# axe-core, vendored from npm (tests/browser/vendor/axe-core/README.md): the WCAG 2.1 AA
# rules, injected into the page under test. Other browser tests call this on their pages.
AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_SCRIPT.read_text(encoding="utf-8")


def axe_violations(page, *, exclude: tuple[str, ...] = ()) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core on the page as it is now; its violations, each with its nodes."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the site's CSP (script-src 'self')
        # would block a <script> tag, and the check must see the page as served.
        page.evaluate(f"() => {{ {_axe_source()}\n }}")
    assert page.evaluate("() => window.axe.version") == AXE_VERSION
    context = {"exclude": [[selector] for selector in exclude]} if exclude else None
    result = page.evaluate(
        """async ([context, tags]) => {
            const options = {
                runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                // WCAG 2.5.3 (label in name) is still marked experimental in axe-core.
                rules: {'label-content-name-mismatch': {enabled: true}},
            };
            const r = context ? await axe.run(context, options) : await axe.run(document, options);
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary})),
            }));
        }""",
        [context, AXE_TAGS],
    )
    return result


def assert_no_axe_violations(page, *, exclude: tuple[str, ...] = ()) -> None:  # type: ignore[no-untyped-def]
    """Fail with a readable list if axe-core finds any WCAG 2.1 A/AA violation on the page."""
    violations = axe_violations(page, exclude=exclude)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n"
        + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5])
        for v in violations
    )
    assert violations == [], f"axe-core on {page.url}:\n{report}"
