"""Real Chromium through Playwright, with a request log and an axe-core check for every page."""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launch = dict(args=ARGS, headless=True)
        if os.path.exists(CHROMIUM):
            launch["executable_path"] = CHROMIUM
        browser = playwright.chromium.launch(**launch)
        yield browser
        browser.close()


class PageLog:
    """What a page asked for and whether any dialog (alert, confirm) opened."""

    def __init__(self):
        self.hosts: set[str] = set()
        self.dialogs: list[str] = []
        self.errors: list[str] = []


def logged_page(context, base_url: str):
    """A new page of a browser context, logging what it asks for, its dialogs and its script errors."""
    page = context.new_page()
    log = PageLog()
    page.on("request", lambda request: log.hosts.add(urlsplit(request.url).netloc))
    page.on("dialog", lambda dialog: (log.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("pageerror", lambda error: log.errors.append(str(error)))
    # Tiles are the one outside resource; answer them locally so tests never leave the machine.
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    page.log = log
    page.base_url = base_url
    return page


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  viewport={"width": 1200, "height": 900})
    yield logged_page(context, live_server.url)
    context.close()


_axe = Axe()


def assert_accessible(page) -> None:
    """Fail on any serious or critical axe-core violation on the current page (once it has
    loaded, its stylesheets applied: contrast and sizes depend on them)."""
    page.wait_for_load_state("load")
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:5]}" for v in bad)
