"""The API's GET requests read outside any transaction on PostgreSQL (db.reads_only): no BEGIN and
ROLLBACK round trips, the same answers, and a session that refuses to write meanwhile."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import event

from opengen.db import db, without_transaction
from opengen.models import School

postgres_only = pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="needs PostgreSQL")


def statements_of(app, client, path: str, method: str = "GET") -> list[tuple[str, bool]]:
    """The statements a request sent on its session's connection (the first one it used; the
    geocoder's cache and a search index read on their own), each with whether that connection
    was in autocommit."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        dbapi = conn.connection.dbapi_connection
        seen.append((id(dbapi), statement, bool(getattr(dbapi, "autocommit", False))))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.open(path, method=method)
        assert response.status_code < 500
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return [(statement, autocommit) for connection, statement, autocommit in seen if connection == seen[0][0]]


@postgres_only
def test_a_search_on_postgresql_sends_no_begin_and_answers_the_same(app, client, make_event, ctx):
    make_event(title="Atelier proche")
    db.session.commit()
    db.session.close()  # the request gets a session of its own, as in production
    seen = statements_of(app, client, "/api/events?q=93200")
    assert seen, "the search read nothing"
    assert all(autocommit for _statement, autocommit in seen), seen
    assert any("events.uid" in statement for statement, _autocommit in seen), "the sessions' details"
    assert [e["title"] for e in client.get("/api/events?q=93200").get_json()["events"]] == ["Atelier proche"]


@postgres_only
def test_pages_that_write_keep_their_transaction(app, client, ctx):
    db.session.close()
    seen = statements_of(app, client, "/proposer", method="POST")  # a refused form: reads in a transaction
    assert seen and not any(autocommit for _statement, autocommit in seen), seen


@postgres_only
def test_a_read_only_request_refuses_to_write_then_the_session_writes_again(app):
    with app.test_request_context("/api/events"):
        app.preprocess_request()
        assert without_transaction()
        db.session.add(School(name="Écrite pendant une lecture"))
        with pytest.raises(RuntimeError, match="read-only request"):
            db.session.flush()
        db.session.rollback()
    with app.app_context():
        assert not without_transaction()
        db.session.add(School(name="Écrite ensuite"))
        db.session.commit()
        assert db.session.query(School).filter_by(name="Écrite ensuite").count() == 1


def test_sqlite_keeps_its_read_transaction(app, client, make_event, ctx):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    make_event(title="Atelier proche")
    db.session.commit()
    with app.test_request_context("/api/events"):
        app.preprocess_request()
        assert not without_transaction()
