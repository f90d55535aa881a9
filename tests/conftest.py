"""Shared fixtures: one real database per test run (SQLite, or PostgreSQL when TEST_DATABASE_URL
is set), emptied between tests; the app, its client and CLI runner; factories for the domain."""
from __future__ import annotations

import itertools
import os
import re
import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask.cli import FlaskGroup
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, text
from werkzeug.serving import make_server

from opengen import config, create_app
from opengen.db import Base, db, upgrade_schema
from opengen.demo import ensure_edition, sync_families
from opengen.models import (
    CareerFamily,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    School,
    Venue,
)
from opengen.versioned import forget_kept

PARIS = ZoneInfo("Europe/Paris")

# Fixtures shared by several test files, found by pytest rather than imported by each file.
pytest_plugins = ["tests.broadcast_fixtures", "tests.submit_fixtures", "tests.radicale_server", "tests.smtp_server"]


def _postgres_database(admin_url: str):
    """Create a fresh PostgreSQL database for this run; return its URL and a cleanup function."""
    name = f"opengen_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(config.database_url(admin_url),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    if os.environ.get("TEST_POSTGIS", "on") != "off":  # PostGIS when the server has it (CI installs it)
        engine = create_engine(config.database_url(url))
        with engine.begin() as conn:
            if conn.scalar(text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")):
                conn.execute(text("CREATE EXTENSION postgis"))
        engine.dispose()

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The URL of this run's database, migrated to the latest schema once."""
    admin_url = os.environ.get("TEST_DATABASE_URL")
    if admin_url:
        url, drop = _postgres_database(admin_url)
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}", (lambda: None)
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade_schema()
        db.engine.dispose()
    yield url
    drop()


TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "GEOCODER": "offline",
    "TILES_URL": "http://tiles.invalid/{z}/{x}/{y}.png",
    "SERVER_NAME": None,
    "RATELIMIT_ENABLED": False,
    # The test world is the week before Open Gen 2021 (the seed edition): sessions still to
    # come, proposals open. Tests about other moments set their own.
    "FROZEN_NOW": "2021-11-22T10:00",
    # A search's index in memory is built before it answers (tests/test_nearby.py tests the thread).
    "NEARBY_INDEX_BACKGROUND": False,
}


@pytest.fixture
def app(database_url):
    """An app on the run's database, emptied and given the career families and seed edition.

    It holds no app context: each request, command and `ctx` pushes its own, as in production.
    """
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _empty_tables()
        forget_kept()
        sync_families(db.session)
        ensure_edition()
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def ctx(app):
    """An app context for a test that reads or writes rows itself (the factories use it)."""
    with app.app_context():
        yield
        db.session.remove()


def _empty_tables() -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        # DELETE with triggers and foreign-key checks off for this transaction, then every
        # sequence back to 1: what TRUNCATE ... RESTART IDENTITY did, in a tenth of its time
        # (TRUNCATE gives each table new files: 165 ms per test, four minutes of the run). Rows
        # locked by a live server's request still finishing are waited for, never a deadlock.
        db.session.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            db.session.execute(table.delete())
        db.session.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c JOIN pg_namespace n "
                                "ON n.oid = c.relnamespace WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


class CommandRunner(FlaskCliRunner):
    """Runs a command as the `flask` executable does: through FlaskGroup, in its own app context."""

    def invoke(self, cli=None, args=None, **kwargs):
        if cli is None:
            cli = FlaskGroup(create_app=lambda: self.app, add_default_commands=False,
                             load_dotenv=False, set_debug_flag=False)
        return super().invoke(cli, args, **kwargs)


@pytest.fixture
def runner(app):
    return CommandRunner(app)


_counter = itertools.count(1)


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """Return an aware datetime in Paris time."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def make_school(ctx):
    def make(**kwargs) -> School:
        n = next(_counter)
        values = dict(name=f"École test {n}", network="Simplon", website=f"https://ecole{n}.example.org")
        values.update(kwargs)
        school = School(**values)
        db.session.add(school)
        db.session.flush()
        return school
    return make


@pytest.fixture
def make_venue(ctx, make_school):
    def make(**kwargs) -> Venue:
        values = dict(name="Campus test", address="1 rue de la République", postcode="93200",
                      city="Saint-Denis", insee_code="93066", department="Seine-Saint-Denis",
                      region="Île-de-France", lat=48.9362, lon=2.3574, geocode_source="test",
                      geocode_precision="street")
        values.update(kwargs)
        if "school" not in values and "school_id" not in values:
            values["school"] = make_school()
        venue = Venue(**values)
        db.session.add(venue)
        db.session.flush()
        return venue
    return make


@pytest.fixture
def make_event(ctx, make_school, make_venue):
    """Factory: make_event(title=..., families=["data"], start=paris(2021, 11, 29, 10), ...)."""
    def make(families=("web-development",), start=None, duration=timedelta(hours=1), **kwargs) -> Event:
        edition = ensure_edition()
        start = start or paris(2021, 11, 29, 10)
        if "school" not in kwargs:
            kwargs["school"] = kwargs["venue"].school if kwargs.get("venue") else make_school()
        if "venue" not in kwargs and kwargs.get("format") != EventFormat.online:
            kwargs["venue"] = make_venue(school=kwargs["school"])
        values = dict(title=f"Atelier test {next(_counter)}", description="Une heure pour découvrir.",
                      kind=EventKind.workshop, format=EventFormat.onsite,
                      status=EventStatus.published, start_at=start, end_at=start + duration,
                      edition=edition, audience=["no-prerequisite"])
        values.update(kwargs)
        event = Event(**values)
        event.families = [db.session.query(CareerFamily).filter_by(slug=s).one() for s in families]
        db.session.add(event)
        db.session.flush()
        return event
    return make


def csrf_token(html: str) -> str:
    """Return the CSRF token of the first form in a page (proving the form carries one)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "the form has no CSRF token"
    return match.group(1)


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_server(app, ctx):
    """The app served over real HTTP on a free loopback port, in a background thread."""
    db.session.commit()
    with LiveServer(app) as server:
        yield server
