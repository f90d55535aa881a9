"""A circle's sessions ranked in memory: the sessions of a search's filters, held per data version
and process, with their venues on a grid.

SQL ranks a circle's sessions well near most places, but its cost grows with what the circle
holds: around Paris at 100k sessions (7,000 of them within 25 km) it read them all and sorted them
for each new search, 10 to 25 ms, and a search never asked before is what visitors type. Here the
rank costs a haversine per venue near the circle and a sum: under two milliseconds around Paris,
a tenth of one elsewhere.

Which sessions match the filters is still SQL's rule (queries.py builds the statement that fills
an index), so both paths agree by construction on what matches; this module only decides what
lies inside the circle and in what order, by the very haversine term and order the SQL paths use
(places/spatial.py): term, then start, then id. tests/test_nearby.py checks that both paths give
the same pages and counts.

An index is built for the filters with no other condition than the edition (what nearly every
search is) at their first search, and for other filters at their second search in the same data
version (a one-off filter costs less in SQL than an index built for it). It is built in a
background thread while SQL ranks (a change to the data never makes a visitor wait: 0.3 to 0.6 s
at 100k sessions), and kept only if the data did not change while it was read. A worker's warm-up
waits for the first one. An index of more than MAX_SESSIONS sessions is not built: SQL serves those.
"""
from __future__ import annotations

import ctypes
import logging
import math
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable
from contextlib import nullcontext
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import Select

from ..db import db, without_transaction
from ..places import spatial
from ..places.distance import haversine_km
from ..versioned import Kept, data_version, read_data_version

ROW_DEG = 0.1  # the grid's rows of venues: a tenth of a degree of latitude (11 km)
MAX_SESSIONS = 250_000  # above this, an index would weigh more than its searches save
_BYTES_PER_SESSION, _BYTES_PER_VENUE = 8, 40  # two int32 arrays; four doubles and an int32
log = logging.getLogger(__name__)

# Per worker: the plain search's index is 2 MB at 100k sessions; filters asked twice add theirs.
_INDEXES = Kept(24 * 1024 * 1024, size=lambda index: index.weight)
_BUILDS: dict[Hashable, threading.Thread] = {}  # indexes being built in the background
_BUILDS_LOCK = threading.Lock()
_ASKED = Kept(256 * 1024, size=lambda _seen: 64)  # filters -> [searches seen in this data version]


class Area(Protocol):
    """A circle on the Earth (queries.Area): its centre in degrees, its radius in kilometres."""

    lat: float
    lon: float
    radius_km: float


class NearbyIndex:
    """Venues sorted by grid row then longitude, each with its sessions in start order.

    Built from rows (event id, venue id, venue lat, venue lon) in the sessions' global order
    (start, then id): a session's position in that order is its rank among equally distant ones.
    """

    def __init__(self, rows: Iterable[tuple[int, int, float | None, float | None]]):
        # One pass over the rows, streamed, into flat arrays: few Python objects live at once
        # (a worker's memory would keep the room they took).
        slot_of: dict[int, int] = {}  # venue id -> its slot in lats/lons, in order of first sight
        lats, lons, event_ids, slots = array("d"), array("d"), array("i"), array("i")
        self.read = 0  # rows read, placed or not
        for event_id, venue_id, lat, lon in rows:
            self.read += 1
            if lat is None or lon is None:  # a venue not placed on the map is in no circle
                continue
            slot = slot_of.get(venue_id)
            if slot is None:
                slot = slot_of[venue_id] = len(lats)
                lats.append(lat)
                lons.append(lon)
            event_ids.append(event_id)
            slots.append(slot)
        order = sorted(range(len(lats)), key=lambda k: (_row(lats[k]), lons[k], k))
        del slot_of
        position = array("i", bytes(4 * len(order)))  # slot -> position of the venue in order
        for i, slot in enumerate(order):
            position[slot] = i
        self.lat, self.lon = array("d", (lats[k] for k in order)), array("d", (lons[k] for k in order))
        # What the SQL term reads of a venue, computed once the very same way.
        self.lat_rad = array("d", (lat * spatial.DEGREE for lat in self.lat))
        self.cos_lat = array("d", (math.cos(lat * spatial.DEGREE) for lat in self.lat))
        # Venue i's sessions are ranks/ids[first[i]:first[i + 1]], in start order: a counting
        # sort of the sessions, taken in their global order (rank = position in it).
        counts = array("i", bytes(4 * len(self.lat)))
        for slot in slots:
            counts[position[slot]] += 1
        self.first = array("i", [0])
        for count in counts:
            self.first.append(self.first[-1] + count)
        cursor = array("i", self.first[:-1])
        self.ranks, self.ids = array("i", bytes(4 * len(event_ids))), array("i", bytes(4 * len(event_ids)))
        for rank, (event_id, slot) in enumerate(zip(event_ids, slots)):
            i = position[slot]
            self.ranks[cursor[i]], self.ids[cursor[i]] = rank, event_id
            cursor[i] += 1
        self.rows: dict[int, tuple[int, int]] = {}  # grid row -> its venues' [start, end)
        for i, lat in enumerate(self.lat):
            start, _end = self.rows.get(_row(lat), (i, i))
            self.rows[_row(lat)] = (start, i + 1)
        self.weight = _BYTES_PER_SESSION * len(self.ids) + _BYTES_PER_VENUE * len(self.lat)

    def _inside(self, area: Area) -> list[tuple[float, int]]:
        """(haversine term, venue) of the venues inside the circle."""
        circle = spatial.circle_params(area.lat, area.lon, area.radius_km)
        p1, lon0, cos_p1, limit = circle["p1"], circle["lon0"], circle["cos_p1"], circle["term_limit"]
        min_lon, max_lon = circle["min_lon"], circle["max_lon"]
        lat_rad, cos_lat, lon, sin = self.lat_rad, self.cos_lat, self.lon, math.sin
        inside = []
        for row in range(_row(circle["min_lat"]), _row(circle["max_lat"]) + 1):
            span = self.rows.get(row)
            if span is None:
                continue
            for i in range(bisect_left(lon, min_lon, *span), bisect_right(lon, max_lon, *span)):
                # The term exactly as places/spatial.haversine_term writes it in SQL.
                half_dp = sin((lat_rad[i] - p1) / 2.0)
                half_dl = sin(((lon[i] - lon0) * spatial.DEGREE) / 2.0)
                term = half_dp * half_dp + cos_p1 * cos_lat[i] * half_dl * half_dl
                if term <= limit:
                    inside.append((term, i))
        return inside

    def rank(self, area: Area, limit: int | None = None,
             offset: int = 0) -> tuple[list[tuple[int, float]], int]:
        """(event id, distance in km) of the circle's sessions, nearest first (then by start and
        id), `limit` of them from `offset`; and how many sessions the circle holds."""
        inside = self._inside(area)
        first = self.first
        total = sum(first[i + 1] - first[i] for _term, i in inside)
        wanted = total if limit is None else min(total, offset + limit)
        if wanted <= offset:
            return [], total
        inside.sort()
        chosen: list[tuple[float, int, int, int]] = []  # (term, rank, event id, venue)
        last_term = None
        for term, i in inside:
            # Venues at the very same distance interleave their sessions by start: take them all.
            if len(chosen) >= wanted and term != last_term:
                break
            for k in range(first[i], first[i + 1]):
                chosen.append((term, self.ranks[k], self.ids[k], i))
            last_term = term
        chosen.sort()
        page = chosen[offset:wanted]
        return [(event_id, haversine_km(area.lat, area.lon, self.lat[i], self.lon[i]))
                for _term, _rank, event_id, i in page], total


def _row(lat: float) -> int:
    return math.floor(lat / ROW_DEG)


def index_for(filters_key: Hashable, plain: bool, statement: Callable[[], Select]) -> NearbyIndex | None:
    """The index of the sessions a search's filters match (their key, without the place), if
    it is ready; None when SQL should rank this search.

    `statement` selects (event id, venue id, venue lat, venue lon) of the matching on-site
    sessions in start order, then id. `plain`: the filters hold no condition but the edition.
    An index missing for the current data is built in a background thread (NEARBY_INDEX_BACKGROUND,
    the default: a change to the data never makes a visitor wait for it) or at once.
    """
    seen = _ASKED.current(("asked", filters_key), lambda: [0])  # per data version
    seen[0] += 1
    if seen[0] <= 0 or (not plain and seen[0] < 2):  # too many sessions, or a first search
        return None
    version, key = data_version(), ("nearby", filters_key)
    index = _INDEXES.get((version, key))
    if index is not None:
        return index
    if not current_app.config["NEARBY_INDEX_BACKGROUND"]:
        return _build(version, key, seen, statement)
    app = current_app._get_current_object()
    with _BUILDS_LOCK:
        if key not in _BUILDS:
            _BUILDS[key] = threading.Thread(target=_build_apart, args=(app, key, seen, statement),
                                            name="nearby-index", daemon=True)
            _BUILDS[key].start()
    return None


def _build(version: tuple, key: Hashable, seen: list[int], statement: Callable[[], Select]) -> NearbyIndex | None:
    """Build an index and keep it under the data version it was read at (None: too many sessions,
    or the data changed since that version was read)."""
    # Streamed (a server-side cursor on PostgreSQL), which needs a transaction: on the session's
    # connection, or on one of its own when the session has none (db.reads_only). The version is
    # read on the same connection after the rows. The stream option goes on the statement: set
    # on the session's connection, it would stay there for the request's next statements.
    apart = without_transaction()
    with db.engine.connect() if apart else nullcontext(db.session.connection()) as connection:
        rows = connection.execute(statement().limit(MAX_SESSIONS + 1).execution_options(yield_per=5000))
        try:
            index = NearbyIndex(rows)
        finally:
            rows.close()  # a server-side cursor left open would warn, and hold the server's memory
        read_at = read_data_version(connection)
    if index.read >= 10_000:  # a few milliseconds: worth it only after a large build
        give_back_memory()
    if index.read > MAX_SESSIONS:
        seen[0] = -(2**62)  # SQL serves these filters until the data changes
        return None
    # A write committed since the version was read has bumped it: then the index is neither
    # kept nor used.
    if read_at != version:
        return None
    # The same filters' index of an older version is dropped: nobody reads it any more.
    _INDEXES.drop(lambda kept: kept[1] == key and kept[0] != version)
    _INDEXES.put((version, key), index)
    return index


def _build_apart(app: Flask, key: Hashable, seen: list[int], statement: Callable[[], Select]) -> None:
    try:
        with app.app_context():
            try:
                _build(read_data_version(), key, seen, statement)
            finally:
                db.session.remove()
    except Exception as error:  # noqa: BLE001 - the searches go on in SQL; the next one retries
        log.warning("nearby index not built: %r", error)
    finally:
        with _BUILDS_LOCK:
            _BUILDS.pop(key, None)


def wait(timeout_s: float = 60.0) -> None:
    """Wait for the indexes being built (a worker's warm-up, tests)."""
    with _BUILDS_LOCK:
        running = list(_BUILDS.values())
    for thread in running:
        thread.join(timeout_s)


def give_back_memory() -> None:
    """Hand the heap a build freed back to the system (glibc's malloc_trim; elsewhere nothing):
    the rows it streamed would otherwise stay in the worker's resident memory for good."""
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (macOS, musl): the memory stays with the process
        return None


_LIBC = _libc()
