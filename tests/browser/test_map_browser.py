"""The map page in real Chromium: clusters, popups, hostile titles, requests, accessibility."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from opengen.db import db
from opengen.models import EventFormat, EventStatus

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PAYLOADS = ('<img src=x onerror=alert(1)>', '${alert(2)}', '`;alert(3);`', '</script><script>alert(4)</script>')
# Well inside the initial view, far enough apart not to cluster at zoom 6.
CENTRAL = [(48.86, 2.35), (45.76, 4.84), (47.22, -1.55), (46.58, 0.34)]
METROPOLE = [(48.86, 2.35), (45.76, 4.84), (43.30, 5.37), (47.22, -1.55), (50.63, 3.06),
             (44.84, -0.58), (48.58, 7.75), (43.60, 1.44), (48.11, -1.68), (43.70, 7.26)]


def _open_map(page, path="/"):
    page.goto(page.base_url + path)
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
    return page.evaluate("document.body.dataset.markersLoaded")


def _visible_total(page) -> int:
    return page.evaluate("""() => {
        let total = document.querySelectorAll('.leaflet-marker-pane .event-marker').length;
        for (const span of document.querySelectorAll('.leaflet-marker-pane .marker-cluster span')) {
            total += parseInt(span.textContent, 10);
        }
        return total;
    }""")


def test_clusters_and_markers_add_up_to_the_published_sessions(page, make_event, make_venue):
    for i in range(40):
        lat, lon = METROPOLE[i % len(METROPOLE)]
        make_event(venue=make_venue(lat=lat + i * 0.001, lon=lon), start=paris(2021, 11, 29, 9 + i % 8))
    make_event(status=EventStatus.pending)
    make_event(status=EventStatus.rejected)
    make_event(format=EventFormat.online)
    db.session.commit()
    loaded = _open_map(page)
    page.wait_for_selector(".marker-cluster")
    assert _visible_total(page) == 40  # the tiles of the first view hold every session
    in_view = page.evaluate("""() => {
        const b = opengenMap.map.getBounds();
        return opengenMap.cluster.getLayers().filter(m => b.contains(m.getLatLng()))
            .reduce((n, m) => n + (m.sessionCount || 1), 0);
    }""")
    assert 30 <= in_view <= 40 and loaded == str(in_view)
    assert f"{in_view} sessions sur place dans cette zone" in page.inner_text("#map-status")
    hosts = {h for h in page.log.hosts if h}
    assert hosts <= {urlsplit(page.base_url).netloc, "tiles.invalid"}, hosts
    assert not page.log.errors


def test_clicking_a_marker_opens_its_popup_with_the_details(page, make_event, make_venue, make_school):
    school = make_school(name="Simplon Bourges")
    event = make_event(title="Atelier découverte du code", school=school,
                       venue=make_venue(school=school, city="Bourges", lat=47.0810, lon=2.3988),
                       start=paris(2021, 12, 1, 14))
    db.session.commit()
    _open_map(page)
    page.click(".leaflet-marker-pane .event-marker")
    popup = page.wait_for_selector(".leaflet-popup-content .popup")
    text = popup.inner_text()
    for expected in ("Atelier découverte du code", "Simplon Bourges", "mercredi 1 décembre, 14 h 00 – 15 h 00", "Bourges"):
        assert expected in text
    assert page.get_attribute(".popup-title a", "href").endswith(f"/events/{event.id}")


def test_hostile_titles_show_as_text_and_never_run(page, make_event, make_venue, make_school):
    events = []
    for i, payload in enumerate(PAYLOADS):
        school = make_school(name=payload)
        lat, lon = CENTRAL[i]
        events.append(make_event(title=payload, description=payload, school=school,
                   venue=make_venue(school=school, name=payload, city=payload, lat=lat, lon=lon)))
    db.session.commit()
    _open_map(page)
    ids = page.eval_on_selector_all(".leaflet-marker-pane .event-marker", "els => els.map(e => e.dataset.eventId)")
    assert sorted(ids) == sorted(str(e.id) for e in events)
    seen = set()
    for event_id in ids:
        page.click(f'.leaflet-marker-pane .event-marker[data-event-id="{event_id}"]')
        popup = page.wait_for_selector(f'.leaflet-popup-content .popup-title a[href$="/events/{event_id}"]')
        seen.add(popup.inner_text())
        page.evaluate("opengenMap.map.closePopup(); opengenMap.map.setView([46.6, 2.5], 6, {animate: false})")
    assert seen == set(PAYLOADS)
    list_text = page.inner_text(".list-section")
    for payload in PAYLOADS:
        assert payload in list_text
    event_link = page.query_selector(".list-section .event-title a").get_attribute("href")
    page.goto(page.base_url + event_link)
    page.wait_for_load_state("load")
    assert page.inner_text("h1") in PAYLOADS
    assert page.log.dialogs == []
    assert not page.log.errors


def test_map_and_event_pages_pass_axe(page, make_event):
    event = make_event(title="Atelier accessible", families=["data", "ai"])
    make_event(title="Session annulée", status=EventStatus.cancelled)
    db.session.commit()
    _open_map(page)
    assert_accessible(page)
    page.goto(f"{page.base_url}/events/{event.id}")
    page.wait_for_selector("#map_venue .leaflet-tile-pane", state="attached")
    assert_accessible(page)


def test_keyboard_users_reach_the_list_and_markers(page, make_event):
    make_event(title="Atelier au clavier")
    db.session.commit()
    _open_map(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    page.keyboard.press("Enter")
    page.focus(".leaflet-marker-pane .event-marker")
    page.keyboard.press("Enter")
    assert "Atelier au clavier" in page.wait_for_selector(".leaflet-popup-content .popup").inner_text()


def test_overseas_sessions_are_one_click_away(page, make_event, make_venue):
    make_event(title="Atelier à Saint-Pierre", venue=make_venue(city="Saint-Pierre", postcode="97410",
                                                             lat=-21.3393, lon=55.4781,
                                                             timezone="Indian/Reunion"))
    db.session.commit()
    _open_map(page)
    assert page.query_selector(".leaflet-marker-pane .event-marker") is None
    page.click(".map-jumps button:has-text(\"La Réunion\")")
    page.wait_for_selector(".leaflet-marker-pane .event-marker")
