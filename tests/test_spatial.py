"""The spatial index: it finds exactly what a brute-force haversine finds, on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from opengen import create_app
from opengen.db import Base, db, include_name, upgrade_schema
from opengen.demo import ensure_edition, sync_families
from opengen.events import queries
from opengen.events.filters import EventFilters
from opengen.events.markers import marker_rows
from opengen.models import Event, EventFormat, EventKind, EventStatus, School, Venue
from opengen.places import spatial
from opengen.places.distance import haversine_km

from .conftest import TEST_CONFIG, paris

# Distances this close to the radius may fall either way (float rounding in SQL and in Python).
BOUNDARY_KM = 1e-6


def _scatter(count: int, seed: int) -> list[tuple[float, float]]:
    """Points over metropolitan France, thicker around a few cities, some shared by several venues."""
    rng = random.Random(seed)
    cities = [(48.8566, 2.3522), (45.764, 4.8357), (43.2965, 5.3698), (50.6292, 3.0573)]
    points = []
    for n in range(count):
        if n % 3 == 0:
            lat, lon = rng.choice(cities)
            points.append((lat + rng.gauss(0, 0.15), lon + rng.gauss(0, 0.2)))
        elif n % 7 == 0 and points:
            points.append(rng.choice(points))
        else:
            points.append((rng.uniform(41.3, 51.1), rng.uniform(-5.2, 9.6)))
    return points


@pytest.fixture
def scattered(app):
    """About 400 sessions at 300 venues, plus online, pending and unlocated ones that must never show."""
    edition = ensure_edition()
    school = School(name="École dispersée", network="Simplon")
    db.session.add(school)
    start = paris(2021, 11, 29, 9)
    rng = random.Random(3)
    for n, (lat, lon) in enumerate(_scatter(300, seed=11)):
        venue = Venue(name=f"Lieu {n}", school=school, city="Ville", postcode="00000", lat=lat, lon=lon)
        for k in range(1 + (n % 3 == 0)):
            status = EventStatus.pending if rng.random() < 0.05 else EventStatus.published
            db.session.add(Event(title=f"S{n}-{k}", kind=EventKind.workshop, format=EventFormat.onsite,
                                 status=status, school=school, venue=venue, edition=edition,
                                 start_at=start + timedelta(hours=n % 40), end_at=start + timedelta(hours=41)))
    nowhere = Venue(name="Sans coordonnées", school=school, city="Ville", lat=None, lon=None)
    db.session.add(Event(title="Sans lieu", kind=EventKind.workshop, status=EventStatus.published,
                         school=school, venue=nowhere, edition=edition, start_at=start, end_at=start))
    db.session.add(Event(title="En ligne", kind=EventKind.workshop, format=EventFormat.online,
                         status=EventStatus.published, school=school, edition=edition,
                         start_at=start, end_at=start))
    db.session.commit()
    rows = db.session.execute(
        text("SELECT e.id, v.lat, v.lon FROM events e JOIN venues v ON v.id = e.venue_id "
             "WHERE e.status = 'published' AND e.format != 'online' AND v.lat IS NOT NULL")).all()
    return [(row[0], row[1], row[2]) for row in rows]


def strategies_here() -> list[str]:
    return ["rtree", "bbox"]


@pytest.fixture(params=strategies_here())
def strategy(request, app):
    """Force the R*Tree or the bounding-box path (PostgreSQL has only the latter)."""
    if request.param == "rtree" and db.engine.dialect.name != "sqlite":
        pytest.skip("the R*Tree exists on SQLite only")
    spatial._has_rtree[db.engine] = request.param == "rtree"
    yield request.param
    spatial.forget(db.engine)


def brute_force(points, lat: float, lon: float, radius_km: float) -> dict[int, float]:
    """Every session within the radius, by a haversine over all of them."""
    found = {}
    for event_id, vlat, vlon in points:
        km = haversine_km(lat, lon, vlat, vlon)
        if km <= radius_km:
            found[event_id] = km
    return found


def assert_same_as_brute_force(points, lat: float, lon: float, radius_km: float) -> None:
    filters = EventFilters(lat=lat, lon=lon, radius_km=radius_km)
    area = queries.locate(filters)
    ranked, total = queries.nearest(filters, area)
    got = dict(ranked)
    expected = brute_force(points, lat, lon, radius_km)
    differ = set(got) ^ set(expected)
    on_edge = {i for i, vlat, vlon in points if abs(haversine_km(lat, lon, vlat, vlon) - radius_km) < BOUNDARY_KM}
    assert differ <= on_edge, (lat, lon, radius_km, sorted(differ))
    assert total == len(ranked)
    distances = [km for _i, km in ranked]
    assert distances == sorted(distances)
    for event_id, km in ranked:
        assert km == pytest.approx(haversine_km(lat, lon, *next(p[1:] for p in points if p[0] == event_id)))
    markers = {row[0] for row in marker_rows(filters)}
    assert markers ^ set(expected) <= on_edge


def test_nearby_sessions_equal_a_brute_force_haversine(ctx, scattered, strategy):
    venues = sorted({(lat, lon) for _i, lat, lon in scattered})

    @settings(max_examples=60, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(point=st.one_of(
               st.tuples(st.floats(41.0, 51.5), st.floats(-5.5, 10.0)),
               st.sampled_from(venues)),  # centred on a venue: distance 0 must be found
           radius_km=st.one_of(st.floats(1.0, 200.0), st.sampled_from([1.0, 25.0, 200.0])))
    def check(point, radius_km):
        assert_same_as_brute_force(scattered, point[0], point[1], radius_km)

    check()


def test_paging_splits_the_same_ranking(ctx, scattered, strategy):
    filters = EventFilters(lat=48.8566, lon=2.3522, radius_km=60)
    area = queries.locate(filters)
    everything, total = queries.nearest(filters, area)
    assert total > 30
    pages = [queries.nearest(filters, area, 10, offset) for offset in range(0, total + 10, 10)]
    assert [row for page, _ in pages for row in page] == everything
    assert {count for _, count in pages} == {total}


def test_venue_index_follows_inserts_moves_and_deletes(app, make_venue):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the R*Tree exists on SQLite only")
    assert spatial.has_rtree(db.engine)

    def indexed(venue_id):
        return db.session.execute(text("SELECT min_lat, max_lat, min_lon, max_lon FROM venue_rtree "
                                       "WHERE id = :id"), {"id": venue_id}).first()

    venue = make_venue(lat=45.0, lon=5.0)
    box = indexed(venue.id)
    assert box[0] <= 45.0 <= box[1] and box[2] <= 5.0 <= box[3]
    venue.lat, venue.lon = 43.6, 1.44
    db.session.flush()
    assert indexed(venue.id)[0] == pytest.approx(43.6)
    venue.lat = None
    db.session.flush()
    assert indexed(venue.id) is None
    venue.lat = 44.0
    db.session.flush()
    assert indexed(venue.id)[0] == pytest.approx(44.0)
    db.session.delete(venue)
    db.session.flush()
    assert indexed(venue.id) is None


def test_postgresql_uses_the_indexed_columns(ctx, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert not spatial.has_rtree(db.engine)


def test_search_works_on_a_database_without_the_rtree(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'bare.db'}"})
    with app.app_context():
        Base.metadata.create_all(db.engine)  # the models' tables only: no R*Tree, no triggers
        sync_families(db.session)
        edition = ensure_edition()
        school = School(name="École")
        venue = Venue(name="Lieu", school=school, city="Saint-Denis", lat=48.9362, lon=2.3574)
        db.session.add(Event(title="Près", kind=EventKind.workshop, status=EventStatus.published,
                             school=school, venue=venue, edition=edition,
                             start_at=paris(2021, 11, 29, 10), end_at=paris(2021, 11, 29, 11)))
        db.session.commit()
        assert not spatial.has_rtree(db.engine)
        body = app.test_client().get("/api/events?q=93200").get_json()
        assert [e["title"] for e in body["events"]] == ["Près"]
        db.session.remove()
        db.engine.dispose()


def test_migrations_leave_the_rtree_alone_and_an_upgrade_finds_it(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'new.db'}"})
    for table in spatial.RTREE_TABLES:
        assert not include_name(table, "table", {})
    assert include_name("venues", "table", {}) and include_name(spatial.RTREE, "column", {})
    with app.app_context():
        assert not spatial.has_rtree(db.engine)  # an empty database, remembered as such
        upgrade_schema()
        assert spatial.has_rtree(db.engine)  # the upgrade created it, and the answer was forgotten
        db.session.remove()
        db.engine.dispose()
