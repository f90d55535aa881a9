"""Sharing a session in real Chromium: the share sheet where the browser has one, the copied link
("Lien copié") where it has not, the link in a field when copying fails; the directions links."""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from opengen.db import db

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

NO_SHARE_SHEET = "delete Navigator.prototype.share; delete Navigator.prototype.canShare;"
# A share sheet that records what it was given.
SHARE_SHEET = """
Navigator.prototype.share = function (data) { window.__shared = data; return Promise.resolve(); };
Navigator.prototype.canShare = function () { return true; };
"""


@pytest.fixture
def session(make_event):
    event = make_event(title='Atelier "data" <b>&</b> co')
    db.session.commit()
    return event


@contextmanager
def share_page(browser, init_script: str, permissions=("clipboard-read", "clipboard-write")):
    """A phone-sized page whose browser runs init_script first (its share sheet, its clipboard)."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740},
                                  permissions=list(permissions))
    context.add_init_script(init_script)
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    try:
        yield page
    finally:
        context.close()


def test_without_a_share_sheet_the_link_is_copied_and_said(browser, live_server, session):
    with share_page(browser, NO_SHARE_SHEET) as page:
        url = f"{live_server.url}/events/{session.id}"
        page.goto(url)
        button = page.locator(".share-button")
        assert button.inner_text() == "Copier le lien" and button.is_visible()
        assert page.locator(".share-link").is_hidden()
        assert button.bounding_box()["height"] >= 44
        button.click()
        page.wait_for_function("() => document.querySelector('.share-status').textContent !== ''")
        assert page.locator(".share-status").inner_text() == "Lien copié"
        assert page.evaluate("navigator.clipboard.readText()") == url
        assert_accessible(page)
        assert page.errors == []


def test_with_a_share_sheet_it_gets_title_text_and_address(browser, live_server, session):
    with share_page(browser, SHARE_SHEET) as page:
        url = f"{live_server.url}/events/{session.id}"
        page.goto(url)
        button = page.locator(".share-button")
        assert button.inner_text() == "Partager"
        button.click()
        page.wait_for_function("() => window.__shared !== undefined")
        shared = page.evaluate("window.__shared")
        assert shared["url"] == url and shared["title"] == 'Atelier "data" <b>&</b> co'
        assert shared["text"].startswith('Atelier "data" <b>&</b> co, ') and "novembre" in shared["text"]


def test_when_copying_is_refused_the_link_is_shown_to_copy_by_hand(browser, live_server, session):
    refused = NO_SHARE_SHEET + "navigator.clipboard.writeText = () => Promise.reject(new Error('no'));"
    with share_page(browser, refused, permissions=()) as page:
        page.goto(f"{live_server.url}/events/{session.id}")
        page.locator(".share-button").click()
        page.wait_for_function("() => !document.querySelector('.share-link').hidden")
        assert "Copie impossible" in page.locator(".share-status").inner_text()
        assert page.locator(".share-link input").input_value().endswith(f"/events/{session.id}")
        assert page.evaluate("document.activeElement.id") == "share-url"


def test_directions_links_are_there_and_thumb_sized(page, session):
    page.goto(f"{page.base_url}/events/{session.id}")
    links = page.locator(".directions-links a")
    assert links.count() == 2
    assert links.nth(0).get_attribute("href").startswith("https://www.openstreetmap.org/directions?to=")
    assert links.nth(1).get_attribute("href").startswith("geo:")
    assert all(links.nth(i).bounding_box()["height"] >= 44 for i in range(2))
    assert_accessible(page)


def test_the_session_page_fits_a_320_px_screen_with_and_without_javascript(browser, live_server, session):
    for script in (True, False):
        context = browser.new_context(locale="fr-FR", viewport={"width": 320, "height": 700},
                                      java_script_enabled=script)
        try:
            page = context.new_page()
            page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
            page.goto(f"{live_server.url}/events/{session.id}")
            assert page.locator(".share-link").is_visible() != script
            assert page.evaluate("document.documentElement.scrollWidth") <= 320
        finally:
            context.close()
