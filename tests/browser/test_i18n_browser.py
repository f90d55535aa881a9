"""The language switch in Chromium: English chosen from the browser's language or the switch,
remembered across pages, accessible in both languages."""
from __future__ import annotations

import re

from tests.browser.conftest import assert_accessible
from opengen.db import db
from tests.conftest import paris


def english_context(browser, live_server):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Paris",
                                  viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    return context, page


def switch(page, path: str, name: str, code: str) -> None:
    """Follow the header's link to a language; the same page comes back in that language."""
    page.get_by_role("link", name=name).click()
    page.wait_for_url(f"{page.base_url}{path}")
    assert page.locator("html").get_attribute("lang") == code


def test_switch_to_english_is_remembered_without_javascript_help(page, make_event, ctx):
    event = make_event(title="Atelier robots", start=paris(2021, 11, 29, 14))
    db.session.commit()
    page.goto(f"{page.base_url}/events/{event.id}")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Intégrer la carte").is_visible()
    switch(page, f"/events/{event.id}", "English", "en")
    assert page.get_by_role("link", name="Embed the map").is_visible()
    assert page.get_by_role("heading", name="Atelier robots").is_visible()  # the school's words as written
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["langue"]["value"] == "en" and cookies["langue"]["httpOnly"]
    # Another page, later: still English, though the browser says French.
    page.goto(f"{page.base_url}/submit")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Submit an Open Gen session").is_visible()
    switch(page, "/submit", "Français", "fr")
    assert not page.log.errors


def test_switch_is_reachable_by_keyboard_and_a_thumb_sized_target(page):
    page.goto(page.base_url + "/")
    link = page.get_by_role("link", name="English")
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.textContent") == "English":
            break
    else:
        raise AssertionError("the switch cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'en'")


def test_english_browser_gets_english_home_and_submit_pages_accessible_at_320(browser, live_server,
                                                                            make_event, ctx, submissions_open):
    make_event(title="Atelier robots")
    db.session.commit()
    context, page = english_context(browser, live_server)
    try:
        page.set_viewport_size({"width": 320, "height": 740})
        page.goto(live_server.url + "/")
        assert page.locator("html").get_attribute("lang") == "en"
        assert page.get_by_role("link", name="Skip to content").count() == 1
        assert page.get_by_role("heading", name="Discover digital jobs near you").is_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 320
        assert_accessible(page)
        page.goto(live_server.url + "/submit")
        assert page.get_by_role("heading", name="Submit an Open Gen session").is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Check my submission").click()
        page.wait_for_load_state()
        assert page.get_by_text(re.compile(r"^\d+ fields need correcting$")).first.is_visible()
        assert_accessible(page)
    finally:
        context.close()
