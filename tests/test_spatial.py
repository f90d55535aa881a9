"""The spatial index: it finds exactly what a brute-force haversine finds, on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from flask import current_app
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
MEMORY = "memory"


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


def available(how: str) -> bool:
    """Tell whether this run's database can take the given path."""
    if how == "rtree":
        return db.engine.dialect.name == "sqlite" and spatial._detect(db.engine) == "rtree"
    if how == "postgis":
        return db.engine.dialect.name == "postgresql" and spatial.has_geography_index(db.engine)
    return True


# The SQL paths, and the circle ranked in memory (events/nearby.py) over what SQL selected.
PATHS = (*spatial.STRATEGIES, MEMORY)


def take(how: str) -> None:
    """Rank the next searches one way: in memory, or in SQL by the strategy named."""
    current_app.config["NEARBY_INDEX"] = how == MEMORY
    if how != MEMORY:
        spatial._strategy[db.engine] = how


def leave() -> None:
    current_app.config["NEARBY_INDEX"] = True
    spatial.forget(db.engine)


@pytest.fixture(params=PATHS)
def strategy(request, app):
    """Force one path: the R*Tree (SQLite), PostGIS (PostgreSQL with the extension), the
    bounding box (both), or the index in memory; a path this database lacks is skipped."""
    with app.app_context():
        if not available(request.param):
            pytest.skip(f"no {request.param} on {db.engine.dialect.name} here")
    take(request.param)
    yield request.param
    leave()


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
    assert spatial.strategy(db.engine) == "rtree"

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


def test_postgresql_takes_postgis_when_the_extension_is_installed(ctx, app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    installed = db.session.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"))
    assert spatial.strategy(db.engine) == ("postgis" if installed else "bbox")


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
        assert spatial.strategy(db.engine) == "bbox"
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
        assert spatial.strategy(db.engine) == "bbox"  # an empty database, remembered as such
        upgrade_schema()
        assert spatial.strategy(db.engine) == "rtree"  # the upgrade created it, and the answer was forgotten
        db.session.remove()
        db.engine.dispose()


def _ranking(how: str, lat: float, lon: float, radius_km: float, limit: int | None = None, offset: int = 0):
    take(how)
    try:
        filters = EventFilters(lat=lat, lon=lon, radius_km=radius_km)
        return queries.nearest(filters, queries.locate(filters), limit, offset)
    finally:
        leave()


def paths_here() -> list[str]:
    paths = [how for how in PATHS if available(how)]
    # SQLite: R*Tree and box; PostgreSQL: box, and PostGIS where the server has it; memory on both.
    assert {"bbox", MEMORY} <= set(paths) and len(paths) >= (3 if db.engine.dialect.name == "sqlite" else 2)
    return paths


def assert_same_on_every_path(lat: float, lon: float, radius_km: float, limit: int | None = None,
                              offset: int = 0) -> list[tuple[int, float]]:
    answers = {how: _ranking(how, lat, lon, radius_km, limit, offset) for how in paths_here()}
    reference_ranked, reference_total = answers["bbox"]
    for how, (ranked, total) in answers.items():
        assert total == reference_total, (how, lat, lon, radius_km)
        assert [i for i, _km in ranked] == [i for i, _km in reference_ranked], (how, lat, lon, radius_km)
        assert all(abs(km - ref_km) < 0.001 for (_i, km), (_j, ref_km) in zip(ranked, reference_ranked))
    return reference_ranked


def test_every_path_ranks_the_same_sessions_in_the_same_order(ctx, scattered):
    venues = sorted({(lat, lon) for _i, lat, lon in scattered})
    rng = random.Random(17)
    centres = [(48.8566, 2.3522), (45.764, 4.8357), (43.2965, 5.3698)] + rng.sample(venues, 12) + \
        [(rng.uniform(41.0, 51.5), rng.uniform(-5.5, 10.0)) for _ in range(12)]
    found = 0
    for lat, lon in centres:
        for radius_km in (1.0, 25.0, 200.0):
            found += len(assert_same_on_every_path(lat, lon, radius_km))
    assert_same_on_every_path(48.8566, 2.3522, 200.0, limit=20, offset=40)
    assert found > 1000  # the comparison saw real rankings, not empty ones


def test_postgis_distances_agree_with_the_haversine_within_a_metre(ctx, scattered):
    if not available("postgis"):
        pytest.skip("PostGIS is not installed on this database")
    ranked = _ranking("postgis", 48.8566, 2.3522, 200.0)
    sphere_km = dict(db.session.execute(text(
        "SELECT e.id, ST_Distance(geography(ST_MakePoint(v.lon, v.lat)), "
        "geography(ST_MakePoint(2.3522, 48.8566)), false) / 1000 "
        "FROM events e JOIN venues v ON v.id = e.venue_id")).all())
    assert len(ranked[0]) > 50
    assert all(abs(sphere_km[i] - km) < 0.001 for i, km in ranked[0])


def test_postgis_picks_the_venues_through_its_gist_index(ctx, scattered):
    if not available("postgis"):
        pytest.skip("PostGIS is not installed on this database")
    spatial._strategy[db.engine] = "postgis"
    try:
        filters = EventFilters(lat=48.8566, lon=2.3522, radius_km=25)
        stmt = queries.filtered(filters, with_online=False)
        sql = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
        db.session.execute(text("SET LOCAL enable_seqscan = off"))  # 400 rows: a scan would win
        plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {sql}")))
    finally:
        spatial.forget(db.engine)
    assert spatial.GEOGRAPHY_INDEX in plan, plan


# Points where longitudes wrap and meridians meet: every path must still agree with a brute force.
EDGES = [(90.0, 0.0), (89.95, 179.9), (-90.0, 180.0), (-89.9, -179.95), (0.0, 180.0), (0.0, -180.0),
         (0.5, 179.8), (-0.5, -179.8), (48.8566, 2.3522)]


@pytest.fixture
def at_the_edges(ctx, make_event, make_venue, make_school):
    school = make_school()
    points = []
    for n, (lat, lon) in enumerate(EDGES):
        venue = make_venue(school=school, lat=lat, lon=lon, name=f"Bord {n}")
        event = make_event(venue=venue, title=f"Bord {n}", start=paris(2021, 11, 29, 9 + n % 8))
        points.append((event.id, lat, lon))
    db.session.commit()
    return points


@pytest.mark.parametrize("lat, lon", [(90.0, 180.0), (-90.0, -180.0), (0.0, 180.0), (0.0, -180.0),
                                      (89.99, -90.0), (-0.2, 179.99), (48.8566, 2.3522)])
@pytest.mark.parametrize("radius_km", [1.0, 60.0, 200.0])
def test_poles_and_the_antimeridian_on_every_path(at_the_edges, lat, lon, radius_km):
    ranked = assert_same_on_every_path(lat, lon, radius_km)
    for how in paths_here():
        take(how)
        try:
            assert_same_as_brute_force(at_the_edges, lat, lon, radius_km)
        finally:
            leave()
    if (lat, lon) != (48.8566, 2.3522) and radius_km >= 60.0:
        assert ranked  # each of these centres has an edge venue within 60 km


@pytest.mark.parametrize("query", ["lat=90&lon=180&radius_km=200", "lat=-90&lon=-180&radius_km=1",
                                   "lat=0&lon=180&radius_km=200", "lat=-0.0&lon=-180&radius_km=200",
                                   "lat=1e-300&lon=-1e-300", "lat=90.0000001&lon=0", "lat=nan&lon=0"])
def test_edge_coordinates_over_http_on_every_path(app, at_the_edges, strategy, query):
    response = app.test_client().get(f"/api/events?{query}")
    body = response.get_json()
    if "90.0000001" in query or "nan" in query:
        assert response.status_code == 400 and "lat" in str(body)
    else:
        assert response.status_code == 200
        assert all(e["title"].startswith("Bord") for e in body["events"])
