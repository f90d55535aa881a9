"""Likely duplicates and double bookings among the schools' proposals: warnings before saving,
and the check that keeps an import from saving a session twice."""
from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..models import Event
from ..places.venues import VenueDraft, normalise
from .schools import find_school
from .windows import ACTIVE_STATUSES

if TYPE_CHECKING:
    from .operations import SubmissionDraft

# Titles at least this similar (difflib ratio of normalised text) count as the same session.
DUPLICATE_RATIO = 0.85


def _same_place(event: Event, draft: VenueDraft | None) -> bool:
    if draft is None or event.venue is None:
        return draft is None and event.venue is None
    return (normalise(event.venue.address or ""), event.venue.postcode) == draft.key


def _overlapping(start: datetime, end: datetime) -> list[Event]:
    return list(db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.school))
        .where(Event.status.in_(ACTIVE_STATUSES), Event.start_at < end, Event.end_at > start)))


def similar_titles(a: str, b: str) -> bool:
    """Tell whether two titles are near-identical (case, accents and punctuation aside)."""
    a, b = normalise(a), normalise(b)
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= DUPLICATE_RATIO


def warnings_for(draft: SubmissionDraft, exclude: tuple[int, ...] = ()) -> list[str]:
    """Return French warnings: the school already busy there then, or a likely duplicate."""
    school = find_school(draft.school_name)
    messages: list[str] = []
    for start, end in draft.slots:
        for event in _overlapping(start, end):
            if event.id in exclude or not _same_place(event, draft.venue):
                continue
            when = start.strftime("%d/%m %H:%M")
            if similar_titles(event.title, draft.details.title) and event.start_at == start:
                messages.append(_("Doublon probable : « %(title)s » (%(school)s) est déjà proposée au "
                                  "même endroit le %(when)s.", title=event.title,
                                  school=event.school.name, when=when))
            elif school is not None and event.school_id == school.id:
                messages.append(_("Votre école a déjà une session à ce lieu qui chevauche le créneau du "
                                  "%(when)s : « %(title)s ».", title=event.title, when=when))
    return list(dict.fromkeys(messages))


def is_duplicate(draft: SubmissionDraft) -> bool:
    """Tell whether the same school already has this title at this time and place (for imports)."""
    school = find_school(draft.school_name)
    if school is None:
        return False
    for start, end in draft.slots:
        for event in _overlapping(start, end):
            if (event.school_id == school.id and event.start_at == start and _same_place(event, draft.venue)
                    and similar_titles(event.title, draft.details.title)):
                return True
    return False
