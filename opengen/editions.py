"""Open Gen year after year: which edition the site is about, which ones are archives, which one
takes the schools' proposals, and how staff create and change them.

The current edition is the latest one already published (its publication day has come); until
a new one is published the site stays on the last, shown as over once its week has passed.
Schools propose sessions to the edition whose submission window is open.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select

from .checks import FieldError
from .clock import now
from .db import db
from .models import Edition
from .timezones import PARIS_NAME, paris
from .versioned import Kept

WEEK_DAYS = 6  # Monday to Saturday


def today() -> date:
    """Return today's date in Paris (the site's clock, FROZEN_NOW in tests)."""
    return paris(now()).date()


def open_gen_week(year: int) -> tuple[date, date]:
    """Return the Monday and Saturday of a year's Open Gen week: the week holding the last
    Monday of November, unless OPEN_GEN_WEEK_START (an ISO date) says otherwise for that year."""
    configured = current_app.config.get("OPEN_GEN_WEEK_START")
    if configured:
        start = configured if isinstance(configured, date) else date.fromisoformat(str(configured))
        if start.year == year:
            return start, start + timedelta(days=WEEK_DAYS - 1)
    last = date(year, 11, 30)
    monday = last - timedelta(days=last.weekday())
    return monday, monday + timedelta(days=WEEK_DAYS - 1)


def _published(day: date):
    return or_(Edition.published_on.is_(None), Edition.published_on <= day)


# Which edition is current, per data version and day: asked by nearly every request.
_CURRENT = Kept(64 * 1024, size=lambda _found: 64)


def _current(day: date) -> tuple[int, int] | None:
    """(id, year) of the edition the site is about on `day`, kept per data version and day."""
    def build() -> tuple[int, int] | None:
        row = db.session.execute(select(Edition.id, Edition.slug).where(_published(day))
                                 .order_by(Edition.starts_on.desc()).limit(1)).first()
        return None if row is None else (row[0], int(row[1]))

    return _CURRENT.current(("current-edition", day), build)


def current_id(day: date | None = None) -> int | None:
    """Return the id of the edition the site is about on `day` (today by default), or None."""
    found = _current(day or today())
    return None if found is None else found[0]


def id_of(year: int, day: date | None = None) -> int | None:
    """Return the id of a year's published edition, or None."""
    day = day or today()
    return _CURRENT.current(("edition-of", year, day), lambda: db.session.scalar(
        select(Edition.id).where(Edition.slug == str(year), _published(day))))


def current_edition(day: date | None = None) -> Edition | None:
    """Return the edition the site is about: the latest published one."""
    found = current_id(day)
    return None if found is None else db.session.get(Edition, found)


def current_year() -> int | None:
    """Return the year of the current edition, or None when there is none."""
    found = _current(today())
    return None if found is None else found[1]


def by_year(year: int, published_only: bool = True) -> Edition | None:
    """Return the edition of a year (only once published, unless asked), or None."""
    stmt = select(Edition).where(Edition.slug == str(year))
    if published_only:
        stmt = stmt.where(_published(today()))
    return db.session.scalars(stmt).first()


def asked(year: int | None) -> Edition | None:
    """Return the edition a request names by its year, else the current one (None if there is
    none); raise FieldError, in French, for a year that has no published edition."""
    if year is None:
        return current_edition()
    found = by_year(year)
    if found is None:
        raise FieldError("edition", _("Édition inconnue : %(value)s.", value=year))
    return found


def published(day: date | None = None) -> list[Edition]:
    """Return the editions visitors may read, newest first."""
    return list(db.session.scalars(select(Edition).where(_published(day or today()))
                                   .order_by(Edition.starts_on.desc())))


def every_edition() -> list[Edition]:
    """Return every edition, published or not, newest first (for the GEN team)."""
    return list(db.session.scalars(select(Edition).order_by(Edition.starts_on.desc())))


def is_published(edition: Edition, day: date | None = None) -> bool:
    """Tell whether visitors may read the edition on `day` (the same rule as the queries above)."""
    return edition.published_on is None or edition.published_on <= (day or today())


def is_over(edition: Edition, day: date | None = None) -> bool:
    """Tell whether the edition's week has passed."""
    return (day or today()) > edition.ends_on


def is_archive(edition: Edition, day: date | None = None) -> bool:
    """Tell whether an edition is kept for reading only: over, or followed by a newer current one."""
    day = day or today()
    return is_over(edition, day) or edition.id != current_id(day)


def submissions_close_on(edition: Edition) -> date:
    """Return the last day schools may propose sessions to the edition."""
    return edition.submissions_close_on or edition.ends_on


def accepts_submissions(edition: Edition, day: date | None = None) -> bool:
    """Tell whether schools may propose or change sessions of the edition on `day`."""
    day = day or today()
    opens = edition.submissions_open_on
    return (opens is None or opens <= day) and day <= submissions_close_on(edition)


def submission_edition(day: date | None = None) -> Edition | None:
    """Return the edition that takes schools' proposals today (the newest open one), or None."""
    day = day or today()
    for edition in every_edition():
        if accepts_submissions(edition, day):
            return edition
    return None


@dataclass(frozen=True)
class EditionDraft:
    """What staff enter for an edition."""

    name: str
    starts_on: date
    ends_on: date
    submissions_open_on: date | None = None
    submissions_close_on: date | None = None
    published_on: date | None = None
    timezone: str = PARIS_NAME


def check(draft: EditionDraft, editing: Edition | None = None) -> None:
    """Raise FieldError, in French, when the dates do not make an edition."""
    if draft.ends_on < draft.starts_on:
        raise FieldError("ends_on", _("La fin doit suivre le début."))
    if (draft.ends_on - draft.starts_on).days > 30:
        raise FieldError("ends_on", _("Une édition dure au plus un mois."))
    if draft.starts_on.year != draft.ends_on.year:
        raise FieldError("ends_on", _("Une édition commence et finit la même année."))
    if (draft.submissions_open_on and draft.submissions_close_on
            and draft.submissions_close_on < draft.submissions_open_on):
        raise FieldError("submissions_close_on",
                         _("La clôture des propositions doit suivre leur ouverture."))
    if draft.submissions_close_on and draft.submissions_close_on > draft.ends_on:
        raise FieldError("submissions_close_on",
                         _("Les propositions ferment au plus tard le dernier jour de l’édition."))
    other = db.session.scalars(select(Edition).where(Edition.slug == str(draft.starts_on.year))).first()
    if other is not None and other is not editing:
        raise FieldError("starts_on", _("Il existe déjà une édition %(year)s.", year=draft.starts_on.year))


def create(draft: EditionDraft) -> Edition:
    """Create an edition from staff's entry (checked); flush and return it."""
    check(draft)
    edition = Edition(slug=str(draft.starts_on.year))
    _fill(edition, draft)
    db.session.add(edition)
    db.session.flush()
    return edition


def update(edition: Edition, draft: EditionDraft) -> Edition:
    """Change an edition from staff's entry (checked); its sessions keep their dates."""
    check(draft, editing=edition)
    edition.slug = str(draft.starts_on.year)
    _fill(edition, draft)
    db.session.flush()
    return edition


def _fill(edition: Edition, draft: EditionDraft) -> None:
    for name in ("name", "starts_on", "ends_on", "submissions_open_on", "submissions_close_on",
                 "published_on", "timezone"):
        setattr(edition, name, getattr(draft, name))


def ensure_week_edition(year: int, name: str | None = None) -> Edition:
    """Return the edition of a year, creating it on that year's Open Gen week if missing."""
    found = by_year(year, published_only=False)
    if found is not None:
        return found
    starts_on, ends_on = open_gen_week(year)
    return create(EditionDraft(name=name or f"Open Gen {year}", starts_on=starts_on, ends_on=ends_on))
