"""Browser tests: Playwright (sync API) driving Debian's headless Chromium
against pytest-django's live_server.

No browser is downloaded: Playwright launches /usr/bin/chromium (Debian
package `chromium`, installed by `make deps` / scripts/install-system-deps.sh).
Without it the tests are skipped on a developer machine, but they fail on CI
(env CI set), so a broken CI image cannot pass silently.

Why DJANGO_ALLOW_ASYNC_UNSAFE: Playwright's sync API runs an asyncio event loop
in a greenlet of the main thread, and asyncio records the running loop per
thread, not per greenlet. From the moment Playwright starts until it stops,
Django sees "an event loop is running" in the main thread and refuses every ORM
call there (SynchronousOnlyOperation): the test's own data set-up and
pytest-django's flush after a transactional test. Nothing actually runs
concurrently with those calls (the sync API blocks while the loop works), so
the check is a false alarm here. The variable is set only while the browser
fixture is alive (from the first browser test to the end of the session) and
restored afterwards; the live server's own thread has no loop and never needs
it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these Chromium keeps dialling
    # Google's services and logs refused connections at every start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "pw-Test-123"  # tests/factories.make_user
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole session."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        reason = (
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install -y chromium, or make deps) to run the browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield chromium
            finally:
                chromium.close()


@pytest.fixture
def new_context(browser, live_server):  # noqa: ANN001, ANN201
    """Factory for browser contexts on the live server; all closed after the test."""
    contexts = []

    def make(**options: object):  # noqa: ANN202
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "vi-VN")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):  # noqa: ANN001, ANN201
    """A desktop-sized page on the live server."""
    return new_context().new_page()


@pytest.fixture
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
