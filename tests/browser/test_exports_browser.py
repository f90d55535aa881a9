"""The list pages link to the exports of the search shown, in real Chromium (axe, 320 px)."""
from __future__ import annotations

import json
import urllib.request

import pytest

from opengen.db import db

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_the_list_links_to_the_exports_of_the_search(page, make_event):
    make_event(title="Atelier data", families=("data",), start=paris(2021, 11, 30, 10))
    make_event(title="Atelier web", families=("web-development",), start=paris(2021, 11, 30, 11))
    db.session.commit()
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(page.base_url + "/?family=data")
    links = page.locator(".export-links a")
    assert links.all_inner_texts() == ["Tableur (CSV)", "Carte (GeoJSON)", "Données (JSON, API)"]
    builder = page.get_by_role("link", name="Intégrer cette carte sur votre site").get_attribute("href")
    assert builder.startswith("/integrer?") and "family=data" in builder
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(page)
    geojson = links.nth(1).get_attribute("href")
    assert geojson.startswith("/api/events.geojson?") and "family=data" in geojson
    with urllib.request.urlopen(page.base_url + geojson) as response:
        features = json.load(response)["features"]
    assert [f["properties"]["title"] for f in features] == ["Atelier data"]
    page.goto(page.base_url + "/familles/data")
    assert "family=data" in page.locator(".exports a").first.get_attribute("href")
    assert_accessible(page)
