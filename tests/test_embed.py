"""The map to embed: /embed configured by its address, framed by any site (and only it), and
« Intégrer la carte », which builds the <iframe> snippet from a search."""
from __future__ import annotations

import html
import re

import pytest

from opengen.db import db
from opengen.models import EventKind

HOSTILE = '"><script>alert(1)</script>'


def _items(page: str) -> list[str]:
    return re.findall(r'<li class="embed-item[^"]*" data-event-id="(\d+)"', page)


def test_the_embed_lists_the_sessions_of_its_filters_with_links_opening_a_new_tab(client, make_event):
    data = make_event(title="Atelier data", families=["data"])
    make_event(title="Atelier cloud", families=["cloud"])
    db.session.commit()
    response = client.get("/embed?family=data")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _items(page) == [str(data.id)]
    assert f'href="/events/{data.id}" target="_blank" rel="noopener"' in page
    # No site navigation: a compact page for a partner.
    assert "site-header" not in page and "Navigation principale" not in page
    links = re.findall(r"<a [^>]*>", page)
    assert links and all('target="_blank"' in a and 'rel="noopener"' in a for a in links)
    # The map reads the same filters and opens links in a new tab too.
    assert 'data-markers-url="/api/events/markers?family=data"' in page
    assert 'data-link-target="_blank"' in page


def test_the_embed_takes_a_place_a_radius_a_centre_a_zoom_and_a_language(client, make_event, make_venue):
    near = make_event(venue=make_venue(city="Saint-Denis", lat=48.9362, lon=2.3574))
    make_event(venue=make_venue(city="Lyon", postcode="69003", lat=45.76, lon=4.84))
    db.session.commit()
    page = client.get("/embed?q=93200&radius_km=10&centre=48.9,2.35&zoom=11&lang=en").get_data(as_text=True)
    assert _items(page) == [str(near.id)]
    assert '<html lang="en">' in page and "See every session on Open Gen" in page
    assert "center: [48.9, 2.35]" in page and '"zoom": 11,' in page
    assert 'data-fixed-view="1"' in page and "data-area-radius-km=\"10" in page


def test_an_unknown_place_is_said_in_the_embed_and_every_session_shown(client, make_event):
    make_event()
    db.session.commit()
    response = client.get("/embed?q=Nullepartville")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Ce lieu est introuvable" in page and len(_items(page)) == 1


@pytest.mark.parametrize("query, message", [("zoom=40", "Zoom invalide"), ("centre=91,2", "Centre invalide"),
                                            ("centre=abc", "Centre invalide"), ("lang=xx", "Langue inconnue"),
                                            ("family=nope", "Famille de métiers inconnue")])
def test_a_malformed_setting_is_a_400_in_french(client, query, message):
    response = client.get("/embed?" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_only_the_embed_may_be_framed_by_other_sites(client):
    embed = client.get("/embed")
    assert "X-Frame-Options" not in embed.headers
    policy = embed.headers["Content-Security-Policy"]
    assert "frame-ancestors *" in policy and "script-src 'self'" in policy
    for path in ("/", "/integrer", "/submit", "/admin/login", "/api/docs", "/programme"):
        response = client.get(path)
        assert response.headers.get("X-Frame-Options") == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], path


def _snippet(page: str) -> str:
    match = re.search(r'<textarea id="embed-snippet"[^>]*>(.*?)</textarea>', page, re.S)
    assert match, "no snippet on the page"
    return html.unescape(match.group(1))


def test_the_builder_makes_the_iframe_of_the_current_search(client):
    response = client.get("/integrer?q=93200&radius_km=10&kind=workshop&zoom=9&centre=48.9,2.35&lang=en&height=450")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    code = _snippet(page)
    src = re.search(r'src="([^"]+)"', code).group(1)
    assert html.unescape(src) == ("http://localhost/embed?kind=workshop&q=93200&radius_km=10"
                                  "&centre=48.9,2.35&zoom=9&lang=en".replace(",", "%2C"))
    assert 'height="450"' in code and 'title="Carte des sessions Open Gen"' in code
    assert 'readonly' in page and 'id="copy-snippet"' in page
    # The live preview shows that very address.
    preview = re.search(r'<iframe id="embed-preview" src="([^"]+)"', page).group(1)
    assert html.unescape(preview) == html.unescape(src)
    # What was chosen stays in the form.
    assert 'value="93200"' in page and '<option value="workshop" selected>' in page


def test_the_builder_shows_each_error_next_to_its_field_and_keeps_the_input(client):
    response = client.get("/integrer?zoom=99&height=5&radius_km=0&q=93200")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="zoom-error"' in page and "Zoom invalide" in page
    assert 'id="height-error"' in page and "Hauteur invalide" in page
    assert 'id="radius_km-error"' in page and "Rayon invalide" in page
    assert 'value="99"' in page and 'value="0"' in page
    assert "embed-snippet" not in page


def test_the_builder_says_when_the_place_is_unknown(client):
    page = client.get("/integrer?q=Nullepartville").get_data(as_text=True)
    assert 'id="q-error"' in page and 'value="Nullepartville"' in page


def test_hostile_settings_stay_text_in_the_snippet_and_the_page(client):
    response = client.get("/integrer", query_string={"q": "Lyon" + HOSTILE})
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    response = client.get("/embed", query_string={"q": "Lyon" + HOSTILE, "kind": EventKind.workshop.value})
    assert "<script>alert(1)" not in response.get_data(as_text=True)
