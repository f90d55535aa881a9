"""The map page, the list and the event page as HTML."""
from __future__ import annotations

import re

from opengen.db import db
from opengen.models import EventStatus

from .conftest import paris


def test_home_page_lists_sessions_grouped_by_day(client, make_event):
    make_event(title="Atelier du lundi", start=paris(2021, 11, 29, 10))
    make_event(title="Atelier du mardi", start=paris(2021, 11, 30, 10))
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    html = html[html.index('id="list-heading"'):]
    assert "2 sessions" in html
    assert html.index("Lundi 29 novembre") < html.index("Atelier du lundi") < \
        html.index("Mardi 30 novembre") < html.index("Atelier du mardi")


def test_home_page_size_does_not_grow_with_the_number_of_events(client, make_event):
    for _ in range(60):
        make_event()
    db.session.commit()
    small_map = client.get("/").get_data(as_text=True)
    for _ in range(200):
        make_event()
    db.session.commit()
    big_map = client.get("/").get_data(as_text=True)
    assert abs(len(big_map) - len(small_map)) < 500
    assert "Page suivante" in big_map


def test_the_page_serves_leaflet_itself(client):
    html = client.get("/").get_data(as_text=True)
    # Resources only: links the visitor may follow (Google Calendar, Outlook) are not loaded.
    sources = re.findall(r'(?:src="|<link [^>]*href=")([^"]+)"', html)
    assert any("leaflet.js" in s for s in sources) and any("site.css" in s for s in sources)
    assert not [s for s in sources if s.startswith(("http://", "https://", "//"))]
    for path in ("/vendor/leaflet/leaflet.js", "/vendor/markercluster/leaflet.markercluster.js"):
        with client.get(path) as response:
            assert response.status_code == 200 and b"L." in response.data
    assert client.get("/vendor/leaflet/../../../etc/passwd").status_code == 404
    assert client.get("/vendor/jquery/jquery.js").status_code == 404


def test_school_text_is_escaped_in_pages(client, make_event):
    event = make_event(title='<img src=x onerror=alert(1)>', description="<script>alert(2)</script>")
    db.session.commit()
    for path in ("/", f"/events/{event.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "<img src=x" not in html and "<script>alert" not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_javascript_links_from_schools_are_not_rendered(client, make_event, make_school):
    event = make_event(registration_url="javascript:alert(1)",
                       school=make_school(website="javascript:alert(2)"))
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "javascript:" not in html


def test_event_page_shows_the_details(client, make_event):
    event = make_event(title="Découvrir la data", families=["data"], capacity=12,
                       registration_url="https://inscription.example.org/1")
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    for text in ("Découvrir la data", "lundi 29 novembre, 10 h 00 – 11 h 00", "Saint-Denis", "Data",
                 "https://inscription.example.org/1", "12"):
        assert text in html


def test_cancelled_event_page_says_so_and_pending_is_hidden(client, make_event):
    cancelled = make_event(status=EventStatus.cancelled)
    pending = make_event(status=EventStatus.pending)
    db.session.commit()
    assert "Cette session est annulée" in client.get(f"/events/{cancelled.id}").get_data(as_text=True)
    assert client.get(f"/events/{pending.id}").status_code == 404


def test_bad_filter_on_the_page_is_a_french_400_not_a_crash(client):
    response = client.get("/?family=%3Cscript%3E")
    assert response.status_code == 400
    assert "Famille de métiers inconnue" in response.get_data(as_text=True)
    assert "<script>" not in response.get_data(as_text=True)


def test_page_number_out_of_range_shows_the_last_page(client, make_event):
    make_event(title="Seule session")
    db.session.commit()
    assert "Seule session" in client.get("/?page=99999").get_data(as_text=True)
    assert "Seule session" in client.get("/?page=abc").get_data(as_text=True)


def test_ids_beyond_what_the_database_stores_are_404_not_500(client):
    huge = "9" * 25
    for path in (f"/events/{huge}", f"/api/events/{huge}", f"/events/{huge}.ics",
                 "/events/2147483648", f"/admin/submissions/{huge}", f"/admin/broadcasts/{huge}"):
        assert client.get(path).status_code == 404, path
    assert client.get("/events/2147483647").status_code == 404


def test_pages_say_when_the_sessions_shown_are_demo_data(client, make_event):
    notice = "Les sessions affichées sont des données de démonstration."
    event = make_event(title="Vraie session")
    db.session.commit()
    assert notice not in client.get("/").get_data(as_text=True)
    demo = make_event(title="Session de démonstration", is_demo=True)
    db.session.commit()
    assert notice in client.get("/").get_data(as_text=True)
    assert notice in client.get(f"/events/{event.id}").get_data(as_text=True)
    db.session.delete(demo)
    db.session.commit()
    assert notice not in client.get("/familles").get_data(as_text=True)
