"""Database engine and session (Flask-SQLAlchemy), migrations and the database CLI."""
from __future__ import annotations

import select
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import click
from flask import Blueprint, Flask, current_app, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event, exc, inspect, make_url
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Aware datetimes stored as naive UTC, so SQLite and PostgreSQL behave alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


NameFilter = Callable[[str | None, str, dict], bool]
# What other modules add to migrations, through add_migration_hooks (db knows none of them):
# filters of the names Alembic compares, and what to do once the schema is upgraded.
NAME_FILTERS: list[NameFilter] = []
AFTER_UPGRADE: list[Callable[[Engine], None]] = []


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic hook: compare only what every registered name filter lets through."""
    return all(keep(name, type_, parent_names) for keep in NAME_FILTERS)


def add_migration_hooks(include: NameFilter | None = None,
                        after_upgrade: Callable[[Engine], None] | None = None) -> None:
    """Register a name filter for Alembic's comparisons and a call after each upgrade (once each)."""
    for hooks, hook in ((NAME_FILTERS, include), (AFTER_UPGRADE, after_upgrade)):
        if hook is not None and hook not in hooks:
            hooks.append(hook)


db = SQLAlchemy(model_class=Base)

# Drivers whose pooled connections are checked without a round trip (_check_out); any other
# gets SQLAlchemy's pool_pre_ping, a SELECT 1 before each use.
_CHECKED_WITHOUT_PING = ("psycopg", "pysqlite")


def _engine_options(url: str) -> dict:
    return {"pool_pre_ping": make_url(url).get_driver_name() not in _CHECKED_WITHOUT_PING}


@event.listens_for(Pool, "checkout")
def _check_out(dbapi_connection, connection_record, connection_proxy) -> None:
    """Replace a pooled PostgreSQL connection the server has closed (a restart,
    pg_terminate_backend, an idle timeout) before the request that draws it uses it.

    The server says so on the socket as it closes it (an error message, then the end of the
    stream), and an idle connection is sent nothing else (the app LISTENs on none of them): a
    socket with something to read is a closed connection. Asking the socket costs a system
    call, where pool_pre_ping's SELECT 1 cost a round trip, a fifth of a search's. Raising
    DisconnectionError makes the pool open a new connection in its place.
    """
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    import psycopg  # loaded already: this is one of its connections

    try:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise exc.DisconnectionError("connection closed")
        poller = select.poll()
        poller.register(dbapi_connection.pgconn.socket, select.POLLIN | select.POLLPRI)
        waiting = poller.poll(0)
    except (OSError, ValueError, psycopg.Error) as error:
        raise exc.DisconnectionError(f"connection unusable: {error}") from error
    if waiting:
        raise exc.DisconnectionError("the server closed the connection")


# Flask-Migrate imports Alembic (11 MB, a tenth of a second): only commands and tests that migrate
# need it, so the app holds a stand-in that sets Flask-Migrate up the first time it is read.
class _Migrations:
    """app.extensions["migrate"] until migrations are used; then Flask-Migrate's own record."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._record = None

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._record is None:
            from flask_migrate import Migrate

            # Replaces this stand-in in app.extensions and registers the real `flask db` group.
            Migrate(self._app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True,
                    include_name=include_name)
            self._record = self._app.extensions["migrate"]
        return getattr(self._record, name)


class _MigrationsGroup(click.Group):
    """`flask db ...`: Flask-Migrate's group (its options, callback and commands), loaded when used."""

    def _real(self) -> click.Group:
        current_app.extensions["migrate"].migrate  # noqa: B018 - sets Flask-Migrate up
        from flask_migrate.cli import db as group

        self.params, self.callback = group.params, group.callback
        return group

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        self._real()
        return super().get_params(ctx)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._real().get_command(ctx, name)


def is_empty() -> bool:
    """Tell whether the database has no schema yet."""
    return not inspect(db.engine).has_table("events")


def upgrade_schema() -> None:
    """Bring the schema to the latest migration."""
    from flask_migrate import upgrade

    upgrade(directory=MIGRATIONS_DIR)
    for hook in AFTER_UPGRADE:
        hook(db.engine)


@click.command("init-db")
def init_db_command() -> None:
    """Create or upgrade the schema to the latest migration."""
    upgrade_schema()
    click.echo(current_app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1] + ": schéma à jour.")


WRITE_LOCK = "opengen_sqlite_write_lock"


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    # Several gunicorn workers on one SQLite file: readers must not block the writer (WAL) and a
    # writer must wait for the lock rather than fail at once (busy timeout). The driver's own
    # transaction handling is turned off so that _sqlite_begin decides how transactions start.
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    immediate = connection.get_execution_options().get(WRITE_LOCK, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def begin_write() -> None:
    """End the request's reads and start a transaction that writes (call before a write verb).

    On SQLite the new transaction takes the write lock at once: a read transaction that later
    writes fails at once with SQLITE_BUSY when another process wrote in between, whereas
    waiting for the lock up front uses the busy timeout. Elsewhere it only commits the reads.
    """
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={WRITE_LOCK: True})


READS_ONLY = "opengen_reads_only"  # in Session.info: this request's session must not write


def reads_only(bp: Blueprint) -> None:
    """Run the GET and HEAD requests of a blueprint outside any transaction on PostgreSQL.

    They only read, and at PostgreSQL's READ COMMITTED each statement takes its own snapshot
    inside a transaction too: the answers are the same. What goes is the cost: BEGIN and
    ROLLBACK, two of a search's five round trips, and the ROLLBACK's side effect in psycopg, which
    forgets the statements it prepared, so that without it the server plans each query once per
    connection instead of once per request. A read that streams (a server-side cursor) needs a
    transaction: it takes a connection of its own (events/nearby.py). SQLite keeps its read
    transaction (one snapshot per request under WAL; BEGIN costs nothing in process).
    Such a request's session refuses to write: it would commit statement by statement.
    """
    @bp.before_request
    def _without_transaction() -> None:
        # A session already in a transaction (a test's app context the request shares) keeps it.
        if (request.method in ("GET", "HEAD") and db.engine.dialect.name == "postgresql"
                and not db.session().in_transaction()):
            db.session.info[READS_ONLY] = True
            db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})

    @bp.teardown_request
    def _end(_error: BaseException | None) -> None:
        # Gives the connection back (no round trip: nothing to roll back) for whatever uses
        # this session after the request: a test's own app context.
        if db.session.info.pop(READS_ONLY, False):
            db.session.rollback()


def without_transaction() -> bool:
    """Whether this request's session runs its statements outside any transaction (reads_only)."""
    return bool(db.session.info.get(READS_ONLY))


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, flush_context, instances) -> None:
    if session.info.get(READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a read-only request tried to write through its session")


def init_app(app: Flask) -> None:
    """Register the database, migrations and the init-db command on the app."""
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    db.init_app(app)
    app.extensions["migrate"] = _Migrations(app)
    app.cli.add_command(_MigrationsGroup("db", help="Perform database migrations (Flask-Migrate)."))
    app.cli.add_command(init_db_command)
