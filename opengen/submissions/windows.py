"""Which edition takes the schools' proposals, and what a school may still change of a session.

The rule: a session's details, time and venue can be changed while its edition takes proposals
(`editions.accepts_submissions`: its submission window is open, which it never is once the week is
over). After that the session is kept as read (an archive), except that a session still to come
can be cancelled until it starts, so that a school can always say it will not happen.
"""
from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from .. import editions
from ..checks import FieldError
from ..clock import is_past
from ..i18n import day_label
from ..models import Edition, Event, EventStatus

ACTIVE_STATUSES = (EventStatus.pending, EventStatus.published)


class SubmissionsClosed(FieldError):
    """No edition takes proposals today; the message says when the next window opens, if known."""

    def __init__(self, message: str):
        super().__init__("grid", message)


def open_edition(day: date | None = None) -> Edition | None:
    """Return the edition new proposals go to today (the newest with an open window), or None."""
    return editions.submission_edition(day)


def closed_message(day: date | None = None) -> str:
    """Return, in French, why proposals are refused today and when they open next if known."""
    day = day or editions.today()
    coming = [e for e in editions.every_edition() if e.submissions_open_on and e.submissions_open_on > day]
    if coming:
        edition = min(coming, key=lambda e: e.submissions_open_on)
        opens = edition.submissions_open_on
        return _("Les propositions de sessions sont fermées pour le moment. Elles ouvriront le %(day)s "
                 "pour %(name)s.", day=f"{day_label(opens)} {opens.year}", name=edition.name)
    return _("Les propositions de sessions sont fermées pour le moment. L’équipe de la Grande École du "
             "Numérique annoncera l’ouverture des propositions de la prochaine édition.")


def require_open_edition(edition: Edition | None = None, day: date | None = None) -> Edition:
    """Return the edition taking proposals (the given one if it still does); raise SubmissionsClosed."""
    edition = edition or open_edition(day)
    if edition is None or not editions.accepts_submissions(edition, day):
        raise SubmissionsClosed(closed_message(day))
    return edition


def accepts_changes(event: Event) -> bool:
    """Tell whether the session's edition still takes proposals and changes."""
    return event.edition is None or editions.accepts_submissions(event.edition)


def has_started(event: Event) -> bool:
    """Tell whether the session has begun (or is over)."""
    return is_past(event.start_at)


def may_edit(event: Event) -> bool:
    """Tell whether a school may still change the session's details, time or venue."""
    return event.status in ACTIVE_STATUSES and accepts_changes(event)


def may_cancel(event: Event) -> bool:
    """Tell whether a school may still cancel the session: while it may edit it, or until it starts."""
    return event.status in ACTIVE_STATUSES and (accepts_changes(event) or not has_started(event))


def why_locked(event: Event) -> str:
    """Return, in French, why the session can no longer be changed."""
    if event.status not in ACTIVE_STATUSES:
        return _("Cette session est annulée ou refusée : elle ne peut plus être modifiée.")
    return _("Les propositions de %(name)s sont closes : ses sessions ne peuvent plus être modifiées.",
             name=event.edition.name)


def check_editable(event: Event) -> None:
    """Raise FieldError when the session can no longer be changed."""
    if not may_edit(event):
        raise FieldError("title", why_locked(event))


def check_cancellable(event: Event) -> None:
    """Raise FieldError when the session can no longer be cancelled."""
    if not may_cancel(event):
        if event.status not in ACTIVE_STATUSES:
            raise FieldError("confirm", _("Cette session est déjà annulée ou refusée."))
        raise FieldError("confirm", _("Cette session a déjà commencé et les propositions de %(name)s sont "
                                      "closes : elle ne peut plus être annulée.", name=event.edition.name))


def is_archive(edition: Edition) -> bool:
    """Tell whether a school's sessions of this edition are kept as read (the edition takes no changes)."""
    return not editions.accepts_submissions(edition)
