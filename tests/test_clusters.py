"""The map's clusters (/api/events/clusters/z/x/y), what a marker stands for (/api/events/marker),
and the bbox filter: counts that add up to the sessions, for every filter and at several zooms."""
from __future__ import annotations

import gzip
import math
import random
from datetime import timedelta
from collections import Counter

import pytest
from werkzeug.datastructures import MultiDict

from opengen.db import db
from opengen.events.clusters import EXACT_TILE_ZOOM, tile_bounds
from opengen.events.filters import parse_filters
from opengen.models import EventFormat, EventKind, EventStatus

from .conftest import paris

FAMILIES = ("web-development", "data", "ai", "cybersecurity")
ZOOMS = (0, 3, 5, 8, 11, EXACT_TILE_ZOOM)
LYON = (45.7640, 4.8357)


def _tile_of(lat: float, lon: float, z: int) -> tuple[int, int]:
    """The slippy-map tile holding a point (the usual formula, written apart from the app's)."""
    n = 2 ** z
    x = min(n - 1, int((lon + 180.0) / 360.0 * n))
    lat_r = math.radians(max(-85.05112878, min(85.05112878, lat)))
    y = min(n - 1, max(0, int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)))
    return x, y


@pytest.fixture
def world(make_event, make_venue, make_school):
    """About 70 sessions over France and La Réunion, five at one address, and some never on the map."""
    rng = random.Random(13)
    school = make_school(name="École de Lyon")
    campus = make_venue(school=school, city="Lyon", lat=LYON[0], lon=LYON[1])
    for i in range(5):  # one address, five sessions
        make_event(venue=campus, families=[FAMILIES[i % 4]], start=paris(2021, 11, 29, 9 + i) + timedelta(days=i % 3))
    for i in range(60):
        lat, lon = rng.uniform(43.0, 50.5), rng.uniform(-1.5, 7.5)
        make_event(venue=make_venue(lat=lat, lon=lon), families=[FAMILIES[i % 4]],
                   kind=(EventKind.workshop, EventKind.career_talk)[i % 2],
                   format=(EventFormat.onsite, EventFormat.both)[i % 3 == 0],
                   start=paris(2021, 11, 29, 9 + i % 8) + timedelta(days=i % 5))
    for i in range(4):  # near each other in one town: one cluster far out, apart at street level
        make_event(venue=make_venue(lat=45.19 + i * 0.002, lon=5.72), start=paris(2021, 12, 2, 10))
    make_event(venue=make_venue(lat=-21.34, lon=55.48, timezone="Indian/Reunion"))
    make_event(status=EventStatus.pending)
    make_event(status=EventStatus.cancelled)
    make_event(format=EventFormat.online)
    db.session.commit()


FILTERS = [{}, {"day": "2021-11-30"}, {"family": "data"}, {"kind": "career_talk"}, {"format": "onsite"},
           {"edition": "2021"}, {"q": "Lyon", "radius_km": "100"},
           {"lat": "48.86", "lon": "2.35", "radius_km": "200"}, {"bbox": "0,45,5,48.5"},
           {"family": "ai", "bbox": "-2,43,8,51", "day": "2021-12-01"}]


def _markers(client, args) -> list[list]:
    response = client.get("/api/events/markers", query_string=args)
    assert response.status_code == 200
    return response.get_json()["markers"]


@pytest.mark.parametrize("args", FILTERS, ids=lambda a: ",".join(a) or "none")
def test_clusters_add_up_to_the_sessions_of_each_tile(client, world, args):
    markers = _markers(client, args)
    assert markers, "every filter of the test world finds some sessions"
    for z in ZOOMS:
        expected = Counter(_tile_of(lat, lon, z) for _id, lat, lon, _f, _k in markers)
        total = 0
        for (x, y), count in expected.items():
            body = client.get(f"/api/events/clusters/{z}/{x}/{y}", query_string=args).get_json()
            assert body["count"] == count == sum(c[0] for c in body["clusters"]), (z, x, y)
            west, south, east, north = tile_bounds(z, x, y)
            for cluster in body["clusters"]:
                count_, lat, lon, c_south, c_west, c_north, c_east, lone_id = cluster[:8]
                assert c_south <= lat <= c_north and c_west <= lon <= c_east
                assert west - 1e-6 <= c_west and c_east <= east + 1e-6
                assert (lone_id is not None) == (count_ == 1)
            total += body["count"]
        assert total == len(markers), z
    lone = {m[0] for m in markers}
    deepest = {c[7] for x, y in {_tile_of(m[1], m[2], EXACT_TILE_ZOOM) for m in markers}
               for c in client.get(f"/api/events/clusters/{EXACT_TILE_ZOOM}/{x}/{y}",
                                   query_string=args).get_json()["clusters"] if c[7] is not None}
    assert deepest <= lone


def test_an_empty_tile_has_no_cluster(client, world):
    body = client.get("/api/events/clusters/6/0/0").get_json()
    assert body == {"tile": [6, 0, 0], "zoom": 8, "exact": False, "count": 0,
                    "fields": body["fields"], "clusters": []}
    # A tile outside the filters' box has nothing either; one across its edge only what is inside.
    assert client.get("/api/events/clusters/6/0/0?bbox=0,45,5,48.5").get_json()["count"] == 0
    x, y = _tile_of(*LYON, 3)
    inside = [m for m in _markers(client, {}) if 45 <= m[1] <= 48.5 and 0 <= m[2] <= 5 and _tile_of(m[1], m[2], 3) == (x, y)]
    assert client.get(f"/api/events/clusters/3/{x}/{y}?bbox=0,45,5,48.5").get_json()["count"] == len(inside) > 0


def test_a_cluster_holds_its_sessions_inside_its_bounds_and_splits_when_zoomed(client, world):
    x, y = _tile_of(45.19, 5.72, 8)
    clusters = client.get(f"/api/events/clusters/8/{x}/{y}").get_json()["clusters"]
    grenoble = [c for c in clusters if c[3] <= 45.19 <= c[5] and c[4] <= 5.72 <= c[6]]
    assert len(grenoble) == 1 and grenoble[0][0] >= 4
    count, _lat, _lon, south, west, north, east = grenoble[0][:7]
    inside = client.get("/api/events/marker", query_string={"bbox": f"{west},{south},{east},{north}"})
    assert inside.get_json()["count"] == count
    # Zoomed in to the cluster's bounds (what a click does), its sessions stand apart.
    x, y = _tile_of(45.19, 5.72, EXACT_TILE_ZOOM)
    apart = client.get(f"/api/events/clusters/{EXACT_TILE_ZOOM}/{x}/{y}").get_json()["clusters"]
    assert [c[0] for c in apart if 45.189 <= c[1] <= 45.197] == [1, 1, 1, 1]


def test_every_session_at_one_address_is_one_marker_listing_them_all(client, world):
    x, y = _tile_of(*LYON, EXACT_TILE_ZOOM)
    clusters = client.get(f"/api/events/clusters/{EXACT_TILE_ZOOM}/{x}/{y}").get_json()["clusters"]
    place = [c for c in clusters if c[0] == 5]
    assert len(place) == 1
    count, lat, lon, south, west, north, east, lone_id = place[0][:8]
    assert (south, west) == (north, east) and lone_id is None
    listed = client.get("/api/events/marker",
                        query_string={"bbox": f"{west},{south},{east},{north}", "lat": "45.75",
                                      "lon": "4.85"}).get_json()
    assert listed["count"] == 5 and len(listed["events"]) == 5
    for event in listed["events"]:
        assert event["venue"]["city"] == "Lyon"
        assert " h " in event["when"] and " – " in event["when"]  # « lundi 29 novembre, 9 h 00 – 10 h 00 »
        assert 1.0 < event["distance_km"] < 2.0
        assert event["url"].endswith(f"/events/{event['id']}")


def test_the_detail_reads_the_time_as_the_list_and_gives_the_distance(client, make_event, make_venue):
    event = make_event(venue=make_venue(lat=48.8566, lon=2.3522), start=paris(2021, 12, 1, 9))
    db.session.commit()
    plain = client.get(f"/api/events/{event.id}").get_json()
    assert plain["when"] == "mercredi 1 décembre, 9 h 00 – 10 h 00" and "distance_km" not in plain
    near = client.get(f"/api/events/{event.id}?lat=48.8566&lon=2.4522").get_json()
    assert 7.0 < near["distance_km"] < 7.5
    assert client.get(f"/api/events/{event.id}?lat=nan&lon=2").status_code == 400


def test_a_tile_answer_is_kept_with_a_strong_etag_and_revalidated(client, world):
    x, y = _tile_of(*LYON, 5)
    url = f"/api/events/clusters/5/{x}/{y}"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "gzip"
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")
    assert client.get(url, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"}).status_code == 304
    plain = client.get(url)
    assert gzip.decompress(first.data) == plain.data
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304
    assert client.get(url + "?family=data").headers["ETag"] != plain.headers["ETag"]
    assert "max-age" in plain.headers["Cache-Control"]


@pytest.mark.parametrize("path", ["/api/events/clusters/21/0/0", "/api/events/clusters/3/8/0",
                                  "/api/events/clusters/3/0/8", f"/api/events/clusters/99999999999/{2**70}/0",
                                  "/api/events/clusters/-1/0/0", "/api/events/clusters/3/0/x"])
def test_a_tile_outside_the_grid_is_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("bbox", ["nan,1,2,3", "1,2,3", "a,b,c,d", "3,1,2,4", "1,4,2,3", "inf,1,2,3",
                                  "1,2,3,4,5", "1e999,0,0,0", "1" * 500, ",,,", "1,,2,3"])
def test_a_malformed_bbox_is_a_clear_400(client, bbox):
    for url in ("/api/events", "/api/events/clusters/3/4/2", "/api/events/markers", "/api/events/marker"):
        response = client.get(url, query_string={"bbox": bbox})
        assert response.status_code == 400, (url, bbox)
        assert response.get_json()["field"] == "bbox"
    assert client.get("/", query_string={"bbox": bbox}).status_code == 400


def test_a_marker_list_needs_its_box(client):
    response = client.get("/api/events/marker")
    assert response.status_code == 400 and response.get_json()["field"] == "bbox"


def test_bbox_is_clamped_rounded_outwards_and_written_back_the_same(ctx):
    filters = parse_filters(MultiDict({"bbox": "-400,-95,2.3000004,48.1234561"}))
    assert filters.bbox == (-180.0, -90.0, 2.300001, 48.123457)
    assert parse_filters(MultiDict(filters.to_args())) == filters


def test_the_list_and_the_api_follow_the_view(client, world):
    bbox = "0,45,5,48.5"
    markers = _markers(client, {"bbox": bbox})
    inside = [m for m in _markers(client, {}) if 45 <= m[1] <= 48.5 and 0 <= m[2] <= 5]
    assert sorted(m[0] for m in markers) == sorted(m[0] for m in inside)
    api = client.get("/api/events", query_string={"bbox": bbox, "limit": 500}).get_json()
    published = [e for e in api["events"] if e["status"] == "published"]
    assert sorted(e["id"] for e in published) == sorted(m[0] for m in inside)
    assert all(e["format"] != "online" for e in api["events"])
    page = client.get("/", query_string={"bbox": bbox})
    assert page.status_code == 200
    assert f"{len(api['events'])} sessions" in page.get_data(as_text=True)


def test_the_first_view_of_france_is_the_tiles_the_map_asks_for_first(ctx, make_event, make_venue):
    import json as json_module

    from opengen.events.clusters import first_view_tiles, tile_answer
    from opengen.events.filters import EventFilters
    from opengen.maps import FRANCE_CENTRE, FRANCE_ZOOM

    make_event(venue=make_venue(lat=48.85, lon=2.35))
    make_event(venue=make_venue(lat=43.30, lon=5.37))
    db.session.commit()
    carried = json_module.loads(first_view_tiles(EventFilters(), FRANCE_CENTRE, FRANCE_ZOOM))
    # A 1400x900 map of France at zoom 6 covers tiles 7-8 x 5-6 of zoom 4 (the map asks for zoom - 2).
    assert sorted(carried) == ["4/7/5", "4/7/6", "4/8/5", "4/8/6"]
    for key, tile in carried.items():
        z, x, y = map(int, key.split("/"))
        assert tile == json_module.loads(tile_answer(EventFilters(), z, x, y)[0])
    assert sum(tile["count"] for tile in carried.values()) == 2
