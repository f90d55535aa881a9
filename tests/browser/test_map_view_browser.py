"""The map's clusters in real Chromium: a click zooms in, one address lists all its sessions, popups stay
inside the map on a phone, the map is one tab stop, the list and the pins answer each other."""
from __future__ import annotations

import json

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PAYLOADS = ('<img src=x onerror=alert(1)>', '${alert(2)}', '`;alert(3);`', '</script><script>alert(4)</script>')


def _open(page, path="/"):
    page.goto(page.base_url + path)
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
    return page.evaluate("() => document.body.dataset.markersLoaded")


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 360, "height": 740},
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.route("http://tiles.invalid/**", lambda route: route.fulfill(status=204, body=""))
    page.base_url = live_server.url
    page.errors = errors
    yield page
    context.close()


def _views(page) -> int:
    return int(page.evaluate("() => document.body.dataset.mapViews || '0'"))


def test_a_cluster_click_zooms_into_its_sessions(page, make_event, make_venue):
    points = [(45.76 + i * 0.004, 4.84 + i * 0.004) for i in range(6)]
    for lat, lon in points:
        make_event(venue=make_venue(lat=lat, lon=lon))
    db.session.commit()
    assert _open(page) == "6"
    page.wait_for_selector(".marker-cluster")
    assert page.locator(".leaflet-marker-pane .event-marker").count() == 0
    assert page.inner_text(".leaflet-marker-pane .marker-cluster") == "6"
    views, zoom = _views(page), page.evaluate("() => opengenMap.map.getZoom()")
    page.locator(".leaflet-marker-pane .marker-cluster").first.click()
    page.wait_for_function(f"() => (+document.body.dataset.mapViews) > {views}")
    assert page.evaluate("() => opengenMap.map.getZoom()") > zoom + 2
    assert page.evaluate(f"() => {json.dumps(points)}.every(p => opengenMap.map.getBounds().contains(p))")
    assert "6 sessions sur place dans cette zone" in page.inner_text("#map-status")
    assert not page.log.errors


def test_every_session_at_one_address_is_in_its_marker_popup(page, make_event, make_venue, make_school):
    school = make_school(name="Campus partagé")
    venue = make_venue(school=school, city="Amiens", lat=49.8941, lon=2.2958)
    for i, payload in enumerate(PAYLOADS):
        make_event(title=payload, school=school, venue=venue, start=paris(2021, 11, 30, 9 + i))
    db.session.commit()
    assert _open(page) == "4"
    page.click(".leaflet-marker-pane .marker-place")
    popup = page.wait_for_selector(".leaflet-popup-content .popup-list")
    assert page.locator(".leaflet-popup-content .popup-list li").count() == 4
    assert "4 sessions à cette adresse" in page.inner_text(".leaflet-popup-content")
    titles = page.locator(".leaflet-popup-content .popup-list .popup-title a").all_inner_texts()
    assert sorted(titles) == sorted(PAYLOADS)
    assert "mardi 30 novembre, 9 h 00 – 10 h 00" in popup.inner_text()
    assert page.log.dialogs == [] and not page.log.errors


def test_a_popup_stays_inside_the_map_on_a_phone(phone, make_event, make_venue, make_school):
    school = make_school(name="Une école au nom vraiment très long pour remplir toute la largeur")
    # Near the top-left corner of the first view: a popup there would be clipped without autoPan.
    make_event(title="Atelier " + "très " * 20 + "long", school=school,
               venue=make_venue(school=school, city="Brest", lat=48.39, lon=-4.49))
    db.session.commit()
    _open(phone, "/?q=Brest")
    phone.click("#view-switch button[data-view=map]")  # on a phone the list shows first
    phone.locator(".leaflet-marker-pane .event-marker").first.click()
    phone.wait_for_selector(".leaflet-popup-content .popup-when")
    phone.wait_for_timeout(600)  # autoPan's animation
    box = phone.evaluate("""() => {
        const map = opengenMap.map.getContainer().getBoundingClientRect();
        const popup = document.querySelector('.leaflet-popup').getBoundingClientRect();
        const zoom = document.querySelector('.leaflet-control-zoom').getBoundingClientRect();
        const overlaps = !(popup.right <= zoom.left || popup.left >= zoom.right ||
                           popup.bottom <= zoom.top || popup.top >= zoom.bottom);
        return {inside: popup.left >= map.left && popup.right <= map.right && popup.top >= map.top
                        && popup.bottom <= map.bottom, overlaps: overlaps};
    }""")
    assert box == {"inside": True, "overlaps": False}
    text = phone.inner_text(".leaflet-popup-content")
    assert "km" in text and "h 00 –" in text and "Voir la session" in text
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert not phone.errors


def test_the_map_is_one_tab_stop_with_its_own_keys(page, make_event, make_venue):
    for i in range(27):
        make_event(venue=make_venue(lat=43.0 + (i % 6), lon=-1.0 + (i // 6) * 1.5))
    for i in range(3):  # a cluster at the centre of the first view
        make_event(venue=make_venue(lat=46.6 + i * 0.01, lon=2.5))
    db.session.commit()
    assert _open(page) == "30"
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    in_map, presses, first_item = 0, 0, None
    for presses in range(1, 200):
        page.keyboard.press("Tab")
        where = page.evaluate("""() => {
            const a = document.activeElement;
            return {map: !!a.closest('.map-wrapper'), item: !!a.closest('article.event-item'),
                    after: !!a.closest('footer')};
        }""")
        in_map += where["map"]
        if where["item"] and first_item is None:
            first_item = presses
        if where["after"]:
            break
    assert first_item, "Tab reaches the first session of the list"
    assert where["after"], "Tab goes on past the map to the footer"
    assert in_map == 1, "the map is one stop, its icons and controls are not"
    presses = first_item
    assert presses <= 40, presses  # was 68 with every cluster a stop
    # Enter on the focused map zooms into the cluster at its centre...
    page.focus(".map-wrapper .leaflet-container")
    zoom, views = page.evaluate("() => opengenMap.map.getZoom()"), _views(page)
    page.keyboard.press("Enter")
    page.wait_for_function(f"() => (+document.body.dataset.mapViews) > {views}")
    assert page.evaluate("() => opengenMap.map.getZoom()") > zoom
    # ...and, pressed again, brings the nearest marker to the centre, then opens its popup.
    for _ in range(6):
        if page.locator(".leaflet-popup-content .popup").count():
            break
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
    page.wait_for_function("() => document.activeElement.closest('.leaflet-popup-content') !== null")
    page.keyboard.press("Escape")
    page.wait_for_selector(".leaflet-popup", state="detached")
    assert page.evaluate("() => document.activeElement.classList.contains('leaflet-container')")
    assert_accessible(page)


def test_the_list_and_the_pins_answer_each_other(page, make_event, make_venue):
    lone = make_event(title="Atelier à Rennes", venue=make_venue(city="Rennes", lat=48.11, lon=-1.68))
    make_event(title="Atelier à Lille", venue=make_venue(city="Lille", lat=50.63, lon=3.06))
    db.session.commit()
    _open(page)
    item = f'article.event-item[data-event-id="{lone.id}"]'
    page.wait_for_selector(item)
    # The list's items carry their position (data-lat/data-lon); a hover rings the pin.
    page.evaluate(f"""() => {{ const i = document.querySelector('{item}');
                               i.dataset.lat = '48.11'; i.dataset.lon = '-1.68'; }}""")
    page.hover(item)
    page.wait_for_selector("path.map-highlight")
    page.mouse.move(1, 1)
    page.hover(f'.leaflet-marker-pane .event-marker[data-event-id="{lone.id}"]')
    assert page.locator(item).evaluate("i => i.classList.contains('is-highlighted')")


def test_a_user_move_on_a_wide_screen_tells_the_list_its_view(page, make_event, make_venue):
    make_event(venue=make_venue(lat=48.86, lon=2.35))
    make_event(venue=make_venue(lat=43.30, lon=5.37))
    db.session.commit()
    page.set_viewport_size({"width": 1366, "height": 768})
    page.evaluate("() => 0")
    page.goto(page.base_url + "/")
    page.evaluate("""() => { window.views = [];
        document.addEventListener('opengen:viewchange', e => window.views.push(e.detail)); }""")
    page.wait_for_function("() => document.body.dataset.markersLoaded === '2'")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.views") == []  # the first view is not a move
    page.evaluate("() => opengenMap.map.setView([48.86, 2.35], 9)")
    page.wait_for_function("() => window.views.length > 0")
    detail = page.evaluate("() => window.views[window.views.length - 1]")
    west, south, east, north = (float(v) for v in detail["bbox"].split(","))
    assert west < 2.35 < east and south < 48.86 < north and detail["zoom"] == 9 and detail["count"] == 1
    listed = page.request.get(page.base_url + "/api/events?bbox=" + detail["bbox"]).json()
    assert listed["count"] == 1


def test_the_map_redraws_when_the_phone_switch_shows_it(phone, make_event, make_venue):
    make_event(venue=make_venue(lat=48.86, lon=2.35))
    db.session.commit()
    _open(phone)
    # h-home's list/map switch hides the map, then fires opengen:mapshown when it shows it again.
    phone.evaluate("() => { document.querySelector('.map-wrapper').style.height = '0px';"
                   " opengenMap.map.invalidateSize(); }")
    views = int(phone.evaluate("() => document.body.dataset.mapViews"))
    phone.evaluate("() => { document.querySelector('.map-wrapper').style.height = '400px';"
                   " document.dispatchEvent(new CustomEvent('opengen:mapshown')); }")
    phone.wait_for_function(f"() => +document.body.dataset.mapViews > {views}")
    assert phone.evaluate("() => opengenMap.map.getSize().y") == 400
    assert not phone.errors


def test_the_first_view_of_france_comes_with_the_page_and_asks_for_no_tile(page, make_event, make_venue):
    for i in range(5):
        make_event(venue=make_venue(lat=43.3 + i, lon=1.0 + i))
    db.session.commit()
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/api/events/clusters/" in request.url else None)
    assert _open(page) == "5"  # every session of the first view drawn...
    assert asked == []  # ...from the tiles the page carried
    # A move beyond them asks the server as before.
    page.evaluate("() => opengenMap.map.setView([48.85, 2.35], 11, {animate: false})")
    page.wait_for_function("() => +document.body.dataset.mapViews >= 2")
    assert asked, "tiles beyond the first view are fetched"
