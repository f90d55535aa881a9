"""The data version kept by triggers, and the results kept per process (and in Redis) under it."""
from __future__ import annotations

import gzip
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, text

from opengen.db import db
from opengen.events import answers
from opengen.models import CareerFamily, Event, EventStatus
from opengen.versioned import Kept, data_version, forget_kept

REDIS_URL = "redis://127.0.0.1:6379/0"


def version() -> int:
    db.session.commit()
    return data_version()[1]


def test_every_change_to_what_visitors_see_bumps_the_version(app, make_event):
    event = make_event()
    steps = [
        ("new session", lambda: make_event()),
        ("title", lambda: setattr(event, "title", "Nouveau titre")),
        ("school renamed", lambda: setattr(event.school, "name", "École renommée")),
        ("venue moved", lambda: setattr(event.venue, "lat", 48.0)),
        ("families", lambda: event.families.pop()),
        ("family renamed", lambda: setattr(db.session.query(CareerFamily).first(), "label_fr", "Autre")),
        ("deleted", lambda: db.session.delete(event)),
    ]
    seen = [version()]
    for name, change in steps:
        change()
        seen.append(version())
        assert seen[-1] > seen[-2], name


def test_a_transaction_bumps_it_once_and_only_when_it_commits(app, make_event, database_url):
    before = version()
    for n in range(3):
        make_event(title=f"Séance {n}")
    other = create_engine(database_url)
    with other.connect() as connection:  # another process does not see the change before commit
        assert connection.execute(text("SELECT version FROM data_versions")).scalar() == before
    db.session.commit()
    with other.connect() as connection:
        after = connection.execute(text("SELECT version FROM data_versions")).scalar()
    other.dispose()
    assert after > before
    if db.engine.dialect.name == "postgresql":
        assert after == before + 1  # deferred to the commit, once per transaction


def test_writes_elsewhere_leave_it_alone(app, make_event):
    make_event()
    before = version()
    db.session.execute(text("INSERT INTO geocode_cache (key, created_at) VALUES ('x', '2021-11-29')"))
    assert version() == before


def test_a_change_to_an_edition_moves_the_version(app, make_event):
    """Which edition is current is public data: results kept for the old one must go."""
    make_event()
    before = version()
    db.session.execute(text("UPDATE editions SET name = 'Open Gen 2021 bis'"))
    assert version() != before


def test_kept_results_stay_within_their_budget():
    kept = Kept(100)
    for n in range(10):
        kept.put(n, b"x" * 20)
    assert len(kept) == 5 and kept.get(0) is None and kept.get(9) == b"x" * 20
    kept.put("heavy", b"x" * 26)  # more than a quarter of the budget: not kept
    assert kept.get("heavy") is None


def api_titles(client, path="/api/events?q=93200") -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    return [e["title"] + "/" + e["school"] for e in response.get_json()["events"]]


def test_search_answers_are_kept_and_never_stale(app, client, make_event, monkeypatch):
    event = make_event(title="Avant")
    db.session.commit()
    assert api_titles(client) == [f"Avant/{event.school.name}"]
    builds = []
    real = answers._build
    monkeypatch.setattr(answers, "_build", lambda *a: builds.append(a) or real(*a))
    assert api_titles(client) == [f"Avant/{event.school.name}"]
    assert builds == []  # the same search again: sent as kept
    event.title = "Après"
    db.session.commit()
    assert api_titles(client) == [f"Après/{event.school.name}"]
    event.school.name = "École renommée"  # the session itself is untouched
    db.session.commit()
    assert api_titles(client) == ["Après/École renommée"]
    event.status = EventStatus.cancelled
    db.session.commit()
    assert client.get("/api/events?q=93200").get_json()["events"][0]["status"] == "cancelled"
    event.venue.lat, event.venue.lon = 43.6, 1.44  # moved to Toulouse: out of the circle
    db.session.commit()
    assert api_titles(client) == []
    assert len(builds) == 4


def test_errors_are_never_kept(app, client, make_event):
    make_event()
    db.session.commit()
    assert client.get("/api/events?q=Nullepartville-sur-Rien").status_code == 404
    assert client.get("/api/events?radius_km=9999&lat=48&lon=2").status_code == 400
    assert client.get("/api/events?q=93200").status_code == 200


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_search_answers_carry_an_etag_and_answer_304(app, client, make_event, encoding):
    for n in range(15):  # large enough to be compressed
        make_event(title=f"Séance numéro {n} avec un titre assez long pour compter")
    db.session.commit()
    headers = {"Accept-Encoding": encoding}
    first = client.get("/api/events?q=93200", headers=headers)
    etag = first.headers["ETag"]
    assert (first.headers.get("Content-Encoding") == "gzip") == (encoding == "gzip")
    again = client.get("/api/events?q=93200", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    db.session.query(Event).first().title = "Changé"
    db.session.commit()
    changed = client.get("/api/events?q=93200", headers={**headers, "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    body = gzip.decompress(changed.data) if encoding == "gzip" else changed.data
    assert b"Chang" in body


def test_a_gzipped_body_is_compressed_once(app, client, make_event, monkeypatch):
    for n in range(15):
        make_event(title=f"Séance numéro {n} avec un titre assez long pour compter")
    db.session.commit()
    import opengen.compression as compression

    calls = []
    real = compression.gzip.compress
    monkeypatch.setattr(compression.gzip, "compress", lambda *a, **k: calls.append(1) or real(*a, **k))
    bodies = {client.get("/api/events?q=93200", headers={"Accept-Encoding": "gzip"}).data for _ in range(3)}
    assert len(bodies) == 1 and len(calls) == 1
    plain = client.get("/api/events?q=93200").data
    assert gzip.decompress(bodies.pop()) == plain


@pytest.mark.parametrize(("accept", "zipped"), [
    ("gzip", True), ("gzip, deflate, br", True), ("deflate, gzip;q=0.5", True), ("*", True),
    ("x-gzip", True), ("gzip;q=0", False), ("gzip;q=0, deflate", False), ("*;q=0", False),
    ("gzip;q=0.0, *", False), ("identity", False), ("deflate, br", False), ("", False),
])
def test_gzip_follows_the_q_values_of_accept_encoding(app, client, make_event, accept, zipped):
    for n in range(15):  # large enough to be compressed
        make_event(title=f"Séance numéro {n} avec un titre assez long pour compter")
    db.session.commit()
    plain = client.get("/api/events?q=93200").data
    answer = client.get("/api/events?q=93200", headers={"Accept-Encoding": accept})
    assert (answer.headers.get("Content-Encoding") == "gzip") == zipped, accept
    assert (gzip.decompress(answer.data) if zipped else answer.data) == plain


@pytest.fixture
def redis_app(app):
    import redis

    prefix = f"test:kept:{uuid.uuid4().hex}:"
    app.config.update(REDIS_URL=REDIS_URL, REDIS_KEPT_PREFIX=prefix)
    yield app
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_answers_are_shared_between_processes_through_redis(redis_app, make_event, monkeypatch):
    client = redis_app.test_client()
    event = make_event(title="Partagée")
    db.session.commit()
    first = client.get("/api/events?q=93200").data
    forget_kept()  # another process: nothing kept locally
    monkeypatch.setattr(answers, "_build", lambda *a: pytest.fail("built again"))
    assert client.get("/api/events?q=93200").data == first
    monkeypatch.undo()
    event.title = "Modifiée"
    db.session.commit()
    forget_kept()
    assert b"Modifi" in client.get("/api/events?q=93200").data


def test_search_works_while_redis_is_down(app, make_event):
    app.config.update(REDIS_URL="redis://127.0.0.1:1/0", REDIS_KEPT_PREFIX=f"down:{uuid.uuid4().hex}:")
    make_event(title="Sans Redis")
    db.session.commit()
    client = app.test_client()
    for _ in range(2):
        response = client.get("/api/events?q=93200")
        assert response.status_code == 200 and b"Sans Redis" in response.data
        forget_kept()


def test_the_online_sessions_shown_apart_follow_changes_wherever_the_search_is(app, client, make_event):
    from opengen.models import EventFormat

    make_event(title="Sur place")
    make_event(title="En ligne 1", format=EventFormat.online, online_url="https://visio.example.org/1")
    db.session.commit()

    def online(place):
        body = client.get(f"/api/events?q={place}").get_json()
        return body["online"]["count"], [e["title"] for e in body["online"]["events"]]

    assert online("93200") == online("Lyon") == (1, ["En ligne 1"])
    make_event(title="En ligne 2", format=EventFormat.online, online_url="https://visio.example.org/2",
               start=datetime(2021, 11, 29, 8, tzinfo=timezone.utc))
    db.session.commit()
    assert online("Lyon") == online("93200") == (2, ["En ligne 2", "En ligne 1"])
