"""Reads of the public sessions: one statement builder (the filters, a circle around a place) for a
list, a page or an API window, nearest first around a place (ranked in memory by nearby.py when it
can, in SQL otherwise); their result type is results.Results."""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import (BindParameter, ColumnElement, Select, and_, func, literal_column, or_,
                        select, union_all)
from sqlalchemy.orm import joinedload, selectinload

from .. import editions
from ..checks import FieldError
from ..db import db
from ..models import (
    CareerFamily,
    Edition,
    Event,
    EventFormat,
    EventStatus,
    School,
    Venue,
    event_families,
)
from ..places import spatial
from ..places.distance import haversine_km
from ..places.lookup import find_place
from ..places.place import Place
from ..timezones import PARIS
from ..versioned import Kept
from . import changes, nearby, ordering, viewbox
from .filters import EventFilters
from .results import Results
from .territories import territory_clause

PUBLIC_STATUSES = (EventStatus.published, EventStatus.cancelled)


def _check(filters: EventFilters) -> None:
    if filters.school is not None and db.session.get(School, filters.school) is None:
        raise FieldError("school", _("École inconnue : %(value)s.", value=filters.school))
    if filters.edition is not None and editions.id_of(filters.edition) is None:
        raise FieldError("edition", _("Édition inconnue : %(value)s.", value=filters.edition))


def in_edition(filters: EventFilters) -> EventFilters:
    """Return the filters bound to an edition's year: the one asked for, else the current one.

    Whatever keeps results under the filters' key binds them first, so that a result of one
    edition is never served for another when the current edition changes.
    """
    if filters.edition is not None:
        return filters
    year = editions.current_year()
    return filters if year is None else replace(filters, edition=year)


def _edition_clause(year: int) -> ColumnElement[bool]:
    # "+ 0": the edition never drives the plan (nearly every session of a search is in it);
    # the status, place and format indexes do.
    edition_id = select(Edition.id).where(Edition.slug == str(year)).scalar_subquery()
    return (Event.edition_id + 0) == edition_id


@dataclass(frozen=True)
class Area:
    """The circle a search is about: a place found for `q`, or a position given as lat/lon."""

    lat: float
    lon: float
    radius_km: float
    place: Place | None = None  # None for a position

    @property
    def label(self) -> str | None:
        """The name of the place found ("Saint-Denis (93200)"), None for a position."""
        return self.place.label if self.place is not None else None

    @property
    def alternatives(self) -> list[dict]:
        """The other places an ambiguous query may have meant."""
        return self.place.alternatives if self.place is not None else []


def locate(filters: EventFilters) -> Area | None:
    """Resolve the filters' place (geocoding q) to a circle; None when they name no place."""
    if filters.q is not None:
        place = find_place(filters.q)
        return Area(place.lat, place.lon, filters.radius_km, place)
    if filters.lat is not None and filters.lon is not None:
        return Area(filters.lat, filters.lon, filters.radius_km)
    return None


def _conditions(filters: EventFilters, statuses, narrow: bool = False, check: bool = True) -> Select:
    """The filters as a statement; `narrow` when a more selective index than status drives it."""
    filters = in_edition(filters)
    if check:
        _check(filters)
    status = Event.status.in_(statuses)
    if filters.updated_since is not None:  # a partner's poll: the changes, withdrawals included
        status = changes.since(filters.updated_since, status)
    if narrow and db.engine.dialect.name == "sqlite":
        # Without statistics SQLite walks ix_events_status_start over every event (nearly all
        # are published) instead of the R*Tree or the format index; likelihood() hides the test
        # from its index planner.
        status = func.likelihood(status, literal_column("0.9375"))
    stmt = select(Event).where(status)
    if filters.edition is not None:
        stmt = stmt.where(_edition_clause(filters.edition))
    if filters.day is not None:
        start = datetime.combine(filters.day, time(0), PARIS)
        stmt = stmt.where(Event.start_at >= start, Event.start_at < start + timedelta(days=1))
    if filters.family is not None:
        family_id = select(CareerFamily.id).where(CareerFamily.slug == filters.family).scalar_subquery()
        if narrow:  # checked per event found by the other index, through the primary key
            stmt = stmt.where(select(event_families.c.event_id).where(
                event_families.c.event_id == Event.id,
                event_families.c.family_id == family_id).exists())
        else:
            stmt = stmt.where(Event.id.in_(
                select(event_families.c.event_id).where(event_families.c.family_id == family_id)))
    if filters.kind is not None:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.format == "onsite":
        stmt = stmt.where(Event.format.in_((EventFormat.onsite, EventFormat.both)))
    elif filters.format == "online":
        stmt = stmt.where(Event.format.in_((EventFormat.online, EventFormat.both)))
    if filters.school is not None:
        stmt = stmt.where(Event.school_id == filters.school)
    if filters.territory is not None:
        stmt = stmt.where(territory_clause(filters.territory))
    return viewbox.narrow(stmt, filters.bbox)  # the map's view: the on-site sessions inside it


def _near_venues(how: str):
    """The venues inside the circle with their haversine term, computed once each (a CTE).

    The circle is bind parameters: execute with spatial.circle_params, or bake them in.
    """
    term = spatial.haversine_term(Venue.lat, Venue.lon)
    box = spatial.in_box(Venue.id, Venue.lat, Venue.lon, how)
    # MATERIALIZED keeps the term per venue rather than recomputed for each of its events.
    return (select(Venue.id, Venue.lat, Venue.lon, term.label("term"))
            .where(box, spatial.within_term(term))
            .cte("near_venues").prefix_with("MATERIALIZED"))


def _within(filters: EventFilters, statuses, check: bool = True):
    """Select the matching on-site events held inside the circle; also return the venues CTE."""
    near = _near_venues(spatial.strategy(db.engine))
    stmt = (_conditions(filters, statuses, narrow=True, check=check)
            .join(near, near.c.id == Event.venue_id)
            .where(Event.format != EventFormat.online))
    return stmt, near


def _online_only() -> ColumnElement[bool]:
    """Sessions with no place to go to: reachable from anywhere, never ranked by distance."""
    return or_(Event.format == EventFormat.online, Event.venue_id.is_(None))


def filtered(filters: EventFilters, statuses: tuple[EventStatus, ...] = PUBLIC_STATUSES, area: Area | None = None,
             with_online: bool = True) -> Select:
    """Return a statement selecting the events that match the filters, in start order.

    Around a place (the filters' q or lat/lon, or the area given): the sessions held inside its
    circle, and the online-only ones too unless with_online is False.
    """
    area = area or locate(filters)
    if area is None:
        return _conditions(filters, statuses).order_by(Event.start_at, Event.id)
    if not with_online:
        stmt, _near = _within(filters, statuses)
    else:
        near = _near_venues(spatial.strategy(db.engine))
        in_circle = and_(Event.format != EventFormat.online, Event.venue_id.in_(select(near.c.id)))
        stmt = _conditions(filters, statuses).where(or_(in_circle, _online_only()))
    return (stmt.order_by(Event.start_at, Event.id)
            .params(**spatial.circle_params(area.lat, area.lon, area.radius_km)))


def _with_details(stmt: Select) -> Select:
    return stmt.options(joinedload(Event.school), joinedload(Event.venue),
                        selectinload(Event.families))


def _count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


def _load(ids: list[int]) -> list[Event]:
    """The events with these ids, details loaded, in the order of the ids."""
    if not ids:
        return []
    found = {e.id: e for e in db.session.scalars(_with_details(select(Event).where(Event.id.in_(ids))))
             .unique()}
    return [found[i] for i in ids if i in found]


def nearest(filters: EventFilters, area: Area, limit: int | None = None,
            offset: int = 0) -> tuple[list[tuple[int, float]], int]:
    """Return (event id, distance in km) for the sessions inside the area, nearest first, and their count."""
    filters = in_edition(filters)
    _check(filters)
    shape = filters.without_place()
    index = nearby.index_for(shape.key(), shape == EventFilters(edition=shape.edition),
                             lambda: _everywhere(shape)) if current_app.config["NEARBY_INDEX"] else None
    if index is not None:
        return index.rank(area, limit, offset)
    ranked, count = _ranking_statements(shape, spatial.strategy(db.engine), db.engine.dialect.name,
                                         limit, offset)
    circle = spatial.circle_params(area.lat, area.lon, area.radius_km)
    rows = db.session.execute(ranked, circle).all()
    if rows:
        total = rows[0][3]
    else:  # past the end: count apart
        total = db.session.scalar(count, circle) if offset else 0
    return [(row[0], haversine_km(area.lat, area.lon, row[1], row[2])) for row in rows], total


def _everywhere(shape: EventFilters) -> Select:
    """The on-site sessions the filters match wherever they are, in start order: what an index
    of nearby.py holds (event id, venue id, venue lat, venue lon)."""
    return (_conditions(shape, PUBLIC_STATUSES, check=False)
            .join(Venue, Venue.id == Event.venue_id).where(Event.format != EventFormat.online)
            .with_only_columns(Event.id, Venue.id, Venue.lat, Venue.lon)
            .order_by(Event.start_at, Event.id))


@lru_cache(maxsize=256)
def _ranking_statements(shape: EventFilters, how: str, dialect: str, limit: int | None,
                        offset: int) -> tuple[Select, Select]:
    """The statements ranking a circle's sessions, built once per filter shape (the circle is
    bind parameters): building them costs more than running them near most places."""
    stmt, near = _within(shape, PUBLIC_STATUSES, check=False)
    ranked = (stmt.with_only_columns(Event.id, near.c.lat, near.c.lon, func.count().over())
              .order_by(near.c.term, Event.start_at, Event.id).offset(offset))
    if limit is not None:
        ranked = ranked.limit(limit)
    return ranked, stmt.with_only_columns(func.count(Event.id))


# The online-only sessions do not depend on the place searched: one answer per filter set.
_ONLINE_IDS = Kept(4 * 1024 * 1024, size=lambda found: 64 + 8 * len(found[0]))


def online_ids(filters: EventFilters, limit: int | None = None) -> tuple[list[int], int]:
    """Return the ids of the online-only sessions matching the filters (first `limit`, start
    order) and their count; wherever the filters' place is, the answer is the same."""
    everywhere = in_edition(filters).without_place()
    return _ONLINE_IDS.current(("online", everywhere.key(), limit),
                               lambda: _online_ids(everywhere, limit))


def _online_ids(filters: EventFilters, limit: int | None) -> tuple[list[int], int]:
    base = _conditions(filters, PUBLIC_STATUSES, narrow=True)
    # The two kinds apart, each served by its own index (an OR makes PostgreSQL scan them all).
    parts = [base.where(Event.format == EventFormat.online),
             base.where(Event.format != EventFormat.online, Event.venue_id.is_(None))]
    total = sum(db.session.scalar(part.with_only_columns(func.count()).select_from(Event)) for part in parts)
    if not total or limit == 0:
        return [], total
    # Ids first, details for those only: joins before LIMIT would read every row.
    ids = union_all(*(part.with_only_columns(Event.id.label("id"), Event.start_at.label("start_at"))
                      for part in parts)).subquery()
    first = select(ids.c.id).order_by(ids.c.start_at, ids.c.id)
    if limit is not None:
        first = first.limit(limit)
    return list(db.session.scalars(first)), total


def window(filters: EventFilters, limit: int | None, offset: int = 0, *, area: Area | None = None,
           online_limit: int | None = None, load: bool = True, upcoming_first: bool = False) -> Results:
    """Return `limit` sessions from `offset`: nearest first around the filters' place (the
    online-only ones apart, first `online_limit`), else all of them by start.

    With upcoming_first, during its week an edition's sessions still to come (today's first)
    come before those that have ended. With load False, only their ids (and distances): no
    events, no online sessions.
    """
    filters = in_edition(filters)
    area = area or locate(filters)
    if area is None:
        stmt = filtered(filters)
        total = _count(stmt)
        if upcoming_first:
            stmt = ordering.upcoming_first(stmt, filters)
        stmt = stmt.offset(offset)
        if limit is not None:
            stmt = stmt.limit(limit)
        if not load:
            return Results(list(db.session.scalars(stmt.with_only_columns(Event.id))), total)
        # Details joined in the one query: no list of ids to send back.
        items = list(db.session.scalars(_with_details(stmt)).unique())
        return Results([e.id for e in items], total, items=items)
    ranked, total = nearest(filters, area, limit, offset)
    found = Results([i for i, _km in ranked], total, area, dict(ranked))
    if load:
        found.items = _load(found.ids)
        online, found.online_total = online_ids(filters, limit if online_limit is None else online_limit)
        found.online = _load(online)
    return found


def search(filters: EventFilters) -> list[Event]:
    """Return every public event matching the filters, with school, venue and families loaded.

    Around a place: the sessions inside the circle nearest first, then the online-only ones
    (reachable from anywhere) in start order.
    """
    found = window(filters, None)
    return found.items + found.online


def page(filters: EventFilters, number: int, size: int, online_size: int = 5,
         upcoming_first: bool = False) -> Results:
    """Return one page of the public events matching the filters (nearest first around a place,
    else by start, those still to come first with upcoming_first); a page beyond the end is the last one."""
    filters = in_edition(filters)
    area = locate(filters)
    number = max(1, number)
    found = window(filters, size, (number - 1) * size, area=area, online_limit=online_size,
                   upcoming_first=upcoming_first)
    last = max(1, math.ceil(found.total / size))
    if number > last:
        number = last
        found = window(filters, size, (number - 1) * size, area=area, online_limit=online_size,
                       upcoming_first=upcoming_first)
    found.number, found.size = number, size
    return found


def get_public(event_id: int) -> Event | None:
    """Return a published or cancelled event by id, or None."""
    stmt = _with_details(select(Event).where(Event.id == event_id,
                                             Event.status.in_(PUBLIC_STATUSES)))
    return db.session.scalars(stmt).unique().first()


def families() -> list[CareerFamily]:
    """Return the career families in display order."""
    return list(db.session.scalars(select(CareerFamily).order_by(CareerFamily.position)))


def family_links(events: Select | BindParameter, column: ColumnElement = CareerFamily.slug) -> Select:
    """Select (event id, a family column) per family of the events whose ids `events` gives.

    `events` is a select of ids or an expanding bind parameter; each event's families come in
    display order.
    """
    return (select(event_families.c.event_id, column)
            .join(CareerFamily, CareerFamily.id == event_families.c.family_id)
            .where(event_families.c.event_id.in_(events))
            .order_by(event_families.c.event_id, CareerFamily.position))


def families_by_event(events: Select, column: ColumnElement = CareerFamily.slug) -> dict[int, list]:
    """Return the families (slugs, or the column given) of each event `events` selects, in display order.

    Events with no family are left out.
    """
    found: dict[int, list] = {}
    for event_id, value in db.session.execute(family_links(events, column)):
        found.setdefault(event_id, []).append(value)
    return found
