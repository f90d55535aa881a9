"""The map's clusters: the published on-site sessions grouped on a grid of Web-Mercator tiles, counted
in SQL, so that any view of the map carries a few kilobytes whatever the number of sessions.

A tile z/x/y (the slippy-map scheme Leaflet uses) is cut into CELLS x CELLS cells, each a tile of
zoom z + 4: a 64-pixel square on a map shown at zoom z + 2 (MAP_ZOOM_STEP), so the clusters of
one zoom nest exactly in those of the zoom before. From EXACT_TILE_ZOOM on (street level) the
sessions are grouped by their venue's position instead: every place is its own marker, several
sessions at one address one marker that lists them all. A tile's answer is kept per data
version and filters, with a strong ETag (its gzipped form is kept too: opengen/compression.py).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import replace

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, selectinload

from ..checks import FieldError
from ..db import db
from ..jsonbytes import compact
from ..models import CareerFamily, Event, EventFormat, EventStatus, Venue, event_families
from ..versioned import Kept, data_version
from .filters import EventFilters
from . import serialise
from .queries import filtered, in_edition, locate

CELLS = 16  # cells per tile side: 2**4, so a cell is a tile of zoom z + 4
CELL_ZOOM_STEP = 4
MAP_ZOOM_STEP = 2  # the map at zoom Z asks for the tiles of zoom Z - 2 (about 4 of them per view)
MAX_TILE_ZOOM = 20
EXACT_TILE_ZOOM = 14  # the map at zoom 16 and closer: one marker per place
FIELDS = ["count", "lat", "lon", "south", "west", "north", "east", "id", "family", "kind"]

# About 10 KB a tile: a few thousand tiles of a few filter combinations.
_TILES = Kept(32 * 1024 * 1024, shared=True)


class TileOutOfRange(ValueError):
    """The tile named does not exist (zoom beyond MAX_TILE_ZOOM, or x or y beyond the zoom's grid)."""


def tile_lon(x: int, z: int) -> float:
    """Return the longitude of a tile column's west edge (x may be 2**z: the east edge of the last)."""
    return x / 2 ** z * 360.0 - 180.0


def tile_lat(y: int, z: int) -> float:
    """Return the latitude of a tile row's north edge (y may be 2**z: the south edge of the last)."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / 2 ** z))))


def check_tile(z: int, x: int, y: int) -> None:
    """Raise TileOutOfRange unless z/x/y names a tile of the slippy-map grid."""
    if not (0 <= z <= MAX_TILE_ZOOM and 0 <= x < 2 ** z and 0 <= y < 2 ** z):
        raise TileOutOfRange(f"no tile {z}/{x}/{y}")


def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """Return the tile's (west, south, east, north) in degrees."""
    check_tile(z, x, y)
    return tile_lon(x, z), tile_lat(y + 1, z), tile_lon(x + 1, z), tile_lat(y, z)


def _in_tile(z: int, x: int, y: int) -> list:
    """A venue belongs to one tile: west edge in, east edge out; north edge in, south edge out
    (the outer edges of the grid hold everything beyond them, the poles included)."""
    west, south, east, north = tile_bounds(z, x, y)
    found = [Venue.lon >= west] if x > 0 else []
    found += [Venue.lon < east] if x < 2 ** z - 1 else []
    found += [Venue.lat <= north] if y > 0 else []
    found += [Venue.lat > south] if y < 2 ** z - 1 else []
    return found


def _cells(z: int, x: int, y: int) -> tuple:
    """The cell column and row of a venue, as SQL (bounds are bind parameters: portable arithmetic)."""
    fine = z + CELL_ZOOM_STEP
    column = case(*[(Venue.lon < tile_lon(x * CELLS + i, fine), i - 1) for i in range(1, CELLS)],
                  else_=CELLS - 1)
    row = case(*[(Venue.lat > tile_lat(y * CELLS + j, fine), j - 1) for j in range(1, CELLS)],
               else_=CELLS - 1)
    return column.label("cx"), row.label("cy")


def _narrowed(filters: EventFilters, z: int, x: int, y: int) -> EventFilters | None:
    """The filters with the tile as their box (intersected with theirs): the venues' position index
    then drives the query (a zoom-10 tile of 100k sessions: 17 ms instead of 166). None: no overlap."""
    west, south, east, north = tile_bounds(z, x, y)
    last = 2 ** z - 1  # the outer tiles hold everything beyond the grid's edges
    box = [-180.0 if x == 0 else west, -90.0 if y == last else south,
           180.0 if x == last else east, 90.0 if y == 0 else north]
    if filters.bbox is not None:
        box = [max(box[0], filters.bbox[0]), max(box[1], filters.bbox[1]),
               min(box[2], filters.bbox[2]), min(box[3], filters.bbox[3])]
    return replace(filters, bbox=tuple(box)) if box[0] <= box[2] and box[1] <= box[3] else None


def _grouped(filters: EventFilters, z: int, x: int, y: int):
    """Per cell (per place at street level): count, centroid, bounds and the smallest session id."""
    filters = _narrowed(filters, z, x, y)
    if filters is None:
        return []
    base = filtered(filters, statuses=(EventStatus.published,), with_online=False).order_by(None).subquery()
    keys = _cells(z, x, y) if z < EXACT_TILE_ZOOM else (Venue.lat.label("cx"), Venue.lon.label("cy"))
    stmt = (select(*keys, func.count(), func.avg(Venue.lat), func.avg(Venue.lon), func.min(Venue.lat),
                   func.min(Venue.lon), func.max(Venue.lat), func.max(Venue.lon), func.min(base.c.id))
            .select_from(base).join(Venue, Venue.id == base.c.venue_id)
            .where(Venue.lat.is_not(None), Venue.lon.is_not(None), base.c.format != EventFormat.online,
                   *_in_tile(z, x, y))
            .group_by(*keys))
    return db.session.execute(stmt).all()


def _singles(ids: list[int]) -> dict[int, tuple[int, str]]:
    """The first family's position and the kind of each lone session (its marker's colour and label)."""
    if not ids:
        return {}
    first_family = (select(func.min(CareerFamily.position)).join(event_families)
                    .where(event_families.c.event_id == Event.id).scalar_subquery())
    rows = db.session.execute(select(Event.id, first_family, Event.kind).where(Event.id.in_(ids)))
    return {i: (-1 if family is None else family, kind.value) for i, family, kind in rows}


def _down(value: float) -> float:
    return math.floor(value * 1e6) / 1e6


def _up(value: float) -> float:
    return math.ceil(value * 1e6) / 1e6


def tile_clusters(filters: EventFilters, z: int, x: int, y: int) -> list[list]:
    """Return the clusters of a tile as rows of FIELDS: [count, lat, lon, south, west, north, east,
    id, family, kind]; id, family and kind are those of a lone session, else None."""
    check_tile(z, x, y)
    rows = _grouped(filters, z, x, y)
    singles = _singles([row[9] for row in rows if row[2] == 1])
    clusters = []
    for _cx, _cy, count, lat, lon, south, west, north, east, first_id in rows:
        family, kind = singles.get(first_id, (None, None)) if count == 1 else (None, None)
        clusters.append([count, round(lat, 6), round(lon, 6), _down(south), _down(west), _up(north), _up(east),
                         first_id if count == 1 else None, family, kind])
    clusters.sort(key=lambda c: (-c[0], c[1], c[2]))
    return clusters


def tile_answer(filters: EventFilters, z: int, x: int, y: int) -> tuple[bytes, str]:
    """Return a tile's clusters as JSON bytes and their strong ETag, kept per data version."""
    check_tile(z, x, y)
    filters = in_edition(filters)
    key = ("clusters", filters.key(), z, x, y)

    def build() -> bytes:
        clusters = tile_clusters(filters, z, x, y)
        body = {"tile": [z, x, y], "zoom": z + MAP_ZOOM_STEP, "exact": z >= EXACT_TILE_ZOOM,
                "count": sum(c[0] for c in clusters), "fields": FIELDS, "clusters": clusters}
        return compact(body)

    tag = hashlib.sha256(repr((data_version(), key)).encode()).hexdigest()[:32]
    return _TILES.current(key, build), tag


# The largest map pane a first view is drawn in (a wide screen's), in CSS pixels.
FIRST_VIEW_PX = (1400, 900)


def first_view_tiles(filters: EventFilters, centre: tuple[float, float], zoom: int) -> str:
    """Return, as a JSON object keyed "z/x/y", the tiles a map centred on `centre` at `zoom` asks
    for first, so that a page can carry them: on a slow network that spares a round trip."""
    z, scale = zoom - MAP_ZOOM_STEP, 256 * 2 ** zoom  # the world's width in pixels at the map's zoom
    tile_px, last = scale / 2 ** z, 2 ** z - 1
    x = (centre[1] + 180) / 360 * scale
    y = (1 - math.asinh(math.tan(math.radians(centre[0]))) / math.pi) / 2 * scale

    def span(middle: float, half: float) -> range:
        return range(max(0, int((middle - half) // tile_px)), min(last, int((middle + half) // tile_px)) + 1)

    parts = [f'"{z}/{col}/{row}":{tile_answer(filters, z, col, row)[0].decode()}'
             for col in span(x, FIRST_VIEW_PX[0] / 2) for row in span(y, FIRST_VIEW_PX[1] / 2)]
    return "{" + ",".join(parts) + "}"


MARKER_SESSIONS = 50  # the sessions a place's popup lists at most (a link leads to the rest)


def marker_sessions(filters: EventFilters, url_template: str, limit: int = MARKER_SESSIONS) -> dict:
    """Return what a marker stands for, the published on-site sessions inside the filters' bbox
    (required), in start order: {"count", "events"} with each event's detail JSON (its time as
    read everywhere, its distance from the filters' place if any)."""
    if filters.bbox is None:
        raise FieldError("bbox", _("Donnez la zone du repère : bbox=ouest,sud,est,nord."))
    filters = in_edition(filters)
    area = locate(filters)
    stmt = filtered(filters, statuses=(EventStatus.published,), area=area, with_online=False)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    events = db.session.scalars(stmt.limit(limit).options(
        joinedload(Event.school), joinedload(Event.venue), selectinload(Event.families))).unique()
    return {"count": total, "events": [
        serialise.detail(event, serialise.event_url(url_template, event.id),
                         None if area is None else (area.lat, area.lon))
        for event in events]}
