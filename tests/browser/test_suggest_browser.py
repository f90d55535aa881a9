"""Typing a place in real Chromium: the combobox of suggested communes (keyboard, touch, screen
reader attributes), the typo and the ambiguous name on the page, and the plain field without
JavaScript."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def sessions(make_event, make_venue):
    for town, (lat, lon, postcode) in {"Marseille": (43.2965, 5.3698, "13001"),
                                       "Saint-Denis": (48.9362, 2.3574, "93200")}.items():
        venue = make_venue(city=town, postcode=postcode, lat=lat, lon=lon)
        make_event(title=f"Atelier à {town}", venue=venue, school=venue.school, start=paris(2021, 11, 30, 10))
    db.session.commit()


def open_list(page, text: str):
    field = page.locator("#filter-q")
    field.click()
    field.fill("")
    field.type(text, delay=30)
    page.wait_for_function("() => !document.querySelector('#filter-q-suggestions').hidden", timeout=10000)
    return field


def options(page) -> list[str]:
    return page.locator("#filter-q-suggestions [role=option] .suggestion-name").all_inner_texts()


def test_marseil_arrow_down_enter_searches_around_marseille(page, sessions):
    page.goto(page.base_url + "/")
    field = open_list(page, "Marseil")
    assert options(page)[0] == "Marseille (13)"
    assert field.get_attribute("role") == "combobox" and field.get_attribute("aria-expanded") == "true"
    assert field.get_attribute("aria-controls") == "filter-q-suggestions"
    assert field.get_attribute("aria-activedescendant") is None
    field.press("ArrowDown")
    first = page.locator("#filter-q-suggestions [role=option]").first
    assert field.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    assert_accessible(page)  # the open list
    with page.expect_navigation():
        field.press("Enter")
    assert parse_qs(urlsplit(page.url).query)["q"] == ["Marseille (13)"]
    assert page.locator("#place-heading").inner_text().startswith("Sessions autour de Marseille (13")
    assert "Atelier à Marseille" in page.locator(".near-list").inner_text()
    assert page.log.errors == []


def test_arrows_wrap_and_escape_closes_without_clearing(page, sessions):
    page.goto(page.base_url + "/")
    field = open_list(page, "lyon")
    count = len(options(page))
    assert count == 8
    field.press("ArrowUp")  # from the field: the last option
    last = page.locator("#filter-q-suggestions [role=option]").nth(count - 1)
    assert field.get_attribute("aria-activedescendant") == last.get_attribute("id")
    field.press("ArrowDown")  # and round to the first
    assert field.get_attribute("aria-activedescendant") == page.locator(
        "#filter-q-suggestions [role=option]").first.get_attribute("id")
    field.press("Escape")
    assert page.locator("#filter-q-suggestions").is_hidden()
    assert field.get_attribute("aria-expanded") == "false" and field.input_value() == "lyon"
    assert field.get_attribute("aria-activedescendant") is None


def test_typing_fast_asks_once_the_typing_pauses(page, sessions):
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/api/places/suggest" in r.url else None)
    page.goto(page.base_url + "/")
    open_list(page, "Montpellier")
    assert 1 <= len(asked) < len("Montpellier") - 2
    assert parse_qs(urlsplit(asked[-1]).query)["q"] == ["Montpellier"]


def test_a_bare_ambiguous_name_sent_asks_which_one(page, sessions):
    page.goto(page.base_url + "/")
    field = page.locator("#filter-q")
    field.fill("Saint-Denis")
    with page.expect_navigation():
        field.press("Enter")  # no option chosen: the form is sent as typed
    box = page.locator("#q-error")
    assert "précisez laquelle" in box.inner_text()
    links = box.locator("a")
    assert links.nth(1).inner_text() == "Saint-Denis (93, Seine-Saint-Denis, Île-de-France)"
    assert page.locator("#place-heading").count() == 0
    assert_accessible(page)
    with page.expect_navigation():
        links.nth(1).click()
    assert page.locator("#place-heading").inner_text().startswith("Sessions autour de Saint-Denis (93")
    assert "Atelier à Saint-Denis" in page.locator(".near-list").inner_text()


def test_typo_sent_offers_did_you_mean(page, sessions):
    page.goto(page.base_url + "/?q=Marseil")
    box = page.locator("#q-error")
    assert "Vouliez-vous dire" in box.inner_text()
    assert page.locator("#filter-q").input_value() == "Marseil"
    assert_accessible(page)
    with page.expect_navigation():
        box.locator("a", has_text="Marseille (13, Bouches-du-Rhône").click()
    assert page.locator("#place-heading").inner_text().startswith("Sessions autour de Marseille (13")


def test_on_a_phone_options_are_thumb_sized_and_a_tap_chooses(browser, live_server, sessions):
    context = browser.new_context(locale="fr-FR", viewport={"width": 360, "height": 740}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    try:
        page.goto(live_server.url + "/")
        open_list(page, "st denis")
        heights = [box["height"] for box in (o.bounding_box() for o in
                                             page.locator("#filter-q-suggestions [role=option]").all())]
        assert heights and min(heights) >= 44
        listbox = page.locator("#filter-q-suggestions").bounding_box()
        assert listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= 360
        with page.expect_navigation():
            page.locator("#filter-q-suggestions [role=option]", has_text="Saint-Denis (93)").tap()
        assert parse_qs(urlsplit(page.url).query)["q"] == ["Saint-Denis (93)"]
    finally:
        context.close()


def test_without_javascript_the_field_is_plain_and_works(browser, live_server, sessions):
    context = browser.new_context(locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/")
        field = page.locator("#filter-q")
        assert field.get_attribute("role") is None and page.locator("#filter-q-suggestions").count() == 0
        field.fill("Marseille (13)")
        with page.expect_navigation():
            field.press("Enter")
        assert page.locator("#place-heading").inner_text().startswith("Sessions autour de Marseille (13")
    finally:
        context.close()


@pytest.mark.parametrize("path", ["/?q=Saint-Denis", "/?q=Marseil", "/?q=Valence"])
def test_the_question_and_the_choices_fit_a_320_px_screen(page, sessions, path):
    page.set_viewport_size({"width": 320, "height": 700})
    page.goto(page.base_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    links = page.locator("#q-error a, .alternatives a")
    assert links.count() and all(links.nth(i).bounding_box()["height"] >= 44 for i in range(links.count()))
