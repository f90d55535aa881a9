"""The order of a list without a place: by start, and while an edition's week runs, what is still
on (today's first, then the days after) before what has ended."""
from __future__ import annotations

from sqlalchemy import Select, case

from .. import clock, editions
from ..db import db
from ..models import Edition, Event
from .filters import EventFilters


def during_week(filters: EventFilters) -> bool:
    """Tell whether today is a day of the filters' edition (some sessions ended, some to come)."""
    # The id is kept per data version and the row is usually in the session already: no query.
    edition_id = editions.id_of(filters.edition) if filters.edition is not None else None
    edition = db.session.get(Edition, edition_id) if edition_id is not None else None
    return edition is not None and edition.starts_on <= editions.today() <= edition.ends_on


def upcoming_first(stmt: Select, filters: EventFilters) -> Select:
    """Order a statement's sessions by start, those not ended yet first while the week runs.

    A session still running is not ended: it stays at the top, with those of the hour after.
    """
    if not during_week(filters):
        return stmt
    ended = case((Event.end_at <= clock.now(), 1), else_=0)
    return stmt.order_by(None).order_by(ended, Event.start_at, Event.id)
