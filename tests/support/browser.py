"""Headless Chromium for the hub's web tests: Debian's ``chromium``, driven by Playwright.

Playwright normally runs a browser it downloaded itself (``playwright install``), from a server
outside the package registries that CI cannot reach. So we never download one: ``chromium()``
launches Debian's ``/usr/bin/chromium`` through ``executable_path`` (scripts/test installs the
package). Tests often run as root, where Chromium refuses to start without ``--no-sandbox``; the
other switches keep the browser from phoning home, updating components or syncing. The profile
is fresh each time: ``launch()`` gives Chromium a temporary user-data-dir of its own and removes it
on close (it refuses a ``--user-data-dir`` among the args).

Use the sync API from plain (non-async) test functions only: it cannot run inside a running
asyncio loop, and pytest-asyncio gives ``async def`` tests one::

    with chromium() as browser:
        page = new_page(browser)
        page.goto(url)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",  # as root Chromium does not start with its sandbox
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000  # a page's default timeout for waits, clicks and navigation
MISSING = (
    f"Debian-Paket chromium fehlt ({CHROMIUM}): scripts/test installiert es, oder einmal "
    "`apt-get install chromium`. / Debian package chromium is missing: scripts/test installs it."
)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Debian Chromium with a fresh profile, closed (and Playwright stopped) on exit,
    also when the test fails. AssertionError saying so when the package is not installed."""
    if not os.access(CHROMIUM, os.X_OK):
        raise AssertionError(MISSING)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def new_page(browser: Browser) -> Page:
    """A page in its own context (no cookies or storage shared with other pages) that gives up
    after 10 s instead of Playwright's 30 s: a hub page on loopback answers far sooner."""
    page = browser.new_context().new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    return page
