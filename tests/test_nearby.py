"""A circle's sessions ranked in memory (opengen/events/nearby.py) give exactly SQL's pages and
counts, with every filter, and are never stale: on SQLite and PostgreSQL."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import event

from opengen.db import db
from opengen.events import nearby, queries
from opengen.events.filters import EventFilters
from opengen.models import EventFormat, EventKind, EventStatus

from .conftest import paris

CENTRE = (48.8566, 2.3522)


@pytest.fixture
def programme(ctx, make_event, make_venue, make_school):
    """About 120 sessions around Paris: several families, kinds, days, formats and schools, venues
    sharing one address (their sessions interleave by start), a venue with no coordinates."""
    rng = random.Random(5)
    schools = [make_school() for _ in range(3)]
    venues = []
    for n in range(40):
        lat, lon = CENTRE[0] + rng.gauss(0, 0.2), CENTRE[1] + rng.gauss(0, 0.3)
        if n % 8 == 7:  # the very place of the previous venue: equally far from everywhere
            lat, lon = venues[-1].lat, venues[-1].lon
        venues.append(make_venue(school=schools[n % 3], lat=lat, lon=lon, name=f"Lieu {n}"))
    venues.append(make_venue(school=schools[0], lat=None, lon=None, name="Sans coordonnées"))
    families = ["web-development", "data", "cybersecurity"]
    kinds = [EventKind.workshop, EventKind.career_talk, EventKind.testimony]
    for n in range(120):
        venue = venues[rng.randrange(len(venues))]
        make_event(venue=venue, school=venue.school, families=(families[n % 3],), kind=kinds[n % 5 % 3],
                   format=EventFormat.both if n % 4 == 0 else EventFormat.onsite,
                   status=EventStatus.cancelled if n % 17 == 0 else EventStatus.published,
                   start=paris(2021, 11, 29, 9 + n % 3) + timedelta(days=n % 4))  # several sessions at the same hour
    make_event(format=EventFormat.online, venue=None)
    make_event(status=EventStatus.pending)
    db.session.commit()
    return schools


FILTERS = [{}, {"family": "data"}, {"kind": EventKind.career_talk}, {"day": date(2021, 11, 30)},
           {"format": "online"}, {"format": "onsite"}, {"territory": "metropole"},
           {"bbox": (2.0, 48.6, 2.6, 49.1)}, {"family": "web-development", "kind": EventKind.workshop}]


def ranked(filters: EventFilters, memory: bool, limit: int | None = None, offset: int = 0):
    current_app.config["NEARBY_INDEX"] = memory
    try:
        return queries.nearest(filters, queries.locate(filters), limit, offset)
    finally:
        current_app.config["NEARBY_INDEX"] = True


def test_memory_and_sql_rank_the_same_pages_for_every_filter(programme):
    schools = programme
    cases = FILTERS + [{"school": schools[1].id}]
    for values in cases:
        for lat, lon, radius_km in [(*CENTRE, 25.0), (48.95, 2.5, 10.0), (*CENTRE, 200.0), (44.0, 0.0, 25.0)]:
            filters = EventFilters(lat=lat, lon=lon, radius_km=radius_km, **values)
            for _ in range(2):  # filters other than the edition get an index at their second search
                expected = ranked(filters, memory=False)
                assert ranked(filters, memory=True) == expected, values
            for limit, offset in [(20, 0), (7, 14), (10, 200)]:
                assert ranked(filters, True, limit, offset) == ranked(filters, False, limit, offset), values
    assert len(nearby._INDEXES) >= len(cases)  # each filter set was ranked in memory


def test_an_index_is_built_at_once_for_plain_searches_and_at_the_second_for_filtered_ones(programme):
    built = []
    original = nearby.NearbyIndex.__init__

    def counting(self, rows):
        original(self, rows)
        built.append(self.read)

    nearby.NearbyIndex.__init__ = counting
    try:
        plain = EventFilters(lat=CENTRE[0], lon=CENTRE[1])
        ranked(plain, True)
        ranked(EventFilters(lat=45.0, lon=1.0), True)  # another place: the same index
        assert len(built) == 1
        family = EventFilters(lat=CENTRE[0], lon=CENTRE[1], family="data")
        ranked(family, True)
        assert len(built) == 1  # a first search with a family: SQL
        ranked(family, True)
        assert len(built) == 2 and built[1] < built[0]
    finally:
        nearby.NearbyIndex.__init__ = original


def test_a_change_to_the_data_is_seen_by_the_next_search(programme, make_event, make_venue):
    filters = EventFilters(lat=CENTRE[0], lon=CENTRE[1], radius_km=5)
    before, total = ranked(filters, True)
    venue = make_venue(lat=CENTRE[0], lon=CENTRE[1], name="Au centre")
    new = make_event(venue=venue, start=paris(2021, 11, 29, 8))
    db.session.commit()
    after, total_after = ranked(filters, True)
    assert total_after == total + 1 and after[0][0] == new.id and after[0][1] == pytest.approx(0.0)
    new.status = EventStatus.pending  # withdrawn from the public: gone at once
    db.session.commit()
    assert ranked(filters, True) == (before, total)
    venue.lat, venue.lon = 43.3, 5.4  # a venue that moves takes its sessions along
    new.status = EventStatus.published
    db.session.commit()
    assert ranked(filters, True) == (before, total)
    assert ranked(filters, True) == ranked(filters, False)


def test_too_many_sessions_are_ranked_in_sql(programme, monkeypatch):
    monkeypatch.setattr(nearby, "MAX_SESSIONS", 10)
    filters = EventFilters(lat=CENTRE[0], lon=CENTRE[1], radius_km=200)
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        first = ranked(filters, True)
        second = ranked(filters, True)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert first == second == ranked(filters, False)
    assert len(nearby._INDEXES) == 0
    # The index was tried once (a LIMIT past the cap), then SQL only until the data changes.
    assert sum("LIMIT" in s and "ORDER BY events.start_at" in s for s in statements) == 1


def test_a_search_ranked_in_memory_sends_no_ranking_query(programme):
    filters = EventFilters(lat=CENTRE[0], lon=CENTRE[1])
    ranked(filters, True)  # builds the index
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        page, total = ranked(EventFilters(lat=48.9, lon=2.4), True, 20)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert total > 20 and len(page) == 20
    assert not any("near_venues" in s or "venue_rtree" in s for s in statements)


def test_the_api_answers_the_same_whichever_path_ranks(programme, client, app):
    paths = ["/api/events?lat=48.8566&lon=2.3522", "/api/events?lat=48.9&lon=2.4&radius_km=10&family=data",
             "/api/events?lat=48.9&lon=2.4&radius_km=10&family=data", "/api/events?q=75011&limit=5&offset=5"]
    answers = {}
    for memory in (False, True):
        app.config["NEARBY_INDEX"] = memory
        from opengen.versioned import forget_kept
        forget_kept()  # the answers themselves are kept: build them again on this path
        answers[memory] = [client.get(path).get_json() for path in paths]
    app.config["NEARBY_INDEX"] = True
    assert answers[True] == answers[False]
    assert answers[True][0]["count"] > 20


def test_an_index_is_built_apart_while_sql_ranks_and_a_stale_one_is_never_used(programme, app, make_event,
                                                                                make_venue):
    app.config["NEARBY_INDEX_BACKGROUND"] = True
    try:
        filters = EventFilters(lat=CENTRE[0], lon=CENTRE[1], radius_km=5)
        expected = ranked(filters, False)
        assert ranked(filters, True) == expected  # no index yet: SQL ranks, a thread builds it
        nearby.wait()
        assert len(nearby._INDEXES) == 1
        assert ranked(filters, True) == expected  # now from the index
        new = make_event(venue=make_venue(lat=CENTRE[0], lon=CENTRE[1]), start=paris(2021, 11, 29, 8))
        db.session.commit()
        page, total = ranked(filters, True)  # the data changed: SQL again, never the old index
        assert page[0][0] == new.id and total == expected[1] + 1
        nearby.wait()
        assert len(nearby._INDEXES) == 1  # the new version's: the old one is dropped
        assert ranked(filters, True) == (page, total) == ranked(filters, False)
    finally:
        app.config["NEARBY_INDEX_BACKGROUND"] = False


def test_a_failed_build_leaves_the_searches_to_sql(programme, app, monkeypatch):
    app.config["NEARBY_INDEX_BACKGROUND"] = True

    def broken(self, rows):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(nearby.NearbyIndex, "__init__", broken)
    try:
        filters = EventFilters(lat=CENTRE[0], lon=CENTRE[1])
        expected = ranked(filters, False)
        assert ranked(filters, True) == expected
        nearby.wait()
        assert ranked(filters, True) == expected and len(nearby._INDEXES) == 0
    finally:
        app.config["NEARBY_INDEX_BACKGROUND"] = False
