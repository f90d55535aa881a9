"""Results kept per process while the public data stays the same.

Database triggers bump one counter, `data_versions.version`, in the same transaction as any
change to the sessions, their venues, schools or families (migration 0005). Reading it is one
primary-key lookup, so a process can keep what it built (the map's markers, search answers, a
feed's body, a gzipped body) and check on each request that it still holds: a key always
includes the version it was built at. Several processes each keep their own copies; none can
serve a stale one, since all of them read the same counter. With REDIS_URL set, results that
are bytes are also shared through Redis, so that one process builds what the others then send.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, has_request_context, request
from sqlalchemy import Connection, select

from .breaker import RedisLink
from .db import db
from .models import DataVersion

T = TypeVar("T")
PUBLIC = "public"  # the counter's name in data_versions
SHARED_TTL_S = 600  # a shared result outlives its version by at most this long in Redis


def database_name() -> str:
    """Return the address of this app's database without its password, so that two databases
    never share kept results."""
    return db.engine.url.render_as_string(hide_password=True)


def data_version() -> tuple[str, int]:
    """Return the version of the public data of this database (changes with any write to it).

    The database is part of it, so that two databases never share kept results. Read once per
    request: the parts of one answer are all checked against the same version.
    """
    environ = request.environ if has_request_context() else {}
    found = environ.get(_ENVIRON_KEY)
    if found is None:
        found = environ[_ENVIRON_KEY] = read_data_version()
    return found


def read_data_version(connection: Connection | None = None) -> tuple[str, int]:
    """Read the data version now, not the one this request read first (on the session's
    connection, or the one given)."""
    return database_name(), (connection or db.session.connection()).scalar(_VERSION) or 0


_ENVIRON_KEY = "opengen.data_version"
# Read by nearly every request: a Core statement, built once (cheaper than an ORM query).
_VERSION = select(DataVersion.__table__.c.version).where(DataVersion.__table__.c.name == PUBLIC)


class Kept:
    """Results by key, within a byte budget, least recently used out first; safe across threads.

    `size` tells what a result weighs (bytes for bytes). A result heavier than a quarter of
    the budget is not kept: it would push out everything else.
    """

    def __init__(self, max_bytes: int, size: Callable[[object], int] = len, shared: bool = False):
        self.max_bytes = max_bytes
        self.shared = shared  # bytes results, also kept in Redis when REDIS_URL is set
        self._items: LRUCache[Hashable, object] = LRUCache(max_bytes, getsizeof=size)
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable) -> object | None:
        """Return the result stored under key, or None."""
        with self._lock:
            return self._items.get(key)

    def put(self, key: Hashable, item: object) -> None:
        """Keep a result (unless too heavy), dropping the least recently used beyond the budget."""
        if self._items.getsizeof(item) > self.max_bytes // 4:
            return
        with self._lock:
            if key not in self._items:
                self._items[key] = item

    def drop(self, test: Callable[[Hashable], bool]) -> None:
        """Forget the results whose key passes the test (results of an older data version)."""
        with self._lock:
            for key in [key for key in self._items if test(key)]:
                del self._items[key]

    def clear(self) -> None:
        """Forget every result."""
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)

    def get_or_build(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the result stored under key, building and keeping it if need be."""
        item = self.get(key)
        if item is None:
            item = build()
            self.put(key, item)
        return item

    def current(self, key: Hashable, build: Callable[[], T]) -> T:
        """Return the result for key at the current data version, building it if need be
        (or taking it from Redis, if shared)."""
        versioned = (data_version(), key)
        store = _shared_store() if self.shared else None
        if store is None:
            return self.get_or_build(versioned, build)
        name = hashlib.sha256(repr(versioned).encode()).hexdigest()

        def shared_or_built():
            item = store.get(name)
            if item is None:
                item = build()
                store.put(name, item)
            return item

        return self.get_or_build(versioned, shared_or_built)


_ALL: list[Kept] = []


class SharedStore:
    """Bytes in Redis under a prefix, for a while; while Redis fails, nothing (never an error)."""

    def __init__(self, url: str, prefix: str, timeout_s: float = 0.25):
        self._link = RedisLink(url, "shared results", timeout_s)
        self.prefix = prefix

    def get(self, name: str) -> bytes | None:
        """The bytes stored under name, or None."""
        return self._link.run(lambda: self._link.client.get(self.prefix + name), lambda: None)

    def put(self, name: str, value: bytes) -> None:
        """Store bytes under name for SHARED_TTL_S."""
        self._link.run(lambda: self._link.client.set(self.prefix + name, value, ex=SHARED_TTL_S),
                       lambda: None)


_STORES: dict[tuple[str, str], SharedStore] = {}


def _shared_store() -> SharedStore | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    prefix = current_app.config["REDIS_KEPT_PREFIX"]
    store = _STORES.get((url, prefix))
    if store is None:
        store = _STORES.setdefault((url, prefix), SharedStore(url, prefix))
    return store


def forget_kept() -> None:
    """Drop every kept result (for tests and benchmarks that rebuild a database from scratch)."""
    for kept in _ALL:
        kept.clear()
