"""The career family pages: the jobs in plain French, the family's broadcast, its sessions and feed."""
from __future__ import annotations

import re

import pytest

from opengen.db import db
from opengen.events.families import FAMILIES
from opengen.models import EventFormat, EventStatus

from .broadcast_fixtures import card
from .conftest import paris


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.slug)
def test_every_family_has_a_page_with_its_jobs_in_french(client, family):
    response = client.get(f"/familles/{family.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{family.label_fr}</h1>" in html
    for job in family.jobs:
        assert f"<li>{job}</li>" in html
    assert str(family.summary) in html


def test_the_jobs_readers_look_for_are_named(client):
    pages = {slug: client.get(f"/familles/{slug}").get_data(as_text=True)
             for slug in ("web-development", "digital-marketing", "data", "networks-maintenance")}
    assert "Développeur ou développeuse web" in pages["web-development"]
    assert "Community manager" in pages["digital-marketing"]
    assert "Data analyst" in pages["data"]
    assert "Technicien ou technicienne réseaux" in pages["networks-maintenance"]


def test_the_family_page_lists_only_its_sessions(client, make_event):
    make_event(title="Atelier data sur place", families=["data"], start=paris(2021, 11, 30, 14))
    make_event(title="Atelier data en ligne", families=["data", "ai"], format=EventFormat.online)
    make_event(title="Atelier cloud", families=["cloud"])
    make_event(title="Atelier data en attente", families=["data"], status=EventStatus.pending)
    db.session.commit()
    html = client.get("/familles/data").get_data(as_text=True)
    listing = html[html.index('id="list-heading"'):]
    assert "2 sessions" in listing
    assert "Atelier data sur place" in listing and "Atelier data en ligne" in listing
    assert "Atelier cloud" not in listing and "en attente" not in listing


def test_the_family_map_loads_only_the_family_s_markers(client, make_event):
    data = make_event(families=["data"])
    make_event(families=["cloud"])
    db.session.commit()
    html = client.get("/familles/data").get_data(as_text=True)
    url = re.search(r'data-markers-url="([^"]+)"', html).group(1)
    assert url == "/api/events/markers?family=data"
    assert [m[0] for m in client.get(url).get_json()["markers"]] == [data.id]
    assert 'id="map_family"' in html and "var map_family = L.map" in html
    assert "/static/js/map.js" in html


def test_the_family_list_is_paginated(app, client, make_event):
    app.config["LIST_PAGE_SIZE"] = 3
    for n in range(7):
        make_event(title=f"Session data {n}", families=["data"], start=paris(2021, 11, 29, 9 + n))
    db.session.commit()
    first = client.get("/familles/data").get_data(as_text=True)
    assert "Page 1 sur 3" in first and 'href="/familles/data?page=2"' in first
    last = client.get("/familles/data?page=3").get_data(as_text=True)
    assert "Session data 6" in last and "Session data 0" not in last
    assert "Session data 6" in client.get("/familles/data?page=99").get_data(as_text=True)
    assert "Session data 0" in client.get("/familles/data?page=abc").get_data(as_text=True)


def test_the_family_page_shows_its_broadcast_only(app, client, make_broadcast):
    data_show = make_broadcast(start=paris(2021, 11, 30, 10), families=["cloud", "data"], title="Cloud et data",
                               guests=[{"name": "Sarah", "role": "ancienne apprenante, data analyst"}])
    make_broadcast(start=paris(2021, 12, 1, 10), families=["ai"], title="Émission IA")
    db.session.commit()
    app.config["FROZEN_NOW"] = "2021-11-30T10:20:00+01:00"
    html = client.get("/familles/data").get_data(as_text=True)
    show = card(html, data_show.id)
    assert "Cloud et data" in show and "Mardi 30 novembre, 10 h 00 – 11 h 00" in show
    assert "En direct" in show and "Sarah, ancienne apprenante, data analyst" in show
    assert "Émission IA" not in html
    assert "Aucune émission" in client.get("/familles/web-design").get_data(as_text=True)


def test_the_family_page_links_to_the_map_filtered_by_it(client):
    html = client.get("/familles/cybersecurity").get_data(as_text=True)
    assert 'class="near-link" data-family="cybersecurity" href="/?family=cybersecurity"' in html


def test_the_feed_link_appears_once_the_calendar_feed_exists(app, client):
    app.add_url_rule("/calendar.ics", "test_calendar", lambda: "")
    html = client.get("/familles/data").get_data(as_text=True)
    assert 'href="/calendar.ics?family=data"' in html


def test_the_family_page_offers_the_feed_of_its_sessions(client, make_event):
    make_event(title="Atelier data", families=["data"])
    make_event(title="Atelier cloud", families=["cloud"])
    db.session.commit()
    html = client.get("/familles/data").get_data(as_text=True)
    assert 'href="/calendar.ics?family=data"' in html
    feed = client.get("/calendar.ics?family=data").get_data(as_text=True)
    assert "Atelier data" in feed and "Atelier cloud" not in feed


@pytest.mark.parametrize("path", ["/familles/cuisine", "/familles/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                                  "/families/cuisine", "/familles/DATA", "/familles/data%00"])
def test_an_unknown_family_is_a_french_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Cette page n’existe pas ou plus." in html and "<script>alert" not in html


def test_english_addresses_lead_to_the_french_pages(client):
    response = client.get("/families/data?page=2")
    assert response.status_code == 301 and response.headers["Location"] == "/familles/data?page=2"
    assert client.get("/families").headers["Location"] == "/familles"


def test_the_families_index_links_every_family_and_the_menu_leads_there(client):
    html = client.get("/familles").get_data(as_text=True)
    for family in FAMILIES:
        assert f'href="/familles/{family.slug}"' in html
    nav = html[html.index("<nav"):html.index("</nav>")]
    assert 'href="/familles" aria-current="page"' in nav and 'href="/broadcasts"' in nav
