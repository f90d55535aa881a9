"""The embed in real Chromium: inside another loopback origin's <iframe> it shows its markers and
list, while the home page in the same iframe is refused; axe and 320 px on /embed and /integrer."""
from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser

PLACES = [(48.86, 2.35), (45.76, 4.84), (47.22, -1.55)]


@pytest.fixture
def partner_site(tmp_path, live_server):
    """A partner's page on another origin (127.0.0.2), framing /embed and the home page."""
    (tmp_path / "embed.html").write_text(
        f'<!doctype html><title>Partenaire</title><iframe id="frame" style="width:900px;height:700px" '
        f'src="{live_server.url}/embed?family=data&amp;zoom=6&amp;centre=46.6,2.5"></iframe>')
    (tmp_path / "home.html").write_text(
        f'<!doctype html><title>Partenaire</title><iframe id="frame" src="{live_server.url}/"></iframe>')
    server = ThreadingHTTPServer(("127.0.0.2", 0), partial(SimpleHTTPRequestHandler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.2:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_the_embed_shows_its_markers_and_list_inside_another_sites_frame(page, partner_site, make_event, make_venue):
    for i, (lat, lon) in enumerate(PLACES):
        make_event(title=f"Atelier data {i}", families=["data"], venue=make_venue(lat=lat, lon=lon),
                   start=paris(2021, 11, 29, 9 + i))
    make_event(title="Atelier cloud", families=["cloud"])
    db.session.commit()
    page.goto(partner_site + "/embed.html")
    frame = page.frame_locator("#frame")
    frame.locator("body[data-markers-loaded]").wait_for(timeout=15000)
    inner = next(f for f in page.frames if f.url.startswith(page.base_url + "/embed"))
    assert inner.evaluate("document.body.dataset.markersLoaded") == "3"
    titles = frame.locator(".embed-item .event-title").all_inner_texts()
    assert titles == ["Atelier data 0", "Atelier data 1", "Atelier data 2"]
    assert frame.locator(".embed-item a").first.get_attribute("target") == "_blank"
    # A popup's links open the full site in a new tab too.
    # At zoom 6 the three towns are far enough apart not to cluster.
    assert frame.locator(".leaflet-marker-pane .event-marker").count() == 3
    frame.locator(".leaflet-marker-pane .event-marker").first.click()
    frame.locator(".popup-title a").wait_for(timeout=10000)
    assert frame.locator(".popup-title a").get_attribute("target") == "_blank"
    assert not page.log.errors


def test_the_home_page_refuses_to_be_framed_by_another_site(page, partner_site):
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "frame" in message.text else None)
    page.goto(partner_site + "/home.html")
    page.wait_for_timeout(1000)
    inner = page.frames[1]
    # Chromium refuses the answer (X-Frame-Options): the frame shows its error page, not ours.
    assert inner.url.startswith("chrome-error://"), inner.url
    assert inner.evaluate("document.querySelector('.site-header, main, .map-wrapper')") is None
    assert any("X-Frame-Options" in text or "frame-ancestors" in text for text in blocked), blocked


def test_embed_and_builder_are_accessible_and_fit_320_px(page, make_event):
    make_event(title="Une session au titre plutôt long pour voir s’il tient sur un petit écran", families=["data"])
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 700})
    for path in ("/embed?family=data", "/integrer?family=data&zoom=8&centre=48.9,2.35", "/api/docs"):
        page.goto(page.base_url + path)
        if path.startswith("/embed"):
            page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined", timeout=15000)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert_accessible(page)
    assert not page.log.errors


def test_the_builder_updates_the_snippet_and_preview_as_settings_change(page):
    page.goto(page.base_url + "/integrer")
    page.select_option("#filter-kind", "workshop")
    page.wait_for_function("() => document.getElementById('embed-snippet').value.includes('kind=workshop')")
    assert "kind=workshop" in page.get_attribute("#embed-preview", "src")
    page.click("#copy-snippet")
    page.wait_for_function("() => document.getElementById('copy-status').textContent.length > 0")
