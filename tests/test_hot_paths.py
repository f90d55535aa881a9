"""What a search costs the database beyond the search itself: the rate limit is counted in one
statement, and its headers still say what is left."""
from __future__ import annotations

import pytest
from sqlalchemy import event

from opengen.db import db
from opengen.limits import limiter


@pytest.fixture
def limited(app):
    app.config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="5 per minute")
    limiter.init_app(app)
    limiter.reset()
    yield app
    limiter.reset()


def test_a_limited_api_request_counts_its_limit_in_one_statement(limited, make_event):
    client = limited.test_client()
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "rate_limits" in statement:
            statements.append(statement)

    with limited.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        remaining = []
        for _ in range(6):
            response = client.get("/api/events?lat=48.9&lon=2.35")
            remaining.append((response.status_code, response.headers.get("X-RateLimit-Remaining")))
    finally:
        event.remove(engine, "before_cursor_execute", record)
    # The headers still follow the count, and the sixth request is refused.
    assert remaining == [(200, "4"), (200, "3"), (200, "2"), (200, "1"), (200, "0"), (429, "0")]
    # One upsert per request (a cleanup may add a DELETE now and then), no read-back queries.
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 0
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 6


def test_a_counter_skips_the_disk_wait_but_leaves_other_writes_durable(app, ctx, monkeypatch):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    from opengen import limits
    from opengen.limits import DatabaseStorage

    monkeypatch.setattr(limits, "CLEANUP_SHARE", 0.0)  # a cleanup's DELETE would be a third statement

    storage = DatabaseStorage()
    storage.app = app
    modes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if "rate_limits" in statement:
            modes.append(cursor.connection.execute("PRAGMA synchronous").fetchone()[0])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert [storage.incr("k", 60) for _ in range(2)] == [1, 2]
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert modes == [1, 1]  # NORMAL while the counter is written
    with db.engine.connect() as connection:  # the pooled connection is back to FULL
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2


def test_the_maps_kept_tiles_and_markers_are_outside_the_api_budget(limited, make_event):
    make_event(title="Atelier carte")
    db.session.commit()  # the limiter counts on its own connection: no write lock held here
    client = limited.test_client()
    for _ in range(8):  # more than the budget of 5: a visitor panning and zooming the map
        assert client.get("/api/events/clusters/5/16/11").status_code == 200
        assert client.get("/api/events/markers").status_code == 200
    statuses = [client.get("/api/events").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]  # the rest of the API still counts
