"""Likely duplicates and double bookings among the schools' proposals: warnings before saving,
and the check that keeps an import from saving a session twice."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, select

from ..db import db
from ..models import Event, School, Venue
from ..places.venues import VenueDraft, normalise
from .schools import find_school
from .windows import ACTIVE_STATUSES

if TYPE_CHECKING:
    from .operations import SubmissionDraft

# Titles at least this similar (difflib ratio of normalised text) count as the same session.
DUPLICATE_RATIO = 0.85


@dataclass(frozen=True)
class Candidate:
    """The columns of an existing session that the checks compare, read without loading it."""

    id: int
    title: str
    school_id: int
    school_name: str
    start_at: datetime
    address: str | None
    postcode: str | None
    has_venue: bool


def _same_place(candidate: Candidate, draft: VenueDraft | None) -> bool:
    if draft is None or not candidate.has_venue:
        return draft is None and not candidate.has_venue
    return (normalise(candidate.address or ""), candidate.postcode) == draft.key


def _candidates(start: datetime, end: datetime, venue: VenueDraft | None, who: ColumnElement[bool]
                ) -> list[Candidate]:
    """Active sessions chosen by `who` overlapping the slot at the draft's postcode (or with no venue,
    as the draft), read as columns: the indexes on school and on start keep this to a few rows."""
    stmt = (select(Event.id, Event.title, Event.school_id, School.name, Event.start_at, Venue.address,
                   Venue.postcode, Venue.id.is_not(None))
            .join(School, School.id == Event.school_id)
            .outerjoin(Venue, Venue.id == Event.venue_id)
            .where(who, Event.status.in_(ACTIVE_STATUSES), Event.start_at < end, Event.end_at > start,
                   Event.venue_id.is_(None) if venue is None else Venue.postcode == venue.postcode)
            .order_by(Event.id))
    return [Candidate(*row) for row in db.session.execute(stmt)]


def similar_titles(a: str, b: str) -> bool:
    """Tell whether two titles are near-identical (case, accents and punctuation aside)."""
    a, b = normalise(a), normalise(b)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= DUPLICATE_RATIO


def warnings_for(draft: SubmissionDraft, exclude: tuple[int, ...] = ()) -> list[str]:
    """Return French warnings: the school already busy there then, or a likely duplicate."""
    school = find_school(draft.school_name)
    messages: list[str] = []
    for start, end in draft.slots:
        # Two queries, each on its own index (an OR would scan every session starting before the end).
        found = {event.id: event for event in _candidates(start, end, draft.venue, Event.start_at == start)}
        if school is not None:
            found.update((event.id, event) for event in
                         _candidates(start, end, draft.venue, Event.school_id == school.id))
        for event in sorted(found.values(), key=lambda candidate: candidate.id):
            if event.id in exclude or not _same_place(event, draft.venue):
                continue
            when = start.strftime("%d/%m %H:%M")
            if similar_titles(event.title, draft.details.title) and event.start_at == start:
                messages.append(_("Doublon probable : « %(title)s » (%(school)s) est déjà proposée au "
                                  "même endroit le %(when)s.", title=event.title,
                                  school=event.school_name, when=when))
            elif school is not None and event.school_id == school.id:
                messages.append(_("Votre école a déjà une session à ce lieu qui chevauche le créneau du "
                                  "%(when)s : « %(title)s ».", title=event.title, when=when))
    return list(dict.fromkeys(messages))


def same_session(candidate: Candidate, draft: SubmissionDraft, start: datetime) -> bool:
    """Tell whether an existing session is this draft's at `start`: same time, place and title."""
    return (candidate.start_at == start and _same_place(candidate, draft.venue)
            and similar_titles(candidate.title, draft.details.title))


def candidates_of(school_ids: set[int], starts: set[datetime]) -> dict[tuple[int, datetime], list[Candidate]]:
    """The active sessions of these schools starting at these times, by (school, start), in one
    query (an import checks a batch of rows with it)."""
    if not school_ids or not starts:
        return {}
    stmt = (select(Event.id, Event.title, Event.school_id, School.name, Event.start_at, Venue.address,
                   Venue.postcode, Venue.id.is_not(None))
            .join(School, School.id == Event.school_id)
            .outerjoin(Venue, Venue.id == Event.venue_id)
            .where(Event.school_id.in_(school_ids), Event.start_at.in_(starts),
                   Event.status.in_(ACTIVE_STATUSES))
            .order_by(Event.id))
    found: dict[tuple[int, datetime], list[Candidate]] = {}
    for row in db.session.execute(stmt):
        candidate = Candidate(*row)
        found.setdefault((candidate.school_id, candidate.start_at), []).append(candidate)
    return found
