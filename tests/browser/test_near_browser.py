"""Searching around a place in real Chromium: postcode, "around me", not found, accessibility."""
from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from opengen.db import db
from opengen.models import EventFormat

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PLACES = {"Saint-Denis": (48.9362, 2.3574, "93200"), "Paris 13e": (48.8322, 2.3561, "75013"),
          "Versailles": (48.8049, 2.1204, "78000"), "Lyon": (45.7640, 4.8357, "69001"),
          "Villeurbanne": (45.7719, 4.8902, "69100")}


@pytest.fixture
def sessions(make_event, make_venue):
    for town, (lat, lon, postcode) in PLACES.items():
        venue = make_venue(city=town, postcode=postcode, lat=lat, lon=lon)
        make_event(title=f"Atelier à {town}", venue=venue, school=venue.school, start=paris(2021, 11, 30, 10))
    make_event(title="Atelier en visio", format=EventFormat.online, venue=None,
               online_url="https://visio.example.org/x")
    db.session.commit()


@pytest.fixture
def located_page(browser, live_server):
    """A page whose browser grants the geolocation and stands in Lyon."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1200, "height": 900},
                                  geolocation={"latitude": 45.7600, "longitude": 4.8400},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.base_url = live_server.url
    page.errors = errors
    yield page
    context.close()


def wait_for_markers(page) -> str:
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
    return page.evaluate("document.body.dataset.markersLoaded")


def listed(page) -> list[tuple[str, float]]:
    """(title, km) of the sessions listed around the place, in page order."""
    items = []
    for item in page.query_selector_all(".near-list .event-item"):
        km = re.search(r"à ([\d,]+) km", item.query_selector(".distance").inner_text()).group(1)
        items.append((item.query_selector(".event-title").inner_text(), float(km.replace(",", "."))))
    return items


def test_typing_a_postcode_lists_sessions_by_distance_and_zooms_the_map(page, sessions):
    page.goto(page.base_url + "/")
    wait_for_markers(page)
    page.fill("#filter-q", "93200")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=93200"))
    assert wait_for_markers(page) == "3"  # Saint-Denis, Paris 13e, Versailles: 25 km
    found = listed(page)
    assert [title for title, _ in found] == ["Atelier à Saint-Denis", "Atelier à Paris 13e", "Atelier à Versailles"]
    assert [km for _, km in found] == sorted(km for _, km in found)
    assert "Sessions autour de Saint-Denis (93200)" in page.inner_text("#place-heading")
    assert "Atelier en visio" in page.inner_text(".online-section")
    zoom = page.evaluate("""() => {
        const m = window.opengenMap.map, circle = window.opengenMap.area;
        return {zoom: m.getZoom(), holds: m.getBounds().pad(0.01).contains(circle.getBounds()),
                lyon: m.getBounds().contains([45.764, 4.8357])};
    }""")
    assert zoom["zoom"] >= 8 and zoom["holds"] and not zoom["lyon"]
    stored = json.loads(page.evaluate("localStorage.getItem('opengen.place')"))
    assert stored["q"] == "93200" and abs(stored["lat"] - 48.936) < 0.01
    # The URL carries the search: reloading it shows the same thing.
    page.reload()
    wait_for_markers(page)
    assert [title for title, _ in listed(page)] == [title for title, _ in found]
    assert page.input_value("#filter-q") == "93200" and page.input_value("#filter-radius") == "25"
    assert not page.log.errors and not page.log.dialogs


def test_around_me_uses_the_position_the_browser_grants(located_page, sessions):
    page = located_page
    page.goto(page.base_url + "/?family=web-development")
    wait_for_markers(page)
    page.select_option("#filter-radius", "5")
    page.click("#around-me")
    page.wait_for_url(re.compile(r"lat=45\.76"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["lat"] == ["45.7600"] and query["lon"] == ["4.8400"] and query["radius_km"] == ["5"]
    assert query["family"] == ["web-development"] and "q" not in query
    assert wait_for_markers(page) == "2"
    assert [title for title, _ in listed(page)] == ["Atelier à Lyon", "Atelier à Villeurbanne"]
    assert "votre position" in page.inner_text("#place-heading")
    stored = json.loads(page.evaluate("localStorage.getItem('opengen.place')"))
    assert stored == {"q": None, "lat": 45.76, "lon": 4.84}
    # Typing a place afterwards searches around it, not around the position kept in the form.
    page.fill("#filter-q", "Versailles")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=Versailles"))
    assert "lat=" not in page.url
    assert wait_for_markers(page) == "1"
    assert not page.errors


def test_refused_geolocation_is_explained(browser, live_server, sessions):
    context = browser.new_context(locale="fr-FR")  # no permission granted: the browser refuses
    page = context.new_page()
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    page.goto(live_server.url + "/")
    page.click("#around-me")
    page.wait_for_selector("#locate-error:not([hidden])")
    assert "code postal" in page.inner_text("#locate-error")
    assert page.url == live_server.url + "/"
    context.close()


def test_unknown_place_is_said_next_to_the_field_and_the_page_is_accessible(page, sessions):
    page.goto(page.base_url + "/")
    page.fill("#filter-q", "Xyzzy Qwfp")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#q-error")
    assert "Lieu introuvable" in page.inner_text("#q-error")
    assert page.input_value("#filter-q") == "Xyzzy Qwfp"
    assert page.get_attribute("#filter-q", "aria-describedby") == "q-error"
    assert wait_for_markers(page) == "5"
    assert_accessible(page)


def test_search_results_page_is_accessible(page, sessions):
    page.goto(page.base_url + "/?q=Saint-Denis")
    wait_for_markers(page)
    assert page.query_selector_all("#q-error a")  # which Saint-Denis? (test_suggest_browser.py)
    assert_accessible(page)
    page.goto(page.base_url + "/?q=Valence")
    wait_for_markers(page)
    assert page.query_selector_all(".alternatives a")  # the other Valences, under the results
    assert_accessible(page)
    page.goto(page.base_url + "/?q=93200&radius_km=10")
    wait_for_markers(page)
    assert_accessible(page)
