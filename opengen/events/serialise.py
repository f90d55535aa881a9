"""The public JSON of a session (the API, the personal programme) and the addresses it carries."""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Select, bindparam, select

from ..db import db
from ..models import CareerFamily, Event, School, Venue, event_families
from ..places.distance import haversine_km
from ..timezones import PARIS_NAME, local
from . import changes
from .when import when_text

EVENT_ID = "{id}"  # where a session's id goes in an address template
# A venue's public JSON: these columns under their own names.
_VENUE_COLUMNS = ("name", "address", "postcode", "city", "lat", "lon", "timezone")
# What _api_dict reads of a session (api_items selects these, not the moderation's columns).
_EVENT_COLUMNS = ("id", "uid", "sequence", "school_id", "venue_id", "title", "description", "kind", "format",
                  "online_url", "capacity", "registration_url", "audience", "accessibility",
                  "wheelchair_accessible", "status", "start_at", "end_at", "updated_at", "published_at")


def event_url(template: str, event_id: int) -> str:
    """Return a session's address from a template holding EVENT_ID."""
    return template.replace(EVENT_ID, str(event_id))


def iso(moment: datetime, zone: str | None = None) -> str:
    """Format an instant as ISO 8601 in the given zone (Paris by default), with its offset."""
    return local(moment, zone).isoformat()


def _zone(venue) -> str:
    return _zone_named(venue.timezone if venue is not None else None)


def _zone_named(name: str | None) -> str:
    return name or PARIS_NAME


def zone_of(event: Event) -> str:
    """Return the time zone a session is announced in: its venue's, else Paris."""
    return _zone(event.venue)


def to_api(event: Event, url: str, distance_km: float | None = None) -> dict:
    """Return the public JSON representation of an event."""
    return _api_dict(event, event.school.name, event.school.network, _venue_dict(event.venue),
                     [f.slug for f in event.families], url, distance_km)


def detail(event: Event, url: str, near: tuple[float, float] | None = None) -> dict:
    """Return an event's public JSON with `when`, its day and time range as the list reads them
    (for the map's popups), and `distance_km` from the visitor's place (lat, lon) when given."""
    venue = event.venue
    distance = (haversine_km(near[0], near[1], venue.lat, venue.lon)
                if near is not None and venue is not None and venue.lat is not None else None)
    data = to_api(event, url, distance)
    if "start" in data:  # a withdrawn session says no more than that
        data["when"] = when_text(event.start_at, event.end_at, zone_of(event))
    return data


def _venue_dict(venue: Venue | None) -> dict | None:
    """The public JSON of a venue, None for none: its public columns by name."""
    return None if venue is None else {c: getattr(venue, c) for c in _VENUE_COLUMNS}


def _api_dict(event, school_name: str, network: str | None, venue: dict | None, family_slugs: list[str],
              url: str, distance_km: float | None = None) -> dict:
    """The public JSON of an event from its fields (an object or a row), its school's name and
    network, and its venue's JSON."""
    zone = _zone_named(venue["timezone"] if venue is not None else None)
    data = {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "description": event.description,
        "kind": event.kind.value,
        "families": family_slugs,
        "start": iso(event.start_at, zone),
        "end": iso(event.end_at, zone),
        "timezone": zone,
        "format": event.format.value,
        "status": changes.public_status(event.status, event.published_at),
        "school": school_name,
        "school_id": event.school_id,
        "network": network,
        "venue": venue,
        "online_url": event.online_url,
        "registration_url": event.registration_url,
        "capacity": event.capacity,
        "audience": list(event.audience or []),
        "accessibility": event.accessibility,
        "wheelchair_accessible": event.wheelchair_accessible,
        "sequence": event.sequence,
        "updated": iso(event.updated_at),
        "url": url,
    }
    if distance_km is not None:
        data["distance_km"] = round(distance_km, 2)
    return changes.without_content(data) if data["status"] == changes.WITHDRAWN else data


@lru_cache(maxsize=1)
def _api_statement() -> Select:
    """The one query behind api_items, built once (the ids are an expanding bind parameter): a
    row per session and family (its families in display order), the venue's columns last but the
    family's slug."""
    events_t, schools_t, venues_t = Event.__table__, School.__table__, Venue.__table__
    return (select(*(events_t.c[c] for c in _EVENT_COLUMNS),
                   schools_t.c.name.label("s__name"), schools_t.c.network.label("s__network"),
                   *(venues_t.c[c].label(f"v__{c}") for c in _VENUE_COLUMNS), CareerFamily.slug)
            .join(schools_t, schools_t.c.id == events_t.c.school_id)
            .outerjoin(venues_t, venues_t.c.id == events_t.c.venue_id)
            .outerjoin(event_families, event_families.c.event_id == events_t.c.id)
            .outerjoin(CareerFamily, CareerFamily.id == event_families.c.family_id)
            .where(events_t.c.id.in_(bindparam("ids", expanding=True)))
            .order_by(events_t.c.id, CareerFamily.position))


def api_items(ids: list[int], url_template: str, distances: dict[int, float] | None = None) -> list[dict]:
    """Return the public JSON of the events with these ids, in the order of the ids.

    The same as to_api, read with one plain query rather than loaded as objects: a search
    answer's twenty sessions cost a fraction of a millisecond instead of a few (and one round
    trip to PostgreSQL).
    """
    if not ids:
        return []
    rows, slugs = {}, {}  # event id -> its first row, its families' slugs
    for row in db.session.connection().execute(_api_statement(), {"ids": ids}):
        if row.id not in rows:
            rows[row.id], slugs[row.id] = row, []
        if row.slug is not None:
            slugs[row.id].append(row.slug)
    distances = distances or {}
    venue_columns = slice(-1 - len(_VENUE_COLUMNS), -1)
    found = {}
    for event_id, row in rows.items():
        venue = None if row.venue_id is None else dict(zip(_VENUE_COLUMNS, row[venue_columns]))
        found[event_id] = _api_dict(row, row.s__name, row.s__network, venue, slugs[event_id],
                                    event_url(url_template, event_id), distances.get(event_id))
    return [found[i] for i in ids if i in found]
