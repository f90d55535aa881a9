"""Rate limits per client (Flask-Limiter), counted where every worker of the site sees them.

Counters live in the app's database (`database://`, the default), or in Redis when REDIS_URL or
RATELIMIT_STORAGE_URI names one; while Redis does not answer they are counted in the database,
so a limit neither multiplies by the number of workers nor turns into a 500 when Redis is gone.
"""
from __future__ import annotations

import hashlib
import logging
import random
import sqlite3
import threading
from contextlib import contextmanager
import time

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter import Limiter as FlaskLimiter
from flask_limiter import RateLimitExceeded
from flask_limiter.util import get_remote_address
from limits import parse
from limits.storage import RedisStorage, Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Connection, Engine, Float, Integer, String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from .db import WRITE_LOCK, Base, db
from .limit_batches import BatchedFixedWindow

log = logging.getLogger(__name__)

MAX_KEY_CHARS = 200
REDIS_RETRY_S = 10.0  # after a Redis failure, count in the database this long before trying Redis again
REDIS_TIMEOUT_S = 0.5
CLEANUP_SHARE = 0.01  # share of the writes that also delete long-expired counters
JUST_COUNTED_S = 0.5  # how long a thread's own count answers the headers' read-back


class RateLimitCounter(Base):
    """One fixed-window counter: how many hits a key has had in the window ending at expires_at."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(MAX_KEY_CHARS), primary_key=True)
    expires_at: Mapped[float] = mapped_column(Float)  # Unix time, shared by every process
    count: Mapped[int] = mapped_column(Integer)


def _short(key: str) -> str:
    return key if len(key) <= MAX_KEY_CHARS else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


@contextmanager
def _without_sync(connection: Connection):
    """On SQLite, commit this counter without waiting for the disk (WAL, synchronous NORMAL):
    a counter lost to a power cut costs nothing, while an fsync on every API request made the
    workers queue for the write lock. Other writes keep SQLite's full durability."""
    raw = connection.connection.dbapi_connection
    if not isinstance(raw, sqlite3.Connection):
        yield
        return
    before = int(raw.execute("PRAGMA synchronous").fetchone()[0])
    raw.execute("PRAGMA synchronous=NORMAL")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA synchronous={before}")


class DatabaseStorage(Storage):
    """Fixed-window counters in the `rate_limits` table, with an atomic upsert (SQLite and PostgreSQL)."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.app: Flask | None = None
        self._engine: Engine | None = None
        self._just_counted = threading.local()  # (key, count, expires_at, when) of this thread's last incr

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @property
    def engine(self) -> Engine:
        """The engine of the app this storage counts for (bound by init_app, else the current app)."""
        if self._engine is None:
            if self.app is None:
                return db.engine
            with self.app.app_context():
                self._engine = db.engine
        return self._engine

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        key, now = _short(key), time.time()
        table = RateLimitCounter.__table__
        insert = (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(table)
        expired = table.c.expires_at <= now
        statement = insert.values(key=key, expires_at=now + expiry, count=amount).on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((expired, amount), else_=table.c.count + amount),
                  "expires_at": case((expired, now + expiry), else_=table.c.expires_at)},
        ).returning(table.c.count, table.c.expires_at)
        # Its own short transaction (taking SQLite's write lock at once), apart from the request's;
        # on PostgreSQL the upsert is atomic alone: autocommit spares the BEGIN and COMMIT round trips.
        options = {"isolation_level": "AUTOCOMMIT"} if self.engine.dialect.name == "postgresql" \
            else {WRITE_LOCK: True}
        with self.engine.connect().execution_options(**options) as connection:
            with _without_sync(connection), connection.begin():
                count, expires_at = connection.execute(statement).one()
                if random.random() < CLEANUP_SHARE:
                    connection.execute(delete(table).where(table.c.expires_at < now - 60))
        # The rate-limit headers read the counter back at once (get, get_expiry): answer them
        # from this write rather than with two more connections and queries per request.
        self._just_counted.last = (key, count, expires_at, time.monotonic())
        return count

    def _recent(self, key: str) -> tuple[int, float] | None:
        last = getattr(self._just_counted, "last", None)
        if last is None or last[0] != _short(key) or time.monotonic() - last[3] > JUST_COUNTED_S:
            return None
        return last[1], last[2]

    def get(self, key: str) -> int:
        recent = self._recent(key)
        if recent is not None:
            return recent[0] if recent[1] > time.time() else 0
        table = RateLimitCounter.__table__
        with self.engine.connect() as connection:
            count = connection.execute(select(table.c.count).where(
                table.c.key == _short(key), table.c.expires_at > time.time())).scalar()
        return count or 0

    def get_expiry(self, key: str) -> float:
        recent = self._recent(key)
        if recent is not None:
            return recent[1] if recent[1] > time.time() else time.time()
        table = RateLimitCounter.__table__
        with self.engine.connect() as connection:
            expires = connection.execute(select(table.c.expires_at).where(table.c.key == _short(key))).scalar()
        return expires if expires is not None and expires > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        self._just_counted.last = None
        with self.engine.begin() as connection:
            return connection.execute(delete(RateLimitCounter.__table__)).rowcount

    def clear(self, key: str) -> None:
        self._just_counted.last = None
        with self.engine.begin() as connection:
            connection.execute(delete(RateLimitCounter.__table__).where(RateLimitCounter.key == _short(key)))


class RedisOrDatabase(Storage):
    """Counters in Redis; in the database while Redis fails, trying Redis again every REDIS_RETRY_S."""

    STORAGE_SCHEME = ["fallback+redis", "fallback+rediss"]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        options = {"socket_connect_timeout": REDIS_TIMEOUT_S, "socket_timeout": REDIS_TIMEOUT_S, **options}
        self.redis = RedisStorage(uri.removeprefix("fallback+"), **options)
        self.database = DatabaseStorage()
        self._down_until = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def _run(self, name: str, *args):
        if time.monotonic() >= self._down_until:
            try:
                return getattr(self.redis, name)(*args)
            except self.redis.base_exceptions as error:
                log.warning("rate limits: Redis failed (%r), counting in the database for %s s",
                            error, REDIS_RETRY_S)
                self._down_until = time.monotonic() + REDIS_RETRY_S
        return getattr(self.database, name)(*args)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        return self._run("incr", key, expiry, amount)

    def get(self, key: str) -> int:
        return self._run("get", key)

    def get_expiry(self, key: str) -> float:
        return self._run("get_expiry", key)

    def check(self) -> bool:
        return self._run("check")

    def reset(self) -> int | None:
        try:
            self.redis.reset()
        except self.redis.base_exceptions:
            pass
        return self.database.reset()

    def clear(self, key: str) -> None:
        self._run("clear", key)


class Limiter(FlaskLimiter):
    """Flask-Limiter whose database storage knows the app it counts for."""

    def init_app(self, app: Flask) -> None:
        """Register on the app; a `redis://` storage falls back to the database while Redis is down."""
        uri = app.config.get("RATELIMIT_STORAGE_URI") or "database://"
        if uri.startswith(("redis://", "rediss://")):
            app.config["RATELIMIT_STORAGE_URI"] = "fallback+" + uri
        super().init_app(app)
        for storage in (self._storage, getattr(self._storage, "database", None)):
            if isinstance(storage, DatabaseStorage):
                storage.app, storage._engine = app, None
        if isinstance(self._limiter, FixedWindowRateLimiter):
            # A generous budget (the API's) is written a few hits at a time (limit_batches.py).
            self._limiter = BatchedFixedWindow(self._storage)

    def reset(self) -> None:
        """Empty the counters, and forget the hits this process kept unwritten."""
        super().reset()
        if isinstance(self._limiter, BatchedFixedWindow):
            self._limiter.forget()


limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)

# One budget per client for the whole read-only API (API_RATE_LIMIT); preflights do not count.
# The map's kept answers are outside it: one view asks for a dozen tiles, and a visitor who pans and
# zooms for a minute would spend the budget, while each answer is bytes kept per data version (as
# cheap as /healthz) and counting it would cost a write per tile.
UNCOUNTED_ENDPOINTS = frozenset({"api.event_clusters", "api.event_markers"})
api_limit = limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api",
                                 methods=["GET", "HEAD"],
                                 exempt_when=lambda: request.endpoint in UNCOUNTED_ENDPOINTS)


def client_address() -> str:
    """The address a request's limits are counted for (the proxies' forwarded one when trusted)."""
    return get_remote_address()


def within_budget(scope: str, limit: str, *identifiers: str) -> bool:
    """Count one use of a budget ("20 per minute") for identifiers; False once it is spent."""
    if not limiter.enabled:
        return True
    try:
        return limiter.limiter.hit(parse(limit), scope, *identifiers)
    except Exception as error:  # a budget must never break the page it protects
        log.warning("budget %s not counted: %r", scope, error)
        return True


def init_app(app: Flask) -> None:
    """Register the limiter and the page shown when a limit is reached."""
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def _limited(error: RateLimitExceeded):
        # A view may have rendered its own answer (the form with what was typed); keep it.
        if error.response is not None:
            return error.response
        message = _("Trop de demandes en peu de temps. Merci de patienter avant de réessayer.")
        if request.path.startswith("/api/"):
            return jsonify({"error": message, "status": 429}), 429
        return render_template("error.html", code=429, message=message), 429
