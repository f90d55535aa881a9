"""The home page as a visitor without JavaScript gets it: results first after a search, the default
order (metropolitan France first, overseas territories one tap away), and the page kept whole
without serving anyone a stale list, another request's nonce or a wrong gzip."""
from __future__ import annotations

import gzip
import re

from opengen.db import db
from opengen.models import EventFormat

from .conftest import paris

REUNION = dict(city="Saint-Denis", postcode="97400", department="La Réunion", region="La Réunion",
               lat=-20.8823, lon=55.4504, timezone="Indian/Reunion", insee_code="97411")
MAYOTTE = dict(city="Mamoudzou", postcode="97600", department="Mayotte", region="Mayotte",
               lat=-12.7806, lon=45.2279, timezone="Indian/Mayotte", insee_code="97611")


def list_part(html: str) -> str:
    return html[html.index('id="list-heading"'):html.index('id="map-heading"')]


def test_a_first_visit_shows_the_intro_and_a_search_shows_the_results_first(client, make_event):
    make_event(title="Atelier à Saint-Denis", start=paris(2021, 11, 30, 10))
    db.session.commit()
    first = client.get("/").get_data(as_text=True)
    assert "Découvrez les métiers du numérique" in first and "is-compact" not in first
    searched = client.get("/?q=93200").get_data(as_text=True)
    assert "Découvrez les métiers du numérique" not in searched
    assert 'class="filters is-compact"' in searched
    # In the page's order the count and the first session come before the map and the exports.
    count = searched.index("1 session sur place à moins de 25 km")
    assert count < searched.index("Atelier à Saint-Denis") < searched.index('id="map-heading"') \
        < searched.index('id="exports-heading"')
    assert searched.index('class="filters') < count
    assert 'href="#list-heading"' in searched and "Aller à la liste des sessions" in searched


def test_without_a_place_metropolitan_sessions_come_first_and_overseas_ones_by_territory(
        client, make_event, make_venue):
    # 9:00 in La Réunion and in Mayotte are earlier by UTC than 9:00 in Paris.
    make_event(title="Atelier à La Réunion", venue=make_venue(**REUNION),
               start=paris(2021, 11, 29, 6))
    make_event(title="Atelier à Mayotte", venue=make_venue(**MAYOTTE), start=paris(2021, 11, 29, 7))
    make_event(title="Atelier à Lyon", venue=make_venue(city="Lyon", postcode="69001", lat=45.76, lon=4.83),
               start=paris(2021, 11, 29, 9))
    make_event(title="Atelier en visio", format=EventFormat.online, venue=None,
               online_url="https://visio.example.org/x", start=paris(2021, 11, 29, 14))
    db.session.commit()
    listed = list_part(client.get("/").get_data(as_text=True))
    assert "Atelier à Lyon" in listed and "Atelier en visio" in listed
    assert "Atelier à La Réunion" not in listed and "Atelier à Mayotte" not in listed
    assert "2 sessions" in listed and "Métropole" in listed
    links = dict(re.findall(r'<a href="([^"]+territory=[^"]+)"[^>]*>([^<]+)<', listed))
    assert {label.strip() for label in links.values()} == {"La Réunion", "Mayotte"}
    assert "Outre-mer :" in listed
    reunion = next(url for url, label in links.items() if "Réunion" in label).replace("&amp;", "&")
    there = list_part(client.get(reunion).get_data(as_text=True))
    assert "Atelier à La Réunion" in there and "Atelier à Lyon" not in there and "Atelier en visio" not in there
    assert "1 session" in there and 'aria-current="page">La Réunion' in there
    # Their time reads in their own zone: 9 h 00, La Réunion's time.
    assert "9 h 00 – 10 h 00 (heure de La Réunion)" in there


def test_only_overseas_sessions_are_listed_as_they_are(client, make_event, make_venue):
    make_event(title="Atelier à Mayotte", venue=make_venue(**MAYOTTE), start=paris(2021, 11, 29, 7))
    db.session.commit()
    assert "Atelier à Mayotte" in list_part(client.get("/").get_data(as_text=True))


def test_an_unknown_territory_is_a_french_400(client):
    response = client.get("/?territory=%3Cb%3Eatlantis")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Territoire inconnu" in html and "<b>atlantis" not in html


def test_list_items_carry_the_pin_of_on_site_sessions(client, make_event):
    onsite = make_event(title="Sur place")
    online = make_event(title="En ligne", format=EventFormat.online, venue=None, online_url="https://v.example.org")
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    item = re.search(rf'<article [^>]*data-event-id="{onsite.id}"[^>]*>', html).group(0)
    assert 'data-lat="48.9362"' in item and 'data-lon="2.3574"' in item
    item = re.search(rf'<article [^>]*data-event-id="{online.id}"[^>]*>', html).group(0)
    assert "data-lat" not in item


def test_the_kept_page_follows_the_data_and_the_clock(app, client, make_event):
    make_event(title="Atelier du lundi", start=paris(2021, 11, 29, 10))
    db.session.commit()
    assert "Terminée" not in list_part(client.get("/").get_data(as_text=True))
    make_event(title="Atelier ajouté")
    db.session.commit()
    assert "Atelier ajouté" in client.get("/").get_data(as_text=True)
    app.config["FROZEN_NOW"] = "2021-11-29T11:30"  # the session has ended
    listed = list_part(client.get("/").get_data(as_text=True))
    assert "Terminée" in listed and "S’inscrire" not in listed


def test_each_request_gets_its_own_nonce_and_a_gzip_equal_to_the_page(client, make_event):
    make_event()
    db.session.commit()
    pages = []
    for _ in range(2):
        response = client.get("/", headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.data).decode()
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
        assert len(inline) >= 2 and all(f'nonce="{nonce}"' in attributes for attributes in inline)
        pages.append((nonce, html))
    (first, one), (second, two) = pages
    assert first != second and one.replace(first, "N") == two.replace(second, "N")
    plain = client.get("/")
    assert "Content-Encoding" not in plain.headers
    nonce = re.search(r"'nonce-([^']+)'", plain.headers["Content-Security-Policy"]).group(1)
    assert plain.get_data(as_text=True).replace(nonce, "N") == one.replace(first, "N")


def test_day_headings_and_the_archive_show_the_year_when_it_is_not_this_one(app, client, make_event):
    make_event(title="Atelier de 2021", start=paris(2021, 11, 29, 10))
    db.session.commit()
    assert "Lundi 29 novembre</h3>" in client.get("/editions/2021").get_data(as_text=True)
    app.config["FROZEN_NOW"] = "2022-03-01T10:00"
    html = client.get("/editions/2021").get_data(as_text=True)
    assert "Lundi 29 novembre 2021</h3>" in html
    assert "lundi 29 novembre 2021 au samedi 4 décembre 2021" in html


def test_while_the_week_runs_what_is_on_and_next_comes_first_and_ended_days_say_so(app, client, make_event):
    make_event(title="Lundi fini", start=paris(2021, 11, 29, 10))
    make_event(title="Mardi fini", start=paris(2021, 11, 30, 9))
    make_event(title="Mardi en cours", start=paris(2021, 11, 30, 11))
    make_event(title="Mercredi", start=paris(2021, 12, 1, 10))
    db.session.commit()
    app.config["FROZEN_NOW"] = "2021-11-30T11:30"
    listed = list_part(client.get("/").get_data(as_text=True))
    order = [listed.index(t) for t in ("Mardi en cours", "Mercredi", "Lundi fini", "Mardi fini")]
    assert order == sorted(order)
    headings = re.findall(r'<h3 id="([^"]+)">(.*?)</h3>', listed)
    assert [i for i, _ in headings] == ["day-2021-11-30", "day-2021-12-01", "day-2021-11-29-ended",
                                        "day-2021-11-30-ended"]
    assert "terminées" in headings[2][1] and "terminées" not in headings[0][1]
    # Before the week nothing has ended: no heading says so.
    app.config["FROZEN_NOW"] = "2021-11-22T10:00"
    assert "terminées" not in list_part(client.get("/").get_data(as_text=True))


def test_an_edition_asked_for_is_kept_apart_from_the_current_one(client, make_event):
    make_event()
    db.session.commit()
    assert 'name="edition"' not in client.get("/").get_data(as_text=True)
    assert 'name="edition" value="2021"' in client.get("/?edition=2021").get_data(as_text=True)
    assert 'name="edition"' not in client.get("/").get_data(as_text=True)
