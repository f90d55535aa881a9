"""In Chromium: from a broadcast to the sessions of its families, the live badge, accessibility."""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from opengen.db import db
from opengen.models import Broadcast, EventFormat

from ..conftest import paris
from .conftest import assert_accessible

pytestmark = pytest.mark.browser


@dataclass
class Week:
    show: Broadcast
    later: Broadcast
    data_onsite: list[int]
    data_online: int


@pytest.fixture
def week(app, make_event, make_broadcast, make_venue):
    """Tuesday's show presents cloud and data; three data sessions on site, one online, others."""
    lyon = make_venue(city="Lyon", postcode="69001", lat=45.7640, lon=4.8357)
    onsite = [make_event(title="Atelier data Saint-Denis", families=["data"]).id,
              make_event(title="Atelier data Lyon", families=["data", "ai"], venue=lyon, school=lyon.school).id,
              make_event(title="Data analyst : le métier", families=["data"], start=paris(2021, 12, 1, 14)).id]
    online = make_event(title="Atelier data en ligne", families=["data"], format=EventFormat.online).id
    make_event(title="Atelier cloud", families=["cloud"])
    make_event(title="Atelier web", families=["web-development"], venue=lyon, school=lyon.school)
    show = make_broadcast(start=paris(2021, 11, 30, 10), families=["cloud", "data"],
                          title="Les métiers du cloud et de la data",
                          guests=[{"name": "Sarah", "role": "ancienne apprenante, data analyst"}])
    later = make_broadcast(start=paris(2021, 12, 1, 10), families=["ai"], title="Les métiers de l’IA")
    db.session.commit()
    return Week(show, later, onsite, online)


def local_hosts(page) -> set[str]:
    return {urlsplit(page.base_url).netloc, "tiles.invalid"}


def test_sessions_near_you_leads_to_the_map_filtered_by_the_family(app, page, week):
    app.config["FROZEN_NOW"] = "2021-11-30T10:15:00+01:00"
    page.goto(page.base_url + "/broadcasts")
    show = page.locator(f"#emission-{week.show.id}")
    expect(show.locator(".live-badge")).to_have_text("En direct")
    expect(show.locator(".today-label")).to_have_text("Aujourd’hui")
    show.get_by_role("link", name="Sessions près de chez vous : Data").click()
    page.wait_for_url(page.base_url + "/?family=data")
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined")
    assert page.evaluate("document.body.dataset.markersLoaded") == "3"
    # The map draws the server's clusters: their counts add up to the Data sessions on site.
    on_map = page.evaluate("window.opengenMap.cluster.getLayers().reduce((n, m) => n + (m.sessionCount || 1), 0)")
    assert on_map == len(week.data_onsite)
    listed = page.locator(".list-section .event-item")
    assert sorted(int(i) for i in listed.evaluate_all("items => items.map(i => i.dataset.eventId)")) == \
        sorted(week.data_onsite + [week.data_online])
    for n in range(listed.count()):
        expect(listed.nth(n).locator(".badge", has_text="Data")).to_have_count(1)
    expect(page.locator("#filter-family")).to_have_value("data")
    assert page.log.errors == [] and page.log.hosts <= local_hosts(page)


def test_the_place_the_visitor_searched_before_is_added_to_the_link(app, page, week):
    app.config["FROZEN_NOW"] = "2021-11-30T10:15:00+01:00"
    page.add_init_script("window.localStorage.setItem('opengen.place', "
                         + json.dumps(json.dumps({"q": "Saint-Denis", "lat": 48.9362, "lon": 2.3574}))
                         + ");")
    page.goto(page.base_url + "/broadcasts")
    link = page.locator(f"#emission-{week.show.id}").get_by_role("link", name="Sessions près de chez vous : Data")
    href = link.get_attribute("href")
    assert urlsplit(href).path == "/"
    assert parse_qs(urlsplit(href).query) == {"family": ["data"], "q": ["Saint-Denis"], "lat": ["48.9362"],
                                              "lon": ["2.3574"]}
    link.click()
    page.wait_for_url("**/?family=data&q=Saint-Denis*")
    assert parse_qs(urlsplit(page.url).query)["family"] == ["data"]
    assert page.log.errors == []


@pytest.mark.parametrize("stored", ["{pas du json", json.dumps({"q": "<img src=x onerror=alert(1)>",
                                                                   "lat": "x", "lon": None}), "null", "42"])
def test_a_malformed_remembered_place_never_breaks_the_links(app, page, week, stored):
    page.add_init_script(f"window.localStorage.setItem('opengen.place', {json.dumps(stored)});")
    page.goto(page.base_url + "/broadcasts")
    link = page.locator(f"#emission-{week.show.id}").get_by_role("link", name="Sessions près de chez vous : Data")
    query = parse_qs(urlsplit(link.get_attribute("href")).query)
    assert query["family"] == ["data"] and "lat" not in query
    assert page.log.errors == [] and page.log.dialogs == []


def test_the_live_badge_follows_the_clock_while_the_page_stays_open(app, page, week):
    show = f"#emission-{week.show.id}"
    page.clock.install()
    app.config["FROZEN_NOW"] = "2021-11-30T09:59:50+01:00"
    page.goto(page.base_url + "/broadcasts")
    expect(page.locator(f"{show} .broadcast-status")).to_have_text("À venir")
    page.clock.run_for(30_000)
    expect(page.locator(f"{show} .live-badge")).to_have_text("En direct")
    assert page.locator(f"{show}.is-live").count() == 1

    app.config["FROZEN_NOW"] = "2021-11-30T10:59:50+01:00"
    page.goto(page.base_url + "/broadcasts")
    expect(page.locator(f"{show} .live-badge")).to_have_text("En direct")
    page.clock.run_for(30_000)
    expect(page.locator(f"{show} .broadcast-status")).to_have_text("Émission terminée")
    expect(page.locator(f"#emission-{week.later.id} .broadcast-status")).to_have_text("À venir")
    assert page.locator(".live-badge").count() == 0


def test_broadcast_and_family_pages_are_accessible(app, page, week):
    app.config["FROZEN_NOW"] = "2021-11-30T10:15:00+01:00"
    page.goto(page.base_url + "/broadcasts")
    expect(page.locator(".live-badge")).to_have_count(1)
    assert_accessible(page)

    page.goto(page.base_url + "/familles/data")
    page.wait_for_function("() => document.body.dataset.markersLoaded !== undefined")
    assert page.evaluate("document.body.dataset.markersLoaded") == "3"
    expect(page.locator("h1")).to_have_text("Data")
    assert_accessible(page)

    page.goto(page.base_url + "/familles")
    assert_accessible(page)
    assert page.log.errors == [] and page.log.hosts <= local_hosts(page)
