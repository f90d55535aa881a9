"""Every session of a search as GeoJSON or CSV, written as a stream, with the validators of a feed.

The filters are those of /api/events (`updated_since` included, see changes.py); each session is
the same JSON as an /api/events item (serialise.api_items), as a GeoJSON Feature or a CSV row.
The sessions come in start order (then id), around a place those inside the circle with their
`distance_km` and the online-only ones, as in the calendar feed of the same search. They are read
a page at a time through one cursor, so an export of 100,000 sessions holds one page in memory,
never the whole list; `limit` and `offset` cut the same order.

ETag and Last-Modified come from one aggregate query over the search (validators.py, the rule of
the calendar feeds), before any row is read: a partner polling with If-None-Match gets its 304
for the price of that query.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select

from ..db import db
from ..jsonbytes import compact
from ..models import Event, EventFormat, EventStatus, Venue
from ..places.distance import haversine_km, is_coordinate
from . import queries, serialise, validators
from .filters import EventFilters
from .stats import csv_cell

# Part of every export's ETag: bump it when the same data starts giving a different body.
FORMAT_VERSION = "exports-1"
PAGE = 500  # sessions read and written at a time
FORMATS = {"geojson": "application/geo+json", "csv": "text/csv"}
# The CSV columns: an /api/events item flattened (venue.city -> venue_city), lists joined by ";".
CSV_COLUMNS = (
    "id", "uid", "status", "title", "description", "kind", "families", "start", "end", "timezone",
    "format", "school", "school_id", "network", "venue_name", "venue_address", "venue_postcode",
    "venue_city", "venue_lat", "venue_lon", "venue_timezone", "online_url", "registration_url",
    "capacity", "audience", "accessibility", "wheelchair_accessible", "sequence", "updated", "url",
    "distance_km",
)
ALL_STATUSES = tuple(EventStatus)


@dataclass(frozen=True)
class Export:
    """An export's validators, known from one query, and its body, written when it is read."""

    etag: str
    last_modified: datetime
    chunks: Callable[[], Iterator[bytes]]


def export(filters: EventFilters, fmt: str, url_template: str, limit: int | None = None,
           offset: int = 0) -> Export:
    """Return the export of the public sessions matching the filters as GeoJSON or CSV (FORMATS)."""
    filters = queries.in_edition(filters)
    area = queries.locate(filters)
    scope = queries.filtered(filters, statuses=ALL_STATUSES, area=area)
    state, etag = validators.state_of(scope, (FORMAT_VERSION, fmt, filters.key(), limit, offset,
                                              url_template))
    sessions = queries.filtered(filters, area=area)
    write = _geojson if fmt == "geojson" else _csv

    def chunks() -> Iterator[bytes]:
        return write(_items(sessions, area, url_template, limit, offset))

    return Export(etag, state.last_modified, chunks)


# --------------------------------------------------------------------------- reading

def _id_pages(sessions: Select, limit: int | None, offset: int) -> Iterator[list[tuple]]:
    """Pages of (id, start, format, venue lat, venue lon) in the order of `sessions` (start, then id).

    One query read through a cursor a page at a time (a server-side cursor on PostgreSQL): the
    database sorts once. Keyset pages would sort again for each page, as the status index gives
    two start orders to merge.
    """
    rows_of = (sessions.with_only_columns(Event.id, Event.start_at, Event.format, Venue.lat, Venue.lon)
               .outerjoin(Venue, Venue.id == Event.venue_id).offset(offset).limit(limit))
    result = db.session.execute(rows_of.execution_options(yield_per=PAGE))
    try:
        yield from result.partitions()
    finally:
        result.close()


def _items(sessions: Select, area: queries.Area | None, url_template: str, limit: int | None,
           offset: int) -> Iterator[list[dict]]:
    """Pages of /api/events items, with distance_km for the on-site sessions around a place."""
    for rows in _id_pages(sessions, limit, offset):
        distances = None
        if area is not None:
            distances = {i: haversine_km(area.lat, area.lon, lat, lon) for i, _s, fmt, lat, lon in rows
                         if fmt != EventFormat.online and is_coordinate(lat, lon)}
        yield serialise.api_items([row[0] for row in rows], url_template, distances)


# --------------------------------------------------------------------------- writing

def _dumps(value: object) -> str:
    return compact(value).decode()


def feature(item: dict) -> dict:
    """Return a session's GeoJSON Feature: a Point [lon, lat] on site, no geometry online."""
    venue = item["venue"]
    on_site = (venue is not None and item["format"] != EventFormat.online.value
               and is_coordinate(venue["lat"], venue["lon"]))
    geometry = {"type": "Point", "coordinates": [venue["lon"], venue["lat"]]} if on_site else None
    return {"type": "Feature", "id": item["id"], "geometry": geometry, "properties": item}


def _geojson(pages: Iterator[list[dict]]) -> Iterator[bytes]:
    """A FeatureCollection, written a page at a time (the opening goes out before any row is read)."""
    yield b'{"type":"FeatureCollection","features":['
    separator = ""
    for items in pages:
        yield (separator + ",".join(_dumps(feature(item)) for item in items)).encode()
        separator = ","
    yield b"]}\n"


def _cell(value: object) -> str:
    """One CSV cell: lists joined by ";", booleans as true/false, formulas neutralised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    return csv_cell(value)


def csv_row(item: dict) -> list[str]:
    """Return a session's CSV cells, in the order of CSV_COLUMNS."""
    flat = {key: value for key, value in item.items() if key != "venue"}
    flat.update({f"venue_{key}": value for key, value in (item["venue"] or {}).items()})
    return [_cell(flat.get(column)) for column in CSV_COLUMNS]


def _csv(pages: Iterator[list[dict]]) -> Iterator[bytes]:
    """UTF-8 CSV with a BOM (spreadsheets then read it as UTF-8) and a header row, a page at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(CSV_COLUMNS)
    yield buffer.getvalue().encode()
    for items in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(csv_row(item) for item in items)
        yield buffer.getvalue().encode()
