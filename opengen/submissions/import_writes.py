"""Writing a CSV import's checked rows: in batches of a few hundred rows with one flush each
(one INSERT per table, not several per row), one query per batch for the sessions they may repeat;
a batch the database refuses is written again row by row, so that only the bad row is lost."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import SQLAlchemyError

from ..db import db
from ..models import CareerFamily, School, Submission, Venue
from ..places import venues
from ..places.venues import normalise
from . import duplicates, operations
from .schools import find_schools, name_key

@dataclass
class RejectedRow:
    """A line of the file that was not imported, and why: (column, French message) pairs."""

    line: int
    problems: list[tuple[str, str]]


@dataclass
class ImportReport:
    """What an import did: sessions imported, rows refused, the edit links to send."""

    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    links: list[tuple[Submission, str]] = field(default_factory=list)
    pending_geocoding: int = 0
    file_error: str | None = None


Ready = tuple[int, operations.SubmissionDraft, venues.Location | None]


# Rows written per flush: one INSERT per table for the batch instead of several per row.
BATCH_ROWS = 250
DUPLICATE_MESSAGE = _l("Cette session existe déjà (même école, même titre, même lieu, même heure).")


@dataclass
class _Saving:
    """What the rows saved so far share: schools, submissions, venues, and their sessions (to
    refuse a row that repeats an earlier one)."""

    schools: dict[str, School]
    groups: dict[tuple[str, str], operations.Submitted] = field(default_factory=dict)
    venues: dict[tuple, Venue] = field(default_factory=dict)
    saved: dict[tuple[str, datetime], list[duplicates.Candidate]] = field(default_factory=dict)

    def copy(self) -> _Saving:
        """A copy to go back to when a batch is refused (the rows' lists copied too)."""
        return _Saving(dict(self.schools), dict(self.groups), dict(self.venues),
                       {key: list(found) for key, found in self.saved.items()})


def save_rows(ready: list[Ready], edition, families: dict[str, CareerFamily], client_key: str | None,
              report: ImportReport) -> None:
    """Write the checked rows in batches (one flush each), each row whole or not at all; refuse
    a row that repeats a session of its school, saved before or earlier in the file."""
    state = _Saving(find_schools({draft.school_name for _number, draft, _location in ready}))
    for first in range(0, len(ready), BATCH_ROWS):
        batch = ready[first:first + BATCH_ROWS]
        if not _save_batch(batch, edition, families, client_key, state, report):
            # Find the row the database refused: each row alone, whole or not at all.
            for row in batch:
                if not _save_batch([row], edition, families, client_key, state, report):
                    report.rejected.append(RejectedRow(row[0], [("", _(
                        "Ligne non enregistrée (erreur de base de données) : réessayez."))]))
    report.links = [(submitted.submission, submitted.token) for submitted in state.groups.values()]


def _save_batch(batch: list[Ready], edition, families: dict[str, CareerFamily], client_key: str | None,
                state: _Saving, report: ImportReport) -> bool:
    """Write a batch of checked rows with one flush; tell whether the database took it (if not,
    nothing of it stays and `state` is as before)."""
    before = state.copy()
    schools = (state.schools.get(name_key(draft.school_name)) for _number, draft, _location in batch)
    existing = duplicates.candidates_of(
        {school.id for school in schools if school is not None and school.id is not None},
        {start for _number, draft, _location in batch for start, _end in draft.slots})
    refused: list[RejectedRow] = []
    imported = pending = 0
    try:
        with db.session.begin_nested():
            for number, draft, location in batch:
                if _repeats(draft, state, existing):
                    refused.append(RejectedRow(number, [("titre", str(DUPLICATE_MESSAGE))]))
                    continue
                _add_row(draft, location, edition, families, client_key, state)
                imported += 1
                pending += draft.venue is not None and (location is None or location.pending)
            db.session.flush()
    except SQLAlchemyError as error:
        current_app.logger.exception("CSV rows %s-%s could not be saved", batch[0][0], batch[-1][0],
                                     exc_info=error)
        state.__dict__.update(before.__dict__)
        return False
    report.rejected.extend(refused)
    report.imported += imported
    report.pending_geocoding += pending
    return True


def _repeats(draft: operations.SubmissionDraft, state: _Saving,
             existing: dict[tuple[int, datetime], list[duplicates.Candidate]]) -> bool:
    """Tell whether the school already has this session, saved before or earlier in the file."""
    key = name_key(draft.school_name)
    school = state.schools.get(key)
    for start, _end in draft.slots:
        found = state.saved.get((key, start), [])
        if school is not None and school.id is not None:
            found = found + existing.get((school.id, start), [])
        if any(duplicates.same_session(candidate, draft, start) for candidate in found):
            return True
    return False


def _add_row(draft: operations.SubmissionDraft, location: venues.Location | None, edition,
             families: dict[str, CareerFamily], client_key: str | None, state: _Saving) -> None:
    """Add one row's school, submission, venue and sessions to the session, without flushing."""
    group_key = (normalise(draft.school_name), draft.contact_email)
    submitted = state.groups.get(group_key)
    if submitted is None:
        submitted = state.groups[group_key] = operations.start_submission(
            draft.school_name, draft.contact_email, draft.school_website, client_key=client_key,
            known=state.schools, flush=False)
    venue = None
    if draft.venue is not None:
        venue_key = (group_key, draft.venue.key, draft.venue.name)
        venue = state.venues.get(venue_key)
        if venue is None:
            venue = state.venues[venue_key] = venues.create_venue(
                submitted.submission.school, draft.venue, location, flush=False)
    for event in operations.add_sessions(submitted, draft, venue, edition, families, flush=False):
        operations.log("imported", draft.contact_email, event=event, submission=submitted.submission)
    school_name = submitted.submission.school.name
    for start, _end in draft.slots:
        state.saved.setdefault((name_key(draft.school_name), start), []).append(duplicates.Candidate(
            0, draft.details.title, 0, school_name, start, draft.venue.address if draft.venue else None,
            draft.venue.postcode if draft.venue else None, draft.venue is not None))
