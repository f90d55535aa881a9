"""The rows a page is about, or a 404: one loader per guarded row, for the schools' and staff's views.

A loader asked `for_write=True` first starts the write transaction (`db.begin_write()`), then reads
the row again inside it: a view checks its form on a plain read, then writes on a fresh row.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, abort, render_template

from .broadcasts import operations as broadcasts
from .db import begin_write, db
from .editions import by_year, current_edition
from .events import queries
from .models import Broadcast, Edition, Event, Submission, Venue
from .submissions import links, operations

Row = TypeVar("Row")


def _found(row: Row | None) -> Row:
    if row is None:
        abort(404)
    return row


def current_edition_or_404() -> Edition:
    """Return the current edition, or answer 404 when none is set up."""
    return _found(current_edition())


def edition_or_404(year: int) -> Edition:
    """Return a year's edition, published or not (for staff), or answer 404."""
    return _found(by_year(year, published_only=False))


def broadcast_or_404(broadcast_id: int) -> Broadcast:
    """Return the broadcast, or answer 404."""
    return _found(broadcasts.get(broadcast_id))


def public_event_or_404(event_id: int) -> Event:
    """Return a published or cancelled session, or answer 404 (pending and rejected ones too)."""
    return _found(queries.get_public(event_id))


def _row_or_404(model, row_id: int, for_write: bool, belongs: Callable[[Any], bool] = lambda row: True):
    if for_write:
        begin_write()
    row = db.session.get(model, row_id)
    return _found(row if row is not None and belongs(row) else None)


def submission_or_404(submission_id: int, for_write: bool = False) -> Submission:
    """Return the submission (for the staff), or answer 404."""
    return _row_or_404(Submission, submission_id, for_write)


def submission_of_link(token: str) -> Submission:
    """Return the submission a school's secret edit link opens, or answer 404 with the invalid-link page."""
    submission = links.find_by_token(token)
    if submission is None:
        abort(Response(render_template("submit/link_invalid.html"), status=404))
    return submission


def event_of(submission: Submission, event_id: int, for_write: bool = False) -> Event:
    """Return one of the submission's sessions, or answer 404."""
    return _row_or_404(Event, event_id, for_write, lambda event: event.submission_id == submission.id)


def venue_of(submission: Submission, venue_id: int, for_write: bool = False) -> Venue:
    """Return one of the venues of the submission's sessions, or answer 404."""
    return _row_or_404(Venue, venue_id, for_write, lambda venue: venue in operations.venues_of(submission))
