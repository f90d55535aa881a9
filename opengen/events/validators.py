"""The validators (ETag, Last-Modified) of a set of sessions, from one small aggregate query.

The calendar feeds and the exports answer a poll with If-None-Match or If-Modified-Since for the
price of this query; the body is built only when it is sent. This relies on every change to a
session bumping its `updated_at` (and its `sequence`), which calendar clients need anyway.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import Select, case, func, select

from ..db import db
from ..models import Event, EventStatus
from .queries import PUBLIC_STATUSES

# The Last-Modified of a set that has never held anything.
EPOCH = datetime(2021, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class State:
    """What the validators of a feed or an export are made of."""

    count: int
    last_modified: datetime

    @classmethod
    def of(cls, row, parts: Iterable[object]) -> tuple[State, str]:
        """The state from an aggregate row, and the ETag of that row and the answer's own parts."""
        count, last = row[0] or 0, row[-1]
        text = "|".join(str(p) for p in (*parts, *row))
        return cls(count, last or EPOCH), hashlib.sha256(text.encode()).hexdigest()[:32]


def aggregate(scope: Select) -> Select:
    """One row summing up the events of scope: anything a subscriber sees changes it.

    Counts, sums and the cancelled count are over public events; the last update is over all
    of them, so a session that leaves the set (rejected) still moves Last-Modified forward.
    """
    sub = scope.with_only_columns(Event.id, Event.status, Event.sequence, Event.updated_at) \
        .order_by(None).subquery()
    public = sub.c.status.in_(PUBLIC_STATUSES)
    cancelled = sub.c.status == EventStatus.cancelled
    return select(
        func.coalesce(func.sum(case((public, 1), else_=0)), 0),
        func.coalesce(func.sum(case((public, sub.c.id), else_=0)), 0),
        func.coalesce(func.sum(case((public, sub.c.sequence), else_=0)), 0),
        func.coalesce(func.sum(case((cancelled, 1), else_=0)), 0),
        func.max(sub.c.updated_at),
    )


def state_of(scope: Select, parts: Iterable[object]) -> tuple[State, str]:
    """Return the state of the events of scope (a select of events, any status) and its ETag."""
    return State.of(db.session.execute(aggregate(scope)).one(), parts)
