"""Queries and operations on events: what the public sees, in which order, as which data."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from itertools import groupby

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from .db import db
from .errors import InvalidQuery
from .filters import EventFilters
from .i18n import PARIS, local, paris
from .models import (
    CareerFamily,
    Edition,
    Event,
    EventFormat,
    EventStatus,
    School,
    Venue,
    event_families,
)

PUBLIC_STATUSES = (EventStatus.published, EventStatus.cancelled)


def current_edition() -> Edition | None:
    """Return the edition the site is about (the current one, else the latest)."""
    return db.session.scalars(
        select(Edition).order_by(Edition.is_current.desc(), Edition.starts_on.desc()).limit(1)
    ).first()


def _check(filters: EventFilters) -> None:
    if filters.school is not None and db.session.get(School, filters.school) is None:
        raise InvalidQuery("school", _("École inconnue : %(value)s.", value=filters.school))


def filtered(filters: EventFilters, statuses=PUBLIC_STATUSES) -> Select:
    """Return a statement selecting the events that match the filters, in start order."""
    _check(filters)
    stmt = select(Event).where(Event.status.in_(statuses))
    if filters.day is not None:
        start = datetime.combine(filters.day, time(0), PARIS)
        stmt = stmt.where(Event.start_at >= start, Event.start_at < start + timedelta(days=1))
    if filters.family is not None:
        stmt = stmt.where(Event.id.in_(
            select(event_families.c.event_id).join(CareerFamily)
            .where(CareerFamily.slug == filters.family)))
    if filters.kind is not None:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.format == "onsite":
        stmt = stmt.where(Event.format.in_((EventFormat.onsite, EventFormat.both)))
    elif filters.format == "online":
        stmt = stmt.where(Event.format.in_((EventFormat.online, EventFormat.both)))
    if filters.school is not None:
        stmt = stmt.where(Event.school_id == filters.school)
    return stmt.order_by(Event.start_at, Event.id)


def _with_details(stmt: Select) -> Select:
    return stmt.options(joinedload(Event.school), joinedload(Event.venue),
                        selectinload(Event.families))


def search(filters: EventFilters) -> list[Event]:
    """Return every public event matching the filters, with school, venue and families loaded."""
    return list(db.session.scalars(_with_details(filtered(filters))).unique())


@dataclass
class Page:
    items: list[Event]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    def by_day(self) -> list[tuple[object, list[Event]]]:
        """Group the page's events by their day in Paris time."""
        return [(day, list(items)) for day, items in
                groupby(self.items, key=lambda e: paris(e.start_at).date())]


def page(filters: EventFilters, number: int, size: int) -> Page:
    """Return one page of the public events matching the filters."""
    stmt = filtered(filters)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    number = max(1, min(number, max(1, math.ceil(total / size))))
    items = db.session.scalars(_with_details(stmt).limit(size).offset((number - 1) * size)).unique()
    return Page(list(items), number, size, total)


def markers(filters: EventFilters) -> list[list]:
    """Return [id, lat, lon, family position, kind] for each published on-site event, for the map."""
    base = filtered(filters, statuses=(EventStatus.published,)).subquery()
    first_family = (select(func.min(CareerFamily.position)).join(event_families)
                    .where(event_families.c.event_id == base.c.id).scalar_subquery())
    stmt = (select(base.c.id, Venue.lat, Venue.lon, first_family, base.c.kind)
            .join(Venue, Venue.id == base.c.venue_id)
            .where(Venue.lat.is_not(None), base.c.format != EventFormat.online)
            .order_by(base.c.start_at, base.c.id))
    return [[row[0], round(row[1], 5), round(row[2], 5), row[3] if row[3] is not None else -1,
             row[4].value if hasattr(row[4], "value") else row[4]]
            for row in db.session.execute(stmt)]


def get_public(event_id: int) -> Event | None:
    """Return a published or cancelled event by id, or None."""
    stmt = _with_details(select(Event).where(Event.id == event_id,
                                             Event.status.in_(PUBLIC_STATUSES)))
    return db.session.scalars(stmt).unique().first()


def iso(moment: datetime, zone: str | None = None) -> str:
    """Format an instant as ISO 8601 in the given zone (Paris by default), with its offset."""
    return local(moment, zone).isoformat()


def zone_of(event: Event) -> str:
    """Return the time zone a session is announced in: its venue's, else Paris."""
    return event.venue.timezone if event.venue is not None and event.venue.timezone else "Europe/Paris"


def to_api(event: Event, url: str, distance_km: float | None = None) -> dict:
    """Return the public JSON representation of an event."""
    venue = event.venue
    zone = zone_of(event)
    data = {
        "id": event.id,
        "uid": event.uid,
        "title": event.title,
        "description": event.description,
        "kind": event.kind.value,
        "families": [f.slug for f in event.families],
        "start": iso(event.start_at, zone),
        "end": iso(event.end_at, zone),
        "timezone": zone,
        "format": event.format.value,
        "status": event.status.value,
        "school": event.school.name,
        "school_id": event.school_id,
        "network": event.school.network,
        "venue": None if venue is None else {
            "name": venue.name, "address": venue.address, "postcode": venue.postcode,
            "city": venue.city, "lat": venue.lat, "lon": venue.lon, "timezone": venue.timezone,
        },
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
    return data


def is_online_only(event: Event) -> bool:
    """Tell whether an event has no physical venue to go to."""
    return event.format == EventFormat.online or event.venue is None


def families() -> list[CareerFamily]:
    """Return the career families in display order."""
    return list(db.session.scalars(select(CareerFamily).order_by(CareerFamily.position)))


def schools_with_events() -> list[School]:
    """Return the schools that have public events, by name."""
    return list(db.session.scalars(
        select(School).where(School.id.in_(
            select(Event.school_id).where(Event.status.in_(PUBLIC_STATUSES))))
        .order_by(School.name)))


__all__ = ["current_edition", "filtered", "search", "page", "markers", "get_public", "to_api",
           "families", "schools_with_events"]


def has_demo_data() -> bool:
    """Tell whether demo events are present, so pages can say so."""
    return db.session.scalars(select(Event.id).where(Event.is_demo).limit(1)).first() is not None
