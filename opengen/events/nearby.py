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
version (a one-off filter costs less in SQL than an index built for it). An index of more than
MAX_SESSIONS sessions is not built: SQL serves those.
"""
from __future__ import annotations

import math
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable
from typing import Protocol
from itertools import groupby

from sqlalchemy import Select

from ..db import db
from ..places import spatial
from ..places.distance import haversine_km
from ..versioned import Kept

ROW_DEG = 0.1  # the grid's rows of venues: a tenth of a degree of latitude (11 km)
MAX_SESSIONS = 250_000  # above this, an index would weigh more than its searches save
_BYTES_PER_SESSION, _BYTES_PER_VENUE = 24, 48

_INDEXES = Kept(64 * 1024 * 1024, size=lambda index: index.weight)
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

    def __init__(self, rows: list[tuple[int, int, float | None, float | None]]):
        by_venue: dict[int, tuple[float, float, list[int], list[int]]] = {}
        for position, (event_id, venue_id, lat, lon) in enumerate(rows):
            if lat is None or lon is None:  # a venue not placed on the map is in no circle
                continue
            found = by_venue.get(venue_id)
            if found is None:
                found = by_venue[venue_id] = (lat, lon, [], [])
            found[2].append(position)
            found[3].append(event_id)
        venues = sorted(by_venue.values(), key=lambda v: (_row(v[0]), v[1]))
        self.lat, self.lon = array("d", (v[0] for v in venues)), array("d", (v[1] for v in venues))
        # What the SQL term reads of a venue, computed once the very same way.
        self.lat_rad = array("d", (lat * spatial.DEGREE for lat in self.lat))
        self.cos_lat = array("d", (math.cos(lat * spatial.DEGREE) for lat in self.lat))
        self.first = array("l", [0])  # the venue i's sessions are ranks/ids[first[i]:first[i + 1]]
        self.ranks, self.ids = array("l"), array("l")
        for _lat, _lon, positions, event_ids in venues:
            self.ranks.extend(positions)
            self.ids.extend(event_ids)
            self.first.append(len(self.ids))
        self.rows: dict[int, tuple[int, int]] = {}  # grid row -> its venues' [start, end)
        start = 0
        for row, members in groupby(range(len(venues)), key=lambda i: _row(self.lat[i])):
            end = start + sum(1 for _ in members)
            self.rows[row] = (start, end)
            start = end
        self.weight = _BYTES_PER_SESSION * len(self.ids) + _BYTES_PER_VENUE * len(venues)

    def __len__(self) -> int:
        return len(self.ids)

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
    """The index of the sessions a search's filters match (their key, without the place), built
    from `statement` if these filters call for one; None when SQL should rank instead.

    `statement` selects (event id, venue id, venue lat, venue lon) of the matching on-site
    sessions in start order, then id. `plain`: the filters hold no condition but the edition.
    """
    seen = _ASKED.current(("asked", filters_key), lambda: [0])  # per data version
    seen[0] += 1
    if seen[0] <= 0 or (not plain and seen[0] < 2):  # too many sessions, or a first search
        return None

    def build() -> NearbyIndex:
        rows = db.session.execute(statement().limit(MAX_SESSIONS + 1)).all()
        if len(rows) > MAX_SESSIONS:
            raise _TooMany
        return NearbyIndex(rows)

    try:
        return _INDEXES.current(("nearby", filters_key), build)
    except _TooMany:
        seen[0] = -(2**62)  # SQL serves these filters until the data changes
        return None


class _TooMany(Exception):
    """The filters match more sessions than an index should hold."""
