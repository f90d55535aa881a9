"""The map's view as a search filter (bbox=w,s,e,n): the on-site sessions whose venue lies inside it."""
from __future__ import annotations

from sqlalchemy import Select, select

from ..models import Event, EventFormat, Venue

BBox = tuple[float, float, float, float]  # west, south, east, north, in degrees; west <= east


def narrow(stmt: Select, bbox: BBox | None) -> Select:
    """Keep the on-site sessions held inside the box (edges included); no box: the statement as is."""
    if bbox is None:
        return stmt
    west, south, east, north = bbox
    inside = select(Venue.id).where(Venue.lat.between(south, north), Venue.lon.between(west, east))
    return stmt.where(Event.format != EventFormat.online, Event.venue_id.in_(inside))
