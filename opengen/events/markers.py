"""The map's markers: one compact row per published on-site session, as JSON kept per data version."""
from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from ..db import db
from ..jsonbytes import compact
from ..models import CareerFamily, EventFormat, EventStatus, Venue, event_families
from ..versioned import Kept, data_version
from .filters import EventFilters
from .queries import filtered, in_edition

FIELDS = ["id", "lat", "lon", "family", "kind"]

# The markers of a few dozen filter combinations; 100k events make 3.5 MB.
_MARKER_PAYLOADS = Kept(64 * 1024 * 1024, shared=True)


def marker_rows(filters: EventFilters) -> list[list]:
    """Return [id, lat, lon, family position, kind] for each published on-site event, for the map."""
    base = filtered(filters, statuses=(EventStatus.published,), with_online=False).subquery()
    first_family = (select(func.min(CareerFamily.position)).join(event_families)
                    .where(event_families.c.event_id == base.c.id).scalar_subquery())
    stmt = (select(base.c.id, Venue.lat, Venue.lon, first_family, base.c.kind)
            .join(Venue, Venue.id == base.c.venue_id)
            .where(Venue.lat.is_not(None), base.c.format != EventFormat.online)
            .order_by(base.c.start_at, base.c.id))
    return [[row[0], round(row[1], 5), round(row[2], 5), row[3] if row[3] is not None else -1,
             row[4].value if hasattr(row[4], "value") else row[4]]
            for row in db.session.execute(stmt)]


def marker_payload(filters: EventFilters) -> bytes:
    """Return the map's markers as JSON bytes, rebuilt only when the public data has changed.

    Every visitor of the home page asks for the same markers; at 100k events building them
    costs about a second, checking the data version one primary-key read.
    """
    filters = in_edition(filters)

    def build() -> bytes:
        rows = marker_rows(filters)
        return compact({"count": len(rows), "fields": FIELDS, "markers": rows})

    return _MARKER_PAYLOADS.current(("markers", filters.key()), build)


def marker_answer(filters: EventFilters) -> tuple[bytes, str]:
    """Return the markers' JSON and its strong ETag (from the data version and the filters), so
    that the gzipped body is kept once per data version and clients may revalidate."""
    filters = in_edition(filters)
    tag = hashlib.sha256(repr((data_version(), "markers", filters.key())).encode()).hexdigest()
    return marker_payload(filters), tag[:32]
