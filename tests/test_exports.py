"""The exports of a search (GeoJSON, CSV), partners' polls with updated_since, and the sitemap."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest

from opengen.db import db, utcnow
from opengen.events import exports
from opengen.models import EventFormat, EventKind, EventStatus
from opengen.submissions.moderation import approve, create_admin, reject
from opengen.submissions.operations import cancel_event
from tests.conftest import paris
from tests.test_feeds import FILTER_CASES

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def geojson_ids(client, query: str) -> list[int]:
    response = client.get(f"/api/events.geojson?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = json.loads(response.get_data())
    assert body["type"] == "FeatureCollection"
    return [f["id"] for f in body["features"]]


def csv_rows(client, query: str) -> list[dict]:
    response = client.get(f"/api/events.csv?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def csv_ids(client, query: str) -> list[int]:
    return [int(row["id"]) for row in csv_rows(client, query)]


def api_ids(client, query: str) -> list[int]:
    body = client.get(f"/api/events?{query}&limit=500").get_json()
    assert "error" not in body, body
    # Around a place the API lists the online sessions apart; the exports hold both.
    return [e["id"] for e in body["events"] + body.get("online", {}).get("events", [])]


@pytest.fixture
def programme(make_event, make_school, make_venue):
    """A small week: on site, online, both, late evening, cancelled, pending, far away."""
    school = make_school()
    far = make_venue(city="Lyon", postcode="69003", lat=45.76, lon=4.85)
    events = [
        make_event(start=paris(2021, 11, 29, 10), families=("data",), kind=EventKind.career_talk),
        make_event(start=paris(2021, 11, 30, 10), families=("web-development",), format=EventFormat.online),
        make_event(start=paris(2021, 11, 30, 23, 30), families=("data",), school=school),
        make_event(start=paris(2021, 12, 1, 0, 30), families=("cloud",), format=EventFormat.both, school=school),
        make_event(start=paris(2021, 11, 30, 9), status=EventStatus.cancelled, families=("data",)),
        make_event(start=paris(2021, 11, 30, 9), status=EventStatus.pending, families=("data",)),
        make_event(start=paris(2021, 11, 30, 14), venue=far),
    ]
    db.session.commit()
    return school, events


# --------------------------------------------------------------------------- one search, every format

def test_geojson_csv_and_json_list_the_same_sessions_for_every_filter(client, programme):
    school, _events = programme
    for name, query in FILTER_CASES.items():
        query = query.format(school=school.id)
        expected = sorted(api_ids(client, query))
        assert expected, name
        assert sorted(geojson_ids(client, query)) == expected, name
        assert sorted(csv_ids(client, query)) == expected, name
    both = "day=2021-11-30&family=data"
    assert geojson_ids(client, both) == csv_ids(client, both) == api_ids(client, both)
    assert len(api_ids(client, both)) == 2


def test_limit_and_offset_cut_the_same_order_as_the_api(client, programme):
    every = api_ids(client, "")
    assert len(every) == 6  # published and cancelled, in start order
    for limit, offset in ((2, 0), (2, 2), (3, 4), (5, 5), (1, 99)):
        page = client.get(f"/api/events?limit={limit}&offset={offset}").get_json()
        expected = [e["id"] for e in page["events"]]
        assert expected == every[offset:offset + limit]
        assert geojson_ids(client, f"limit={limit}&offset={offset}") == expected
        assert csv_ids(client, f"limit={limit}&offset={offset}") == expected
    assert geojson_ids(client, "offset=4") == every[4:]


def test_an_export_longer_than_a_page_is_read_a_page_at_a_time(client, make_event, monkeypatch):
    monkeypatch.setattr(exports, "PAGE", 3)
    made = [make_event(start=paris(2021, 11, 28 + i % 3, 10)).id for i in range(10)]
    db.session.commit()
    expected = api_ids(client, "")
    assert sorted(expected) == sorted(made)
    assert geojson_ids(client, "") == csv_ids(client, "") == expected
    assert geojson_ids(client, "limit=7&offset=2") == expected[2:9]


def test_the_export_is_streamed(client, programme, monkeypatch):
    pages_read = []
    real = exports._id_pages

    def counting(*args, **kwargs):
        for page in real(*args, **kwargs):
            pages_read.append(len(page))
            yield page

    monkeypatch.setattr(exports, "_id_pages", counting)
    monkeypatch.setattr(exports, "PAGE", 2)
    for path in ("/api/events.geojson", "/api/events.csv"):
        pages_read.clear()
        response = client.get(path, buffered=False)
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        # The opening went out before any session was read; the rest follows a page at a time.
        assert first.startswith((b'{"type":"FeatureCollection"', "\ufeffid,".encode()))
        assert pages_read == []
        next(chunks)
        assert pages_read == [2]
        rest = b"".join(chunks)
        assert pages_read == [2, 2, 2] and rest
        response.close()


def test_geojson_features_carry_the_api_items(client, programme):
    body = json.loads(client.get("/api/events.geojson?limit=500").get_data())
    api = {e["id"]: e for e in client.get("/api/events?limit=500").get_json()["events"]}
    features = {f["id"]: f for f in body["features"]}
    assert features.keys() == api.keys()
    for event_id, feature in features.items():
        assert feature["type"] == "Feature"
        assert feature["properties"] == api[event_id]
        venue = api[event_id]["venue"]
        if api[event_id]["format"] == "online":
            assert feature["geometry"] is None
        else:
            assert feature["geometry"] == {"type": "Point", "coordinates": [venue["lon"], venue["lat"]]}


def test_an_export_around_a_place_gives_distances_and_the_online_sessions(client, programme):
    body = json.loads(client.get("/api/events.geojson?q=93200&radius_km=10").get_data())
    api = client.get("/api/events?q=93200&radius_km=10").get_json()
    distances = {e["id"]: e["distance_km"] for e in api["events"]}
    for feature in body["features"]:
        properties = feature["properties"]
        if properties["id"] in distances:
            assert properties["distance_km"] == distances[properties["id"]]
        else:
            assert feature["geometry"] is None and "distance_km" not in properties
    assert {f["id"] for f in body["features"]} == set(distances) | {
        e["id"] for e in api["online"]["events"]}


def test_csv_rows_hold_the_api_fields_and_neutralise_formulas(client, make_event):
    hostile = make_event(title="=cmd|' /C calc'!A0", description="+SUM(A1)", accessibility="@x",
                         families=("data", "cloud"), start=paris(2021, 11, 29, 10))
    db.session.commit()
    response = client.get("/api/events.csv")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="open-gen-sessions.csv"'
    [row] = csv_rows(client, "")
    item = client.get("/api/events").get_json()["events"][0]
    assert row["id"] == str(hostile.id) and row["uid"] == item["uid"]
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["description"] == "'+SUM(A1)" and row["accessibility"] == "'@x"
    assert row["families"] == ";".join(item["families"]) and len(item["families"]) == 2 and row["wheelchair_accessible"] == "false"
    assert row["venue_city"] == item["venue"]["city"] and row["start"] == item["start"]
    # Every field of an API item has its column (the venue's flattened).
    fields = {k for k in item if k != "venue"} | {f"venue_{k}" for k in item["venue"]}
    assert fields <= set(exports.CSV_COLUMNS)


@pytest.mark.parametrize("query, field", [
    ("family=unknown", "family"), ("day=2021-02-30", "day"), ("limit=0", "limit"),
    ("offset=-1", "offset"), ("edition=1999", "edition"), ("school=999999", "school"),
    ("updated_since=yesterday", "updated_since"), ("updated_since=2021-11-28T12:00", "updated_since"),
    ("updated_since=0001-01-01T00:00:00%2B01:00", "updated_since"), ("lat=91&lon=2", "lat"),
])
def test_a_bad_filter_is_a_clear_json_error(client, query, field):
    for path in ("/api/events.geojson", "/api/events.csv", "/api/events"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, (path, query)
        assert response.get_json()["field"] == field


def test_an_unknown_place_is_a_404(client):
    response = client.get("/api/events.csv?q=Nullepartville-sur-Rien")
    assert response.status_code == 404 and response.get_json()["field"] == "q"


# --------------------------------------------------------------------------- partners keep in sync

def _ids(client, path: str, since: str) -> set[tuple[int, str]]:
    """(id, status) of what an export lists since an instant."""
    query = f"updated_since={since}"
    if path.endswith(".csv"):
        return {(int(r["id"]), r["status"]) for r in csv_rows(client, query)}
    if path.endswith(".geojson"):
        body = json.loads(client.get(f"{path}?{query}").get_data())
        return {(f["id"], f["properties"]["status"]) for f in body["features"]}
    return {(e["id"], e["status"]) for e in client.get(f"{path}?{query}&limit=500").get_json()["events"]}


@pytest.mark.parametrize("path", ["/api/events", "/api/events.geojson", "/api/events.csv"])
def test_updated_since_gives_exactly_the_changes_after_the_instant(client, make_event, make_school, path):
    admin = create_admin("staff@example.org", "a very long password")
    long_ago = utcnow() - timedelta(days=2)
    kept, edited, cancelled, withdrawn, pending = (
        make_event(updated_at=long_ago, published_at=long_ago, start=paris(2021, 11, 29, 9 + i))
        for i in range(5))
    pending.status = EventStatus.pending
    never_public = make_event(status=EventStatus.pending, updated_at=long_ago)
    db.session.commit()
    since = (utcnow() - timedelta(hours=1)).isoformat()
    assert _ids(client, path, since) == set()

    edited.title, edited.updated_at, edited.sequence = "Nouveau titre", utcnow(), 1
    cancel_event(cancelled, "ecole@example.org")
    reject(withdrawn.submission or _submission(withdrawn), admin, "Doublon")
    cancel_event(never_public, "ecole@example.org")  # withdrawn by its school before publication
    db.session.commit()
    assert _ids(client, path, since) == {(edited.id, "published"), (cancelled.id, "cancelled"),
                                         (withdrawn.id, "withdrawn")}
    # A later instant: nothing; an earlier one: every public session, withdrawn included.
    assert _ids(client, path, (utcnow() + timedelta(seconds=1)).isoformat().replace("+", "%2B")) == set()
    assert _ids(client, path, "2000-01-01T00:00:00Z") == {
        (kept.id, "published"), (edited.id, "published"), (cancelled.id, "cancelled"),
        (withdrawn.id, "withdrawn")}
    assert pending.id not in {i for i, _s in _ids(client, path, "2000-01-01T00:00:00Z")}


def _submission(event):
    """Give a factory-made session the submission staff moderate it through."""
    from opengen.models import Submission
    event.submission = Submission(school=event.school, contact_email="ecole@example.org")
    db.session.flush()
    return event.submission


def test_a_withdrawn_session_keeps_its_ids_but_not_its_text(client, make_event):
    admin = create_admin("staff@example.org", "a very long password")
    event = make_event(title="Titre refusé", published_at=utcnow())
    reject(_submission(event), admin, "Contenu inapproprié")
    db.session.commit()
    [item] = client.get("/api/events?updated_since=2000-01-01T00:00:00Z").get_json()["events"]
    assert item["id"] == event.id and item["uid"] == event.uid and item["status"] == "withdrawn"
    assert item["title"] is None and item["venue"] is None and item["url"] is None
    assert item["sequence"] == 1
    assert client.get("/api/events").get_json()["count"] == 0  # not listed without updated_since
    [row] = csv_rows(client, "updated_since=2000-01-01T00:00:00Z")
    assert row["status"] == "withdrawn" and row["title"] == ""
    assert "Titre refusé" not in client.get("/api/events.geojson?updated_since=2000-01-01T00:00:00Z") \
        .get_data(as_text=True)


def test_an_unencoded_plus_in_the_offset_is_understood(client, make_event):
    make_event()
    db.session.commit()
    body = client.get("/api/events?updated_since=2000-01-01T01:00:00+01:00").get_json()
    assert body["count"] == 1


def test_pages_ignore_updated_since(client, make_event, make_venue):
    event = make_event(title="Toujours là", updated_at=utcnow() - timedelta(days=3))
    db.session.commit()
    page = client.get("/?updated_since=2030-01-01T00:00:00Z").get_data(as_text=True)
    assert "Toujours là" in page and event.id


# --------------------------------------------------------------------------- validators

def fetched(client, path: str, **kwargs):
    """GET a path and read the whole body (a streamed answer left unread is closed by the
    garbage collector, out of its request)."""
    response = client.get(path, **kwargs)
    response.get_data()
    return response


@pytest.mark.parametrize("path", ["/api/events.geojson", "/api/events.csv"])
def test_exports_answer_304_until_a_session_changes(client, make_event, path):
    event = make_event(start=paris(2021, 11, 29, 10))
    db.session.commit()
    first = fetched(client, path)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag and modified
    assert fetched(client, path).headers["ETag"] == etag  # stable for the same state
    assert fetched(client, path, headers={"If-None-Match": etag}).status_code == 304
    assert fetched(client, path, headers={"If-Modified-Since": modified}).status_code == 304
    assert fetched(client, f"{path}?family=data").headers["ETag"] != etag  # another search
    gzipped = fetched(client, path, headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip" and gzipped.headers["ETag"] != etag
    assert fetched(client, path, headers={"If-None-Match": gzipped.headers["ETag"],
                                          "Accept-Encoding": "gzip"}).status_code == 304

    event.title, event.updated_at, event.sequence = "Changé", utcnow() + timedelta(seconds=2), 1
    db.session.commit()
    changed = fetched(client, path, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Changé" in changed.get_data(as_text=True)


def test_a_gzipped_export_reads_back_whole(client, programme):
    import gzip
    plain = client.get("/api/events.geojson").get_data()
    packed = client.get("/api/events.geojson", headers={"Accept-Encoding": "gzip"}).get_data()
    assert gzip.decompress(packed) == plain


# --------------------------------------------------------------------------- search engines

def test_the_sitemap_lists_every_public_page(client, programme, make_event):
    _school, events = programme
    make_event(status=EventStatus.rejected)
    db.session.commit()
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ElementTree.fromstring(response.get_data())
    entries = {u.find(f"{SITEMAP}loc").text: u.find(f"{SITEMAP}lastmod") for u in root}
    base = "http://localhost"
    for path in ("/", "/editions", "/editions/2021", "/broadcasts", "/familles", "/familles/data"):
        assert base + path in entries, path
    public = {e.id for e in events if e.status in (EventStatus.published, EventStatus.cancelled)}
    listed = {int(loc.rsplit("/", 1)[1]) for loc in entries if "/events/" in loc}
    assert listed == public
    event = events[0]
    assert entries[f"{base}/events/{event.id}"].text == event.updated_at.isoformat(timespec="seconds")
    for loc in entries:
        assert client.get(loc.removeprefix(base)).status_code == 200, loc


def test_a_large_sitemap_becomes_an_index_of_parts(client, programme, monkeypatch):
    from opengen import sitemap
    monkeypatch.setattr(sitemap, "PART_SIZE", 16)  # 14 pages and 6 sessions: two parts
    root = ElementTree.fromstring(client.get("/sitemap.xml").get_data())
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = [s.find(f"{SITEMAP}loc").text.removeprefix("http://localhost") for s in root]
    pages = 0
    listed = []
    for part in parts:
        urls = ElementTree.fromstring(client.get(part).get_data())
        locs = [u.find(f"{SITEMAP}loc").text for u in urls]
        assert 0 < len(locs) <= 16
        listed += [loc for loc in locs if "/events/" in loc]
        pages += len(locs)
    assert len(parts) == 2 and len(listed) == len(set(listed)) == 6
    assert client.get("/sitemap-1000.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    for path in ("/admin", "/submit/edit", "/programme/imprimer"):
        assert f"Disallow: {path}" in lines


def test_moderated_sessions_approved_later_show_as_changes(client, make_event):
    """A session approved after the instant is a change (its publication)."""
    admin = create_admin("staff@example.org", "a very long password")
    event = make_event(status=EventStatus.pending, updated_at=utcnow() - timedelta(days=1))
    since = (utcnow() - timedelta(hours=1)).isoformat().replace("+", "%2B")
    approve(_submission(event), admin)
    db.session.commit()
    assert [e["id"] for e in client.get(f"/api/events?updated_since={since}").get_json()["events"]] \
        == [event.id]


def test_list_pages_link_to_the_exports_of_what_they_show(client, programme):
    html = client.get("/?family=data&day=2021-11-30").get_data(as_text=True)
    assert 'href="/api/events.csv?day=2021-11-30&amp;family=data"' in html
    assert 'href="/api/events.geojson?day=2021-11-30&amp;family=data"' in html
    archive = client.get("/editions/2021").get_data(as_text=True)
    assert 'href="/api/events.csv?edition=2021"' in archive
    family = client.get("/familles/cloud").get_data(as_text=True)
    assert 'href="/api/events.geojson?family=cloud"' in family
