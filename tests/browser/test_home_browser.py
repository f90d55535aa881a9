"""The home page in real Chromium, on a 360x740 touch phone and a 1366x768 laptop: results in the
first screen after a search, the list / map switch, the list updated in place with a shareable
address and a working back button, the keyboard path to the first session, no sideways scroll."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PHONE = dict(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
LAPTOP = dict(viewport={"width": 1366, "height": 768})
PLACES = [("Saint-Denis", 48.9362, 2.3574, "93200"), ("Paris 13e", 48.8322, 2.3561, "75013"),
          ("Versailles", 48.8049, 2.1204, "78000")]


@pytest.fixture
def sessions(make_event, make_venue):
    for town, lat, lon, postcode in PLACES:
        venue = make_venue(city=town, postcode=postcode, lat=lat, lon=lon)
        make_event(title=f"Atelier à {town}", venue=venue, school=venue.school, start=paris(2021, 11, 30, 10))
    db.session.commit()


@pytest.fixture
def open_page(browser, live_server):
    contexts = []

    def open_(profile: dict, path: str):
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", **profile)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
        page.goto(live_server.url + path)
        page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
        return page

    yield open_
    for context in contexts:
        context.close()


def in_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("profile", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_after_a_search_the_count_and_the_nearest_session_are_in_the_first_screen(open_page, sessions, profile):
    page = open_page(profile, "/")
    page.fill("#filter-q", "93200")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=93200"))
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
    assert "3 sessions sur place à moins de 25 km" in page.inner_text("#list-heading")
    assert in_first_screen(page, "#list-heading")
    assert in_first_screen(page, ".near-list .event-item .event-title")
    assert page.inner_text(".near-list .event-item .event-title") == "Atelier à Saint-Denis"
    assert no_sideways_scroll(page)
    assert_accessible(page)
    assert not page.errors


def test_the_phone_switches_between_the_list_and_the_map(open_page, sessions):
    page = open_page(PHONE, "/?q=93200")
    switch = page.locator("#view-switch")
    assert switch.is_visible()
    assert page.get_attribute("#view-switch [data-view=list]", "aria-pressed") == "true"
    assert page.locator("#list-heading").is_visible() and not page.locator("#map-pane .map-wrapper").is_visible()
    page.evaluate("() => document.addEventListener('opengen:mapshown', () => { window.mapShown = true; })")
    page.click("#view-switch [data-view=map]")
    assert page.get_attribute("#view-switch [data-view=map]", "aria-pressed") == "true"
    assert page.evaluate("() => window.mapShown === true")
    box = page.locator("#map-pane .map-wrapper").bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert not page.locator("#list-heading").is_visible()
    assert no_sideways_scroll(page)
    assert_accessible(page)
    page.click("#view-switch [data-view=list]")
    assert page.locator("#list-heading").is_visible() and not page.locator("#map-pane .map-wrapper").is_visible()
    assert not page.errors


def test_on_a_laptop_the_list_sits_beside_the_map(open_page, sessions):
    page = open_page(LAPTOP, "/?q=93200")
    assert not page.locator("#view-switch").is_visible()
    results, pane = page.locator("#results").bounding_box(), page.locator("#map-pane").bounding_box()
    assert results["x"] + results["width"] <= pane["x"] and pane["y"] < 768
    wrapper = page.locator("#map-pane .map-wrapper").bounding_box()
    assert wrapper["y"] + 250 <= 768  # most of the map shows beside the first results


def test_pages_of_the_list_load_in_place_with_a_shareable_address_and_back_works(open_page, make_event):
    for day in range(55):
        make_event(title=f"Atelier {day:02d}", start=paris(2021, 11, 29, 8) + (paris(2021, 11, 29, 8, 10) - paris(2021, 11, 29, 8)) * day)
    db.session.commit()
    page = open_page(LAPTOP, "/")
    page.evaluate("() => { window.samePage = true; }")
    page.click(".pagination a[rel=next]")
    page.wait_for_function("() => location.search.includes('page=2')")
    page.wait_for_function("() => document.querySelector('#results .event-title').textContent.includes('Atelier 50')")
    assert page.evaluate("() => window.samePage === true")  # no reload: updated in place
    assert page.evaluate("() => document.activeElement.id") == "list-heading"
    page.wait_for_function("() => document.getElementById('results-status').textContent.includes('55 sessions')")
    # The stars of the new items work like the others (programme.js follows the swap).
    star = page.locator("#results button[data-star]").first
    assert star.is_visible()
    star.click()
    assert star.get_attribute("aria-pressed") == "true"
    shared = page.url
    page.go_back()
    page.wait_for_function("() => !location.search.includes('page=2')")
    page.wait_for_function("() => document.querySelector('#results .event-title').textContent.includes('Atelier 00')")
    assert page.evaluate("() => window.samePage === true")
    page.go_forward()
    page.wait_for_function("() => document.querySelector('#results .event-title').textContent.includes('Atelier 50')")
    # The address shared shows the same page to someone else, without JavaScript too.
    assert urlsplit(shared).query == "page=2"
    assert not page.errors


def test_the_keyboard_reaches_the_first_session_in_few_presses(open_page, sessions):
    page = open_page(LAPTOP, "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link", has_text="Aller à la liste des sessions")
    assert skip.evaluate("(node) => node === document.activeElement") and skip.is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.event-title') !== null")
    # Without the skip link: count the presses from the top to the first session.
    page.goto(page.url.split("#")[0])
    presses = 0
    while presses < 60:
        page.keyboard.press("Tab")
        presses += 1
        if page.evaluate("() => document.activeElement.closest('.event-title') !== null"):
            break
    print(f"Tab presses from the top to the first session: {presses}")
    assert presses <= 20


def test_on_a_laptop_the_list_follows_the_map(open_page, sessions, make_event, make_venue):
    page = open_page(LAPTOP, "/")
    page.evaluate("""() => document.dispatchEvent(new CustomEvent('opengen:viewchange',
        {detail: {bbox: [2.30, 48.90, 2.40, 48.95], zoom: 12, count: 1}}))""")
    page.wait_for_function("() => location.search.includes('bbox=')")
    page.wait_for_function("() => document.getElementById('list-heading').textContent.includes('dans cette zone')")
    assert "1 session dans cette zone" in page.inner_text("#list-heading")
    assert page.evaluate("() => document.activeElement.id") != "list-heading"  # focus not stolen
    page.click("[data-whole-list]")
    page.wait_for_function("() => !location.search.includes('bbox=')")
    assert "3 sessions" in page.inner_text("#list-heading")
    assert_accessible(page)


@pytest.mark.parametrize("profile", [dict(viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True),
                                     dict(viewport={"width": 683, "height": 384})],  # a laptop at 200% zoom
                         ids=["320px", "zoom-200"])
@pytest.mark.parametrize("path", ["/", "/?q=93200", "/?family=data"])
def test_nothing_is_wider_than_the_screen_and_controls_are_thumb_sized(open_page, sessions, profile, path):
    page = open_page(profile, path)
    assert no_sideways_scroll(page)
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
            '#search-form input:not([type=hidden]), #search-form select, #search-form button, #search-form summary, #view-switch button, .pagination a, .territories a'))
        .filter((node) => node.offsetParent !== null && node.getBoundingClientRect().height < 44)
        .map((node) => node.outerHTML.slice(0, 80))""")
    assert not small


def test_overseas_sessions_are_one_tap_away_under_their_territory(open_page, make_event, make_venue):
    make_event(title="Atelier à Lyon", venue=make_venue(city="Lyon", postcode="69001", lat=45.76, lon=4.83),
               start=paris(2021, 11, 29, 9))
    make_event(title="Atelier à La Réunion", start=paris(2021, 11, 29, 6),
               venue=make_venue(city="Saint-Denis", postcode="97400", lat=-20.88, lon=55.45, timezone="Indian/Reunion"))
    db.session.commit()
    page = open_page(PHONE, "/")
    assert page.inner_text("#results .event-title") == "Atelier à Lyon"
    assert "Atelier à La Réunion" not in page.inner_text("#results")
    assert_accessible(page)
    page.click(".territories a:has-text('La Réunion')")
    page.wait_for_url(re.compile(r"territory=reunion"))
    assert page.inner_text("#results .event-title") == "Atelier à La Réunion"
    assert in_first_screen(page, "#results .event-title")
    assert no_sideways_scroll(page)
    assert_accessible(page)


def test_after_choosing_a_filter_on_a_phone_the_count_and_first_session_are_in_the_first_screen(open_page, sessions):
    page = open_page(PHONE, "/")
    page.click(".more-filters > summary")
    page.select_option("#filter-kind", "workshop")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"kind=workshop"))
    assert "3 sessions" in page.inner_text("#list-heading")
    assert in_first_screen(page, "#list-heading") and in_first_screen(page, "#results .event-title")
    assert "(1 filtre choisi)" in page.inner_text(".more-filters > summary")
