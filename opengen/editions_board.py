"""The GEN team's list of editions: where each one stands, whether schools may submit, its sessions,
and what a new edition's form proposes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from .db import db
from .editions import (
    EditionDraft,
    accepts_submissions,
    current_id,
    every_edition,
    is_over,
    is_published,
    open_gen_week,
    today,
)
from .models import Edition, Event, EventStatus

STATE_LABELS = {
    "draft": _l("Brouillon (pas encore publiée)"),
    "upcoming": _l("À venir"),
    "running": _l("En cours"),
    "over": _l("Terminée"),
}
PUBLISH_AHEAD = timedelta(weeks=4)  # a new edition is proposed for publication a month ahead


def state(edition: Edition, day: date | None = None) -> str:
    """Return where the edition stands on `day`: draft, upcoming, running or over."""
    day = day or today()
    if not is_published(edition, day):
        return "draft"
    if day < edition.starts_on:
        return "upcoming"
    return "over" if is_over(edition, day) else "running"


@dataclass(frozen=True)
class EditionRow:
    """One edition as the GEN team's list shows it."""

    edition: Edition
    state: str
    submissions_open: bool
    is_current: bool
    sessions: dict[str, int]  # by status value, every status present

    @property
    def state_label(self) -> str:
        """The state in French."""
        return str(STATE_LABELS[self.state])


def sessions_by_edition() -> dict[int, dict[str, int]]:
    """Count every edition's sessions by status, in one query."""
    found: dict[int, dict[str, int]] = {}
    for edition_id, status, count in db.session.execute(
            select(Event.edition_id, Event.status, func.count(Event.id)).group_by(Event.edition_id, Event.status)):
        found.setdefault(edition_id, {})[EventStatus(status).value] = count
    return found


def board(day: date | None = None) -> list[EditionRow]:
    """Return every edition, newest first, with its state, submission window and session counts."""
    day = day or today()
    counts = sessions_by_edition()
    current = current_id(day)
    return [EditionRow(edition=edition, state=state(edition, day),
                       submissions_open=accepts_submissions(edition, day), is_current=edition.id == current,
                       sessions={s.value: counts.get(edition.id, {}).get(s.value, 0) for s in EventStatus})
            for edition in every_edition()]


def next_year(day: date | None = None) -> int:
    """Return the first year from today's whose Open Gen week is still ahead and has no edition."""
    day = day or today()
    taken = {edition.year for edition in every_edition()}
    year = day.year if day <= open_gen_week(day.year)[0] else day.year + 1
    while year in taken:
        year += 1
    return year


def proposal(day: date | None = None) -> EditionDraft:
    """Return what a new edition's form proposes: the next Open Gen week, schools submitting from
    today to its last day, published a month ahead (or today when the week is closer)."""
    day = day or today()
    year = next_year(day)
    starts_on, ends_on = open_gen_week(year)
    return EditionDraft(name=f"Open Gen {year}", starts_on=starts_on, ends_on=ends_on,
                        submissions_open_on=day, submissions_close_on=ends_on,
                        published_on=max(day, starts_on - PUBLISH_AHEAD))
