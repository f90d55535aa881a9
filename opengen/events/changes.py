"""What a partner polling with updated_since gets: the sessions changed since an instant, the
cancelled and the withdrawn ones included and marked.

The rule. Every change to a session bumps its `updated_at` (the calendar feeds rely on it too), so
the sessions changed since t are those whose `updated_at` is after t. Among them:
- published and cancelled sessions come as they are, status "published" or "cancelled";
- a session refused by the staff after it was published (status rejected with a `published_at`)
  comes as "withdrawn", with its ids, times and sequence but without the school's text, venue or
  links: the partner removes it;
- a session never published (pending, refused in moderation, withdrawn by its school before
  publication) never appears.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from ..models import Event, EventStatus

WITHDRAWN = "withdrawn"
# What a withdrawn session keeps: enough to find it and see that it changed.
_KEPT = ("id", "uid", "kind", "families", "start", "end", "timezone", "format", "status",
         "school_id", "sequence", "updated")


def withdrawn() -> ColumnElement[bool]:
    """Select the sessions refused after they were published (shown as withdrawn)."""
    return and_(Event.status == EventStatus.rejected, Event.published_at.is_not(None))


def since(moment: datetime, shown: ColumnElement[bool]) -> ColumnElement[bool]:
    """Select the sessions `shown` selects, and the withdrawn ones, changed after the moment."""
    return and_(Event.updated_at > moment, or_(shown, withdrawn()))


def public_status(status: EventStatus, published_at: datetime | None) -> str:
    """Return the status a partner reads: published, cancelled, or withdrawn (refused once public)."""
    if status == EventStatus.rejected and published_at is not None:
        return WITHDRAWN
    return status.value


def without_content(item: dict) -> dict:
    """Return a withdrawn session's JSON: the same keys, emptied but for its ids, times and sequence."""
    return {key: value if key in _KEPT else None for key, value in item.items()}
