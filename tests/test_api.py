"""The JSON API: what the map and partners read."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from opengen import create_app
from opengen.db import db
from opengen.models import EventFormat, EventKind, EventStatus

from .conftest import TEST_CONFIG, paris


def test_lists_published_events_with_the_documented_fields(client, make_event):
    make_event(title="Atelier Python", families=["data", "ai"], start=paris(2021, 11, 30, 14))
    db.session.commit()
    body = client.get("/api/events").get_json()
    assert body["count"] == 1
    event = body["events"][0]
    for field in ("id", "title", "kind", "families", "start", "end", "format", "school", "venue", "url"):
        assert field in event
    assert event["families"] == ["data", "ai"]
    assert event["start"] == "2021-11-30T14:00:00+01:00"
    assert event["end"] == "2021-11-30T15:00:00+01:00"
    assert set(event["venue"]) >= {"name", "address", "postcode", "city", "lat", "lon"}
    assert event["url"].endswith(f"/events/{event['id']}")


def test_times_carry_their_offset_in_summer_and_in_winter(client, make_event):
    make_event(start=paris(2022, 6, 15, 10))
    make_event(start=paris(2021, 12, 1, 10))
    db.session.commit()
    starts = sorted(e["start"] for e in client.get("/api/events").get_json()["events"])
    assert starts == ["2021-12-01T10:00:00+01:00", "2022-06-15T10:00:00+02:00"]
    assert datetime.fromisoformat(starts[1]).utcoffset().total_seconds() == 7200


def test_overseas_sessions_are_announced_in_local_time(client, make_event, make_venue):
    venue = make_venue(city="Saint-Denis", postcode="97400", lat=-20.88, lon=55.45,
                       timezone="Indian/Reunion")
    make_event(venue=venue, school=venue.school, start=paris(2021, 11, 29, 7))
    db.session.commit()
    event = client.get("/api/events").get_json()["events"][0]
    assert event["start"] == "2021-11-29T10:00:00+04:00"


def test_pending_and_rejected_events_never_appear(client, make_event):
    make_event(title="Visible")
    make_event(title="En attente", status=EventStatus.pending)
    make_event(title="Refusée", status=EventStatus.rejected)
    make_event(title="Annulée", status=EventStatus.cancelled)
    db.session.commit()
    events = client.get("/api/events").get_json()["events"]
    assert {e["title"]: e["status"] for e in events} == {"Visible": "published", "Annulée": "cancelled"}
    assert [m[0] for m in client.get("/api/events/markers").get_json()["markers"]] == \
        [e["id"] for e in events if e["status"] == "published"]


def test_filters_combine(client, make_event, make_school):
    school = make_school(name="Le Wagon Lyon")
    make_event(title="A", families=["data"], start=paris(2021, 11, 30, 10), school=school)
    make_event(title="B", families=["data"], start=paris(2021, 12, 1, 10), school=school)
    make_event(title="C", families=["cloud"], start=paris(2021, 11, 30, 10), kind=EventKind.career_talk)
    make_event(title="D", families=["data"], start=paris(2021, 11, 30, 23, 30),
               format=EventFormat.online)
    db.session.commit()

    def titles(query):
        response = client.get("/api/events?" + query)
        assert response.status_code == 200, response.get_json()
        return sorted(e["title"] for e in response.get_json()["events"])

    assert titles("day=2021-11-30") == ["A", "C", "D"]
    assert titles("day=2021-11-30&family=data") == ["A", "D"]
    assert titles("kind=career_talk") == ["C"]
    assert titles("format=online") == ["D"]
    assert titles("format=onsite") == ["A", "B", "C"]
    assert titles(f"school={school.id}") == ["A", "B"]
    assert titles(f"school={school.id}&day=2021-12-01") == ["B"]


@pytest.mark.parametrize("query, field", [
    ("day=2021-13-45", "day"), ("day=demain", "day"), ("family=cuisine", "family"),
    ("kind=concert", "kind"), ("format=hybrid", "format"), ("school=abc", "school"),
    ("school=999999", "school"), ("school=-1", "school"), ("day=%00", "day"),
    ("school=2147483648", "school"), ("school=99999999999999999999", "school"), ("school=0", "school"),
])
def test_malformed_or_unknown_filters_get_a_json_400(client, query, field):
    for path in ("/api/events", "/api/events/markers"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400
        body = response.get_json()
        assert body["field"] == field and body["error"]


def test_unknown_event_is_a_json_404(client):
    response = client.get("/api/events/424242")
    assert response.status_code == 404
    assert response.get_json()["error"]


def test_markers_are_compact_and_skip_online_only_sessions(client, make_event):
    onsite = make_event(families=["cybersecurity"])
    make_event(format=EventFormat.online)
    db.session.commit()
    body = client.get("/api/events/markers").get_json()
    assert body["count"] == 1
    marker_id, lat, lon, family, kind = body["markers"][0]
    assert marker_id == onsite.id and (lat, lon) == (48.9362, 2.3574)
    assert family == 2 and kind == "workshop"


def test_large_responses_are_gzipped_for_phones(client, make_event):
    for _ in range(20):
        make_event()
    db.session.commit()
    response = client.get("/api/events", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    import gzip
    import json
    assert json.loads(gzip.decompress(response.data))["count"] == 20


def test_markers_follow_every_change_although_they_are_kept_between_requests(client, make_event, make_venue):
    first = make_event(title="Première")
    db.session.commit()
    assert [m[0] for m in client.get("/api/events/markers").get_json()["markers"]] == [first.id]
    second = make_event(title="Seconde", venue=make_venue(lat=45.76, lon=4.84))
    db.session.commit()
    assert [m[0] for m in client.get("/api/events/markers").get_json()["markers"]] == [first.id, second.id]
    # A pin moved by a school: its sessions are bumped, and the map follows.
    second.venue.lat, second.venue.lon = 45.70, 4.88
    second.updated_at = second.updated_at + timedelta(seconds=1)
    db.session.commit()
    moved = client.get("/api/events/markers").get_json()["markers"][1]
    assert (moved[1], moved[2]) == (45.7, 4.88)
    second.status = EventStatus.cancelled
    second.updated_at = second.updated_at + timedelta(seconds=1)
    db.session.commit()
    assert [m[0] for m in client.get("/api/events/markers").get_json()["markers"]] == [first.id]


def test_health_check_says_whether_the_database_answers(app, client, tmp_path):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    broken = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/none/x.db"})
    with broken.app_context():
        response = broken.test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json() == {"status": "unavailable"}


def test_a_search_lists_each_session_exactly_as_its_own_api_page_shows_it(app, client, make_event):
    from opengen.models import EventFormat as Format

    on_site = make_event(families=["data", "web-development", "cybersecurity"], capacity=12,
                         audience=["women", "job-seekers"], title="Données <b>&</b> web")
    online = make_event(format=Format.online, online_url="https://visio.example.org/x", venue=None)
    db.session.commit()
    body = client.get("/api/events?q=93200&limit=5").get_json()
    listed = body["events"][0]
    assert listed.pop("distance_km") < 1
    def page(event_id):  # the detail adds how its time reads (the map's popups): the rest is the same
        detail = client.get(f"/api/events/{event_id}").get_json()
        assert detail.pop("when").startswith("lundi 29 novembre, ")
        return detail

    assert listed == page(on_site.id)
    assert body["online"]["events"] == [page(online.id)]
    everything = client.get("/api/events").get_json()["events"]
    assert everything == [page(e.id) for e in (on_site, online)]


def test_every_session_address_is_on_the_public_base_url_behind_a_proxy(app, client, make_event):
    app.config["PUBLIC_BASE_URL"] = "https://opengen.example.org/"
    event = make_event()
    db.session.commit()
    listed = client.get("/api/events").get_json()["events"][0]["url"]
    detail = client.get(f"/api/events/{event.id}").get_json()["url"]
    starred = client.get(f"/api/programme?ids={event.id}").get_json()
    expected = f"https://opengen.example.org/events/{event.id}"
    assert listed == detail == expected
    assert expected in str(starred) and starred["ics"].startswith("https://opengen.example.org/")


def test_gzipped_markers_are_built_once_per_data_version_and_revalidated(client, make_event, monkeypatch):
    import gzip

    from opengen import compression
    builds = []
    real_compress = gzip.compress
    monkeypatch.setattr(compression.gzip, "compress", lambda *a, **k: builds.append(1) or real_compress(*a, **k))
    for _ in range(60):  # enough markers for the body to be worth gzipping
        make_event()
    db.session.commit()
    first = client.get("/api/events/markers", headers={"Accept-Encoding": "gzip"})
    again = client.get("/api/events/markers", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip" and again.data == first.data
    assert len(builds) == 1
    etag, weak = first.get_etag()
    assert etag.endswith("-gz") and not weak
    # Gzipped or not, a client holding the current tag gets a 304 and no body.
    plain_tag = client.get("/api/events/markers").get_etag()[0]
    assert plain_tag + "-gz" == etag
    for headers in ({"Accept-Encoding": "gzip", "If-None-Match": f'"{etag}"'}, {"If-None-Match": f'"{plain_tag}"'}):
        revalidated = client.get("/api/events/markers", headers=headers)
        assert revalidated.status_code == 304 and revalidated.data == b""
    # Other filters have their own tag; a change to the data makes new tags and one new gzip.
    other = client.get("/api/events/markers?family=data", headers={"Accept-Encoding": "gzip"})
    assert other.get_etag()[0] != etag
    builds.clear()
    make_event(title="Nouvelle session")
    db.session.commit()
    changed = client.get("/api/events/markers", headers={"Accept-Encoding": "gzip", "If-None-Match": f'"{etag}"'})
    assert changed.status_code == 200 and changed.get_etag()[0] != etag
    client.get("/api/events/markers", headers={"Accept-Encoding": "gzip"})
    assert len(builds) == 1
    import json
    assert json.loads(gzip.decompress(changed.data))["count"] == 61
