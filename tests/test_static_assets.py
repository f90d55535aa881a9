"""Static files travel light: fingerprinted addresses kept a year, gzip when accepted, 304s."""
from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import pytest
import xstatic.pkg.leaflet as leaflet

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "static"
YEAR = "public, max-age=31536000, immutable"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def asset_links(page: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/(?:static|vendor)/[^"]+)"', page)


def test_every_asset_of_the_home_page_has_its_content_hash_in_its_address(client):
    links = asset_links(client.get("/").get_data(as_text=True))
    assert any("/static/css/site.css" in link for link in links)
    assert any("/vendor/leaflet/leaflet.js" in link for link in links)
    for link in links:
        path, _, version = link.replace("&amp;", "&").partition("?v=")
        source = (STATIC / path.removeprefix("/static/") if path.startswith("/static/")
                  else Path(leaflet.BASE_DIR) / path.removeprefix("/vendor/leaflet/"))
        if path.startswith("/vendor/leaflet/") or path.startswith("/static/"):
            assert version == digest(source), link


def test_a_fingerprinted_file_is_kept_a_year_and_gzipped_for_clients_that_accept_it(client):
    version = digest(STATIC / "css/site.css")
    plain = client.get(f"/static/css/site.css?v={version}", headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.headers["Cache-Control"] == YEAR
    assert plain.data == (STATIC / "css/site.css").read_bytes() and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"] and plain.mimetype == "text/css"
    packed = client.get(f"/static/css/site.css?v={version}", headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Cache-Control"] == YEAR
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 2
    assert "Accept-Encoding" in packed.headers["Vary"] and packed.headers["ETag"] != plain.headers["ETag"]


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "br", "*;q=0", ""])
def test_gzip_is_not_sent_to_a_client_that_refuses_it(client, accept):
    response = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": accept})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.data == (Path(leaflet.BASE_DIR) / "leaflet.js").read_bytes()


def test_the_vendored_leaflet_is_gzipped_to_a_third(client):
    response = client.get("/vendor/leaflet/leaflet.js", headers={"Accept-Encoding": "gzip, deflate"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < (Path(leaflet.BASE_DIR) / "leaflet.js").stat().st_size / 3


@pytest.mark.parametrize("query", ["", "?v=0123456789ab", "?v=", "?v=%00"])
def test_an_old_or_missing_hash_still_gets_the_file_but_must_check_it_again(client, query):
    response = client.get(f"/static/js/map.js{query}")
    assert response.status_code == 200 and response.data == (STATIC / "js/map.js").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize("accept", ["gzip", "identity"])
def test_a_client_holding_the_file_gets_a_304(client, accept):
    first = client.get("/static/css/site.css", headers={"Accept-Encoding": accept})
    again = client.get("/static/css/site.css", headers={"Accept-Encoding": accept,
                                                        "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


@pytest.mark.parametrize("path", [
    "/static/../opengen/config.py", "/static/%2e%2e/opengen/config.py", "/static/nope.css",
    "/static/css/%00.css", "/static/" + "x" * 5000, "/static/css", "/vendor/leaflet/../../x",
    "/vendor/nope/leaflet.js", "/vendor/leaflet/nope.js", "/vendor/leaflet/%ff%fe"])
def test_hostile_or_unknown_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_the_favicon_is_small_and_linked_from_every_page(client):
    page = client.get("/").get_data(as_text=True)
    assert f'<link rel="icon" href="/static/favicon.svg?v={digest(STATIC / "favicon.svg")}"' in page
    svg = client.get("/static/favicon.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and len(svg.data) < 1024
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200 and ico.data[:4] == b"\x00\x00\x01\x00" and len(ico.data) < 8 * 1024
