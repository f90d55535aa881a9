"""Searching around a place: /api/geocode, `flask geocode`, /api/events?q= or lat/lon, the home page."""
from __future__ import annotations

import json
import logging

import pytest
import requests

from opengen.db import db
from opengen.events import queries
from opengen.events.filters import parse_filters
from opengen.models import EventFormat, EventKind, EventStatus
from opengen.places.distance import haversine_km
from opengen.places.lookup import get_geocoder

from .conftest import paris
from .fakeban import FakeBAN, record_timeouts
from .test_gazetteer import INVENTED_PLACES, REAL_QUERIES

# Real places (lat, lon): a venue in each, so distances are easy to check by hand.
SAINT_DENIS = (48.9362, 2.3574)
PARIS_13 = (48.8322, 2.3561)
VERSAILLES = (48.8049, 2.1204)
LYON = (45.7640, 4.8357)


@pytest.fixture
def around_paris(make_event, make_venue, make_school):
    """Sessions in Saint-Denis, Paris 13e, Versailles and Lyon, one online, one on site and online."""
    made = {}
    for name, (lat, lon), postcode in (("saint-denis", SAINT_DENIS, "93200"), ("paris", PARIS_13, "75013"),
                                       ("versailles", VERSAILLES, "78000"), ("lyon", LYON, "69001")):
        venue = make_venue(lat=lat, lon=lon, postcode=postcode, city=name.title())
        made[name] = make_event(title=f"Atelier {name}", venue=venue, school=venue.school,
                                families=["data"] if name != "paris" else ["cloud"],
                                start=paris(2021, 11, 30 if name != "versailles" else 29, 10))
    made["online"] = make_event(title="Atelier en ligne", format=EventFormat.online, venue=None,
                                online_url="https://visio.example.org/a", families=["data"])
    both_venue = make_venue(lat=48.86, lon=2.35, postcode="75004", city="Paris")
    made["both"] = make_event(title="Atelier hybride", format=EventFormat.both, venue=both_venue,
                              school=both_venue.school, kind=EventKind.career_talk,
                              online_url="https://visio.example.org/b")
    db.session.commit()
    return made


def titles(body: dict) -> list[str]:
    return [e["title"] for e in body["events"]]


# --- /api/geocode and flask geocode -----------------------------------------------------------

@pytest.mark.parametrize("query,lat,lon,insee", REAL_QUERIES, ids=[q[0] for q in REAL_QUERIES])
def test_geocode_api_finds_real_queries_offline(client, query, lat, lon, insee):
    response = client.get("/api/geocode", query_string={"q": query})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {"lat", "lon", "label", "source", "precision"} <= body.keys()
    assert body["insee"] == insee and body["source"] == "gazetteer"
    assert haversine_km(body["lat"], body["lon"], lat, lon) < 4.0


def test_ambiguous_town_goes_to_the_most_populous_and_says_so(client):
    body = client.get("/api/geocode?q=Saint-Denis").get_json()
    assert body["ambiguous"] is True and "plus peuplée" in body["note"]
    others = {a["insee"] for a in body["alternatives"]}
    assert {"93066", "97411"} <= {body["insee"]} | others
    assert body["insee"] not in others
    with_department = client.get("/api/geocode?q=Saint-Denis 93").get_json()
    assert with_department["insee"] == "93066"


def test_unknown_place_is_a_json_404(client):
    response = client.get("/api/geocode?q=xyzzy qwfp")
    assert response.status_code == 404
    body = response.get_json()
    assert body["field"] == "q" and "introuvable" in body["error"]


@pytest.mark.parametrize("query", INVENTED_PLACES)
def test_invented_place_is_a_french_json_404_over_http_and_in_the_cli(live_server, runner, query):
    response = requests.get(live_server.url + "/api/geocode", params={"q": query}, timeout=10)
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["field"] == "q" and body["error"].startswith("Lieu introuvable") and query in body["error"]
    result = runner.invoke(args=["geocode", query])
    assert result.exit_code == 1 and json.loads(result.output) == {**body, "status": 404}


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20", "?q=" + "a" * 201])
def test_missing_blank_or_too_long_query_is_a_json_400(client, query):
    response = client.get("/api/geocode" + query)
    assert response.status_code == 400
    assert response.get_json()["field"] == "q"


def test_geocode_command_prints_what_the_api_answers(runner, client):
    result = runner.invoke(args=["geocode", "Lyon 3e"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == client.get("/api/geocode?q=Lyon 3e").get_json()
    missing = runner.invoke(args=["geocode", "xyzzy qwfp"])
    assert missing.exit_code == 1 and json.loads(missing.output)["status"] == 404
    blank = runner.invoke(args=["geocode", "  "])
    assert blank.exit_code == 2 and json.loads(blank.output)["field"] == "q"
    too_long = runner.invoke(args=["geocode", "a" * 201])
    assert too_long.exit_code == 2 and "200 caractères" in json.loads(too_long.output)["error"]


# --- the online service, through the loopback fake BAN ------------------------------------------

@pytest.fixture
def ban_site(app):
    """The app served over HTTP with the BAN geocoder pointed at a loopback fake (2 s time-out),
    and the time-outs of the geocoder's calls to it (each bounds how long a visitor waits)."""
    from .conftest import LiveServer

    with FakeBAN(hang_s=5.0) as ban:
        app.config.update(GEOCODER="ban", GEOCODER_BAN_DOMAIN=ban.domain, GEOCODER_BAN_SCHEME="http",
                          GEOCODER_TIMEOUT=2.0, GEOCODER_MIN_INTERVAL=0.0)
        app.extensions.pop("opengen.geocoder", None)
        with app.app_context():
            timeouts = record_timeouts(get_geocoder())
        db.session.commit()
        with LiveServer(app) as server:
            yield server, ban, timeouts
        app.extensions.pop("opengen.geocoder", None)


def get(url: str, **params) -> requests.Response:
    return requests.get(url, params=params, timeout=10)


def test_address_found_by_the_online_service(ctx, ban_site):
    server, ban, _ = ban_site
    response = get(server.url + "/api/geocode", q="8 boulevard du Port 80000 Amiens")
    body = response.json()
    assert response.status_code == 200 and body["source"] == "ban"
    assert body["precision"] == "housenumber" and body["label"] == "8 Boulevard du Port 80000 Amiens"
    assert [r[1] for r in ban.requests] == ["/search"]


@pytest.mark.parametrize("failure", [429, 500, 503])
def test_failing_service_falls_back_to_the_gazetteer_at_once(ctx, ban_site, failure):
    server, ban, timeouts = ban_site
    ban.mode = failure
    response = get(server.url + "/api/geocode", q="Villeurbanne")
    assert response.status_code == 200 and response.json()["source"] == "gazetteer"
    assert response.json()["insee"] == "69266"
    assert timeouts == [2.0] and len(ban.requests) == 1  # asked once, its error taken as it came
    # The breaker is open now: the next visitor does not wait for the service at all.
    asked = len(ban.requests)
    response = get(server.url + "/api/events", q="Vénissieux")
    assert response.status_code == 200 and response.json()["place"]["source"] == "gazetteer"
    assert len(ban.requests) == asked and timeouts == [2.0]


def test_hanging_service_costs_the_visitor_about_two_seconds_then_none(ctx, ban_site, caplog):
    server, ban, timeouts = ban_site
    ban.mode = "hang"
    with caplog.at_level(logging.WARNING, logger="opengen.places.geocoders"):
        response = get(server.url + "/api/geocode", q="Roubaix")
    assert response.status_code == 200 and response.json()["source"] == "gazetteer"
    assert timeouts == [2.0] and "GeocoderTimedOut" in caplog.text  # the 2 s time-out, once
    asked = len(ban.requests)
    response = get(server.url + "/", q="Tourcoing")
    assert response.status_code == 200 and "Sessions autour de Tourcoing" in response.text
    assert len(ban.requests) == asked and timeouts == [2.0]  # the breaker skips the service


def test_online_service_answers_first_and_an_invented_place_is_still_404(ctx, ban_site):
    server, ban, _ = ban_site
    defense = get(server.url + "/api/geocode", q="La Défense")  # no commune of that name
    assert defense.status_code == 200 and defense.json()["source"] == "ban"
    assert defense.json()["insee"] == "92062"
    invented = get(server.url + "/api/geocode", q="Zzyzx-sur-Mer")
    assert invented.status_code == 404 and "introuvable" in invented.json()["error"]
    assert [r[2]["q"] for r in ban.requests] == ["La Défense", "Zzyzx-sur-Mer"]


def test_service_down_falls_back_quickly(ctx, ban_site):
    server, ban, timeouts = ban_site
    ban.go_down()
    response = get(server.url + "/api/geocode", q="Amiens")
    assert response.status_code == 200 and response.json()["insee"] == "80021"
    assert timeouts == [2.0]  # one attempt, refused at once


# --- /api/events around a place -----------------------------------------------------------------

def test_sessions_near_a_postcode_come_nearest_first_with_their_distance(client, around_paris):
    body = client.get("/api/events?q=93200").get_json()
    assert titles(body) == ["Atelier saint-denis", "Atelier hybride", "Atelier paris", "Atelier versailles"]
    assert body["count"] == 4
    place = body["place"]
    assert place["label"] == "Saint-Denis (93200)" and place["radius_km"] == 25
    for event in body["events"]:
        venue = event["venue"]
        assert event["distance_km"] == round(haversine_km(place["lat"], place["lon"], venue["lat"], venue["lon"]), 2)
    distances = [e["distance_km"] for e in body["events"]]
    assert distances == sorted(distances) and distances[0] < 1
    assert "Atelier lyon" not in titles(body)


def test_online_sessions_come_apart_without_a_distance(client, around_paris):
    body = client.get("/api/events?q=93200").get_json()
    assert body["online"]["count"] == 1
    assert [e["title"] for e in body["online"]["events"]] == ["Atelier en ligne"]
    assert "distance_km" not in body["online"]["events"][0]
    # An on-site-and-online session is ranked by distance: it has a place to go to.
    assert "Atelier hybride" in titles(body)


def test_position_and_radius(client, around_paris):
    lat, lon = LYON
    body = client.get(f"/api/events?lat={lat}&lon={lon}&radius_km=5").get_json()
    assert titles(body) == ["Atelier lyon"] and body["place"]["source"] == "position"
    wide = client.get(f"/api/events?lat={PARIS_13[0]}&lon={PARIS_13[1]}&radius_km=200").get_json()
    assert titles(wide)[0] == "Atelier paris" and "Atelier lyon" not in titles(wide)
    small = client.get(f"/api/events?lat={PARIS_13[0]}&lon={PARIS_13[1]}&radius_km=1").get_json()
    assert titles(small) == ["Atelier paris"]


def test_place_combines_with_the_other_filters(client, around_paris):
    def near(query: str) -> list[str]:
        response = client.get("/api/events?q=93200&" + query)
        assert response.status_code == 200, response.get_json()
        return titles(response.get_json())

    school = around_paris["paris"].school_id
    assert near("family=data") == ["Atelier saint-denis", "Atelier versailles"]
    assert near("day=2021-11-29") == ["Atelier hybride", "Atelier versailles"]
    assert near("kind=career_talk") == ["Atelier hybride"]
    assert near(f"school={school}") == ["Atelier paris"]
    assert near("format=onsite&family=cloud") == ["Atelier paris"]
    online = client.get("/api/events?q=93200&format=online").get_json()
    assert titles(online) == ["Atelier hybride"] and online["online"]["count"] == 1


def test_hidden_sessions_stay_hidden_around_a_place(client, make_event, make_venue):
    venue = make_venue(lat=SAINT_DENIS[0], lon=SAINT_DENIS[1])
    make_event(title="En attente", venue=venue, school=venue.school, status=EventStatus.pending)
    make_event(title="Annulée", venue=venue, school=venue.school, status=EventStatus.cancelled)
    db.session.commit()
    assert titles(client.get("/api/events?q=93200").get_json()) == ["Annulée"]
    assert client.get("/api/events/markers?q=93200").get_json()["count"] == 0


def test_markers_honour_the_place(client, around_paris):
    ids = {row[0] for row in client.get("/api/events/markers?q=93200&radius_km=25").get_json()["markers"]}
    assert ids == {around_paris[n].id for n in ("saint-denis", "paris", "versailles", "both")}
    lyon = client.get(f"/api/events/markers?lat={LYON[0]}&lon={LYON[1]}&radius_km=10").get_json()
    assert [row[0] for row in lyon["markers"]] == [around_paris["lyon"].id]


def test_paging_through_results(client, around_paris):
    first = client.get("/api/events?q=93200&limit=2").get_json()
    second = client.get("/api/events?q=93200&limit=2&offset=2").get_json()
    beyond = client.get("/api/events?q=93200&limit=2&offset=10").get_json()
    assert first["count"] == second["count"] == beyond["count"] == 4
    assert titles(first) + titles(second) == titles(client.get("/api/events?q=93200").get_json())
    assert beyond["events"] == []
    plain = client.get("/api/events?limit=3").get_json()
    assert plain["count"] == 6 and len(plain["events"]) == 3 and "place" not in plain


def test_calendar_search_uses_the_place(app, around_paris):
    found = queries.search(parse_filters({"q": "93200"}))
    assert [e.title for e in found] == ["Atelier saint-denis", "Atelier hybride", "Atelier paris",
                                        "Atelier versailles", "Atelier en ligne"]
    assert [e.title for e in queries.search(parse_filters({"q": "93200", "format": "onsite"}))][-1] \
        == "Atelier versailles"


def test_feed_statements_honour_the_place(app, around_paris):
    # The calendar feeds build on events.filtered(): the circle's sessions and the online ones.
    statement = queries.filtered(parse_filters({"q": "93200", "family": "data"}))
    assert [e.title for e in db.session.scalars(statement)] == [
        "Atelier versailles", "Atelier en ligne", "Atelier saint-denis"]
    on_site = queries.filtered(parse_filters({"q": "93200"}), with_online=False)
    assert {e.title for e in db.session.scalars(on_site)} == {
        "Atelier saint-denis", "Atelier hybride", "Atelier paris", "Atelier versailles"}


@pytest.mark.parametrize("query,field,status", [
    ("lat=91&lon=2", "lat", 400), ("lat=48&lon=-181", "lon", 400), ("lat=48", "lon", 400),
    ("lon=2", "lat", 400), ("lat=abc&lon=2", "lat", 400), ("lat=nan&lon=2", "lat", 400),
    ("lat=inf&lon=2", "lat", 400), ("q=93200&radius_km=0", "radius_km", 400),
    ("q=93200&radius_km=500", "radius_km", 400), ("q=93200&radius_km=-5", "radius_km", 400),
    ("q=93200&radius_km=vingt", "radius_km", 400), ("q=" + "x" * 201, "q", 400),
    ("q=93200&lat=91&lon=2", "lat", 400), ("q=xyzzy+qwfp", "q", 404), ("limit=0", "limit", 400),
    ("limit=10000", "limit", 400), ("offset=-1", "offset", 400), ("limit=%C2%B2", "limit", 400),
    ("school=%C2%B2", "school", 400),
])
def test_malformed_place_values_are_json_errors_with_their_field(client, query, field, status):
    for path in ("/api/events?", "/api/events/markers?"):
        if path.endswith("markers?") and field in ("limit", "offset"):
            continue
        response = client.get(path + query)
        assert response.status_code == status, (path, query, response.data[:200])
        assert response.get_json()["field"] == field


def test_a_named_place_wins_over_a_position_sent_with_it(client, around_paris):
    # The broadcast pages add the remembered {"q", "lat", "lon"} to their links.
    body = client.get(f"/api/events?q=93200&lat={LYON[0]}&lon={LYON[1]}").get_json()
    assert body["place"]["label"] == "Saint-Denis (93200)"
    assert titles(body)[0] == "Atelier saint-denis"
    html = client.get(f"/?family=data&q=93200&lat={LYON[0]}&lon={LYON[1]}").get_data(as_text=True)
    assert "Sessions autour de Saint-Denis (93200)" in html and 'name="lat"' not in html


def test_radius_bounds_are_accepted(client, around_paris):
    for radius in ("1", "200", "12.5", "12,5"):
        assert client.get(f"/api/events?q=93200&radius_km={radius}").status_code == 200


# --- the home page --------------------------------------------------------------------------------

def test_home_page_lists_sessions_nearest_first_with_their_distance(client, around_paris):
    html = client.get("/?q=93200").get_data(as_text=True)
    assert "Sessions autour de Saint-Denis (93200)" in html
    order = [html.index(f"Atelier {n}") for n in ("saint-denis", "hybride", "paris", "versailles")]
    assert order == sorted(order)
    assert "Atelier lyon" not in html
    place = client.get("/api/geocode?q=93200").get_json()
    nearest_km = haversine_km(place["lat"], place["lon"], *SAINT_DENIS)
    assert f'class="distance">à {round(nearest_km, 1)} km'.replace(".", ",") in html
    assert 'value="93200"' in html
    assert "accessible de partout" in html and "Atelier en ligne" in html
    assert 'data-area-lat="' in html and "radius_km=25" in html  # markers URL carries the place


def test_unknown_place_is_said_next_to_the_field_and_kept(client, around_paris):
    response = client.get("/?q=Xyzzy Qwfp")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html and 'id="q-error"' in html and "Lieu introuvable" in html
    assert 'value="Xyzzy Qwfp"' in html
    assert "Atelier lyon" in html  # the list still shows every session
    assert "data-area-lat" not in html


def test_ambiguous_place_asks_which_one_with_links(client, around_paris):
    # A bare ambiguous name asks first (tests/test_suggest.py has the details).
    html = client.get("/?q=Saint-Denis").get_data(as_text=True)
    assert "Sessions autour de Saint-Denis" not in html and "précisez laquelle" in html
    assert "/?q=Saint-Denis+%2893%29" in html or "q=Saint-Denis+(93)" in html
    response = client.get("/?q=Saint-Denis (93)")
    assert "Sessions autour de Saint-Denis (93)" in response.get_data(as_text=True)


def test_position_search_page(client, around_paris):
    html = client.get(f"/?lat={LYON[0]}&lon={LYON[1]}&radius_km=10").get_data(as_text=True)
    assert "Sessions autour de votre position" in html and "Atelier lyon" in html
    assert "Atelier paris" not in html
    assert 'name="lat" value="45.764"' in html
    assert client.get("/?lat=95&lon=2").status_code == 400


def test_page_beyond_the_last_shows_the_last(client, app, around_paris):
    app.config["LIST_PAGE_SIZE"] = 3
    html = client.get("/?q=93200&page=9").get_data(as_text=True)
    assert "Page 2 sur 2" in html and "Atelier versailles" in html
    assert "Atelier saint-denis" not in html


@pytest.mark.parametrize("query,status", [
    ("q=!!!", 404), ("q=%00Lyon", 200), ("q=%F0%9F%98%80", 404), ("lat=90&lon=180&radius_km=200", 200),
    ("lat=-90&lon=-180", 200), ("lat=0&lon=0", 200), ("q=93200&offset=999999999", 200),
    ("lat=48,85&lon=2,35", 200),
])
def test_odd_but_harmless_inputs_never_fail(client, around_paris, query, status):
    for path in ("/api/events?", "/api/events/markers?", "/?"):
        response = client.get(path + query)
        assert response.status_code == (200 if path == "/?" else status), (path, query)
