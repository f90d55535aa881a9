"""Each session's calendar entry, kept in the database per version of what it is made of.

A session's VEVENT lines that depend on it alone (ics.entry_part) are stored in `calendar_entries`
with the version they were built from; triggers (migration 0010) bump the version on any change
to the session, its venue, its school, its families or their labels. A feed reads the stored
parts of its sessions in start order, in batches (a server-side cursor on PostgreSQL), and
writes each batch out at once, adding what depends on the feed (DTSTAMP, URL, TRANSP): no body
is ever held whole, and every process and server shares the entries.

An entry found stale (or never built: after the migration, or a change) is built from the
session's row as the batch is read, and written back in a short transaction of its own, only if
its version has not moved since it was read (so a change made meanwhile is never hidden).

Entries are written in the site's default locale: one stored text serves every subscriber.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Engine, Select, String, and_, bindparam, case, select, type_coerce, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..checks import web_url
from ..db import db
from ..events import queries
from ..events.labels import KIND_LABELS
from ..events.serialise import event_url
from ..events.validators import EPOCH
from ..models import CareerFamily, Event, EventCalendarEntry, EventFormat, EventStatus, School, Venue
from ..places.distance import is_coordinate
from .ics import CalendarEntry, entry_close, entry_part, entry_transp, uri_value

log = logging.getLogger(__name__)

# Bump it when the same row starts giving different lines: every stored entry is rebuilt.
FORMAT = "entries-2"
# Sessions read, built and written out together: about 400 KB of calendar.
BATCH = 500

_TABLE = EventCalendarEntry.__table__


@dataclass(frozen=True)
class Words:
    """The words of the entries, in the site's default locale (one stored text serves everyone)."""

    cancelled: str
    cancelled_note: str
    school: str
    online: str
    online_link: str
    registration: str
    page: str
    kinds: dict[str, str] = field(hash=False)
    english_families: bool = False


@dataclass(frozen=True)
class Writing:
    """What entries are read and written with, fixed in the app context before a stream starts."""

    engine: Engine
    format: str
    words: Words
    stored: bool = True  # the default language's entries are stored; another's are built as sent


def writing(locale: str | None = None) -> Writing:
    """Return what entries are written with now, in a language (the default one unless given;
    needs the app context)."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "fr")
    locale = locale or default
    with force_locale(locale):
        # "{}" stands for the value: French puts a space before the colon, English does not.
        words = Words(
            cancelled=_("Annulée : %(title)s", title="{}"), cancelled_note=_("Cette session est annulée."),
            school=_("École : %(school)s", school="{}"), online=_("En ligne"),
            online_link=_("Lien pour suivre en ligne : %(link)s", link="{}"),
            registration=_("Inscription : %(link)s", link="{}"), page=_("Plus d’informations"),
            kinds={key: str(label) for key, label in KIND_LABELS.items()}, english_families=locale == "en")
    return Writing(db.engine, f"{FORMAT}-{locale}", words, stored=locale == default)


@dataclass(frozen=True)
class StreamedEvent:
    """One public session of a feed: its id, its iCalendar status and its stored lines ('' if none)."""

    event_id: int
    status: str
    part: str


def vevents(scope: Select, writing: Writing, event_template: str, dtstamp: str,
            busy: bool) -> Iterator[str]:
    """Yield the VEVENTs of the public sessions of scope, in start order, a batch at a time.

    Needs no app context: it reads in a session of its own, closed when the stream ends or is dropped.
    """
    with Session(writing.engine) as session:
        yield from _vevents(session, scope, writing, event_template, dtstamp, busy)


def _vevents(session: Session, scope: Select, writing: Writing, event_template: str, dtstamp: str,
             busy: bool) -> Iterator[str]:
    for batch in streamed(session, scope, writing):
        yield "".join(
            item.part + entry_close(item.part, uri_value(event_url(event_template, item.event_id)),
                                    dtstamp, entry_transp(item.status, busy))
            for item in batch if item.part)


def streamed(session: Session, scope: Select, writing: Writing) -> Iterator[list[StreamedEvent]]:
    """Yield the public sessions of scope with their stored lines, in batches, building stale ones
    (in another language than the default, every entry is built as it is sent, and not stored)."""
    base = scope.where(Event.status.in_(queries.PUBLIC_STATUSES)).order_by(None).subquery()
    if not writing.stored:
        yield from _built_as_sent(session, base, writing)
        return
    entry = EventCalendarEntry
    stmt = (select(base.c.id, type_coerce(base.c.status, String), entry.version,
                   case((_fresh(writing), entry.body), else_=None))
            .outerjoin(entry, entry.event_id == base.c.id)
            .order_by(base.c.start_at, base.c.id))
    result = session.execute(stmt, execution_options={"yield_per": BATCH})
    cancelled = EventStatus.cancelled.value
    for rows in result.partitions():
        stale = {event_id: version for event_id, _, version, body in rows if body is None}
        built = build(session, stale, writing) if stale else {}
        yield [StreamedEvent(event_id, "CANCELLED" if status == cancelled else "CONFIRMED",
                             built[event_id] if body is None else body)
               for event_id, status, _, body in rows]


def _built_as_sent(session: Session, base, writing: Writing) -> Iterator[list[StreamedEvent]]:
    stmt = select(base.c.id, type_coerce(base.c.status, String)).order_by(base.c.start_at, base.c.id)
    result = session.execute(stmt, execution_options={"yield_per": BATCH})
    cancelled = EventStatus.cancelled.value
    for rows in result.partitions():
        parts = dict.fromkeys((event_id for event_id, _ in rows), "")
        scope = select(Event).where(Event.id.in_(list(parts)))
        for event_id, entry in event_entries(session, scope, writing.words, None):
            parts[event_id] = entry_part(entry)
        yield [StreamedEvent(event_id, "CANCELLED" if status == cancelled else "CONFIRMED", parts[event_id])
               for event_id, status in rows]


def _fresh(writing: Writing):
    """Whether an entry (outer-joined: its row may be missing) was built from its current version."""
    entry = EventCalendarEntry
    return and_(entry.built_version.is_not(None), entry.built_version == entry.version,
                entry.built_format == writing.format)


def build(session: Session, versions: dict[int, int | None], writing: Writing) -> dict[int, str]:
    """Build the entries of these sessions (id: the version read before), store them, return them.

    A session the calendar format cannot hold gets an empty entry (and is left out of feeds).
    """
    scope = select(Event).where(Event.id.in_(list(versions)))
    parts = dict.fromkeys(versions, "")
    for event_id, entry in event_entries(session, scope, writing.words, None):
        parts[event_id] = entry_part(entry)
    _store(writing, versions, parts)
    return parts


def _store(writing: Writing, versions: dict[int, int | None], parts: dict[int, str]) -> None:
    """Write entries back, each only if its version is still the one read before it was built."""
    rows = [{"b_id": i, "b_version": v, "b_body": parts[i]} for i, v in versions.items() if v is not None]
    missing = [{"event_id": i, "version": 0, "built_version": 0, "built_format": writing.format,
                "body": parts[i]} for i, v in versions.items() if v is None]
    statement = (update(_TABLE)
                 .where(_TABLE.c.event_id == bindparam("b_id"), _TABLE.c.version == bindparam("b_version"))
                 .values(body=bindparam("b_body"), built_version=bindparam("b_version"),
                         built_format=writing.format))
    dialect = postgresql if writing.engine.dialect.name == "postgresql" else sqlite
    try:
        # Its own connection and transaction: the feed's read goes on meanwhile.
        with writing.engine.begin() as connection:
            if rows:
                connection.execute(statement, rows)
            if missing:  # no row yet (written before the triggers existed): add it
                connection.execute(dialect.insert(_TABLE).on_conflict_do_nothing(), missing)
    except SQLAlchemyError as error:  # a lock or a lost connection: built again on the next read
        log.warning("Calendar entries not stored: %s", error)


def build_stale(scope: Select) -> int:
    """Build every stale entry among the public sessions of scope; return how many there were."""
    made = writing()
    base = scope.where(Event.status.in_(queries.PUBLIC_STATUSES)).order_by(None).subquery()
    entry = EventCalendarEntry
    stmt = (select(base.c.id, entry.version).outerjoin(entry, entry.event_id == base.c.id)
            .where(~_fresh(made)).order_by(base.c.id))
    stale = db.session.execute(stmt).all()  # the versions are read before the rows they are built from
    for start in range(0, len(stale), BATCH):
        build(db.session, dict(stale[start:start + BATCH]), made)
    return len(stale)


# --------------------------------------------------------------------------- sessions' rows

def event_entries(session: Session, scope: Select, words: Words,
                  event_template: str | None) -> Iterator[tuple[int, CalendarEntry]]:
    """The calendar entries of the public sessions of scope, in start order, with their ids.

    Their URL is the session's page (event_template with its id), or none without a template.
    """
    base = scope.where(Event.status.in_(queries.PUBLIC_STATUSES)).order_by(None).subquery()
    # Enumerations are read as their stored strings: converting 30,000 of them costs more than
    # comparing strings. CREATED is optional and left out: every date read costs a parse.
    stmt = (select(base.c.id, base.c.uid, base.c.sequence, base.c.title, base.c.description,
                   type_coerce(base.c.kind, String), type_coerce(base.c.format, String),
                   base.c.online_url, base.c.registration_url, type_coerce(base.c.status, String),
                   base.c.start_at, base.c.end_at, base.c.updated_at, School.name, Venue.name,
                   Venue.address, Venue.postcode, Venue.city, Venue.lat, Venue.lon)
            .join(School, School.id == base.c.school_id)
            .outerjoin(Venue, Venue.id == base.c.venue_id)
            .order_by(base.c.start_at, base.c.id))
    families: dict[int, list[str]] = {}
    label_column = CareerFamily.label_en if words.english_families else CareerFamily.label_fr
    for event_id, label in session.execute(queries.family_links(select(base.c.id), label_column)):
        families.setdefault(event_id, []).append(label)
    for row in session.execute(stmt):
        url = event_url(event_template, row[0]) if event_template is not None else None
        try:
            yield row[0], _event_entry(row, families.get(row[0], []), words, url)
        except (ValueError, TypeError) as error:
            # The forms prevent such rows (an end before the start, a year 1); one must never
            # take a feed down.
            log.warning("Left out of a calendar feed: %s", error)


def _event_entry(row, family_labels: list[str], words: Words, url: str | None) -> CalendarEntry:
    """One session as a calendar entry; its page is its URL, and ends its description."""
    (event_id, uid, sequence, title, description, kind, fmt, online_url, registration_url, status,
     start, end, updated, school, venue_name, address, postcode, city, lat, lon) = row
    cancelled = status == EventStatus.cancelled.value
    on_site = fmt != EventFormat.online.value and venue_name is not None

    lines = [words.cancelled_note, ""] if cancelled else []
    if description:
        lines += [description, ""]
    # The kind is among the CATEGORIES, the format shows in LOCATION and the online link.
    lines.append(words.school.replace("{}", school))
    if fmt != EventFormat.onsite.value and web_url(online_url):
        lines.append(words.online_link.replace("{}", online_url.strip()))
    if web_url(registration_url) and not cancelled:
        lines.append(words.registration.replace("{}", registration_url.strip()))

    if on_site:
        town = " ".join(p for p in (postcode, city) if p)
        location = ", ".join(p for p in (venue_name, address, town) if p)
    else:
        location = words.online
    geo = (lat, lon) if on_site and is_coordinate(lat, lon) else None
    return CalendarEntry(
        uid=uid, sequence=max(0, sequence or 0),
        summary=words.cancelled.replace("{}", title) if cancelled else title,
        description="\n".join(lines), start=start, end=end, location=location, geo=geo, url=url,
        categories=tuple(family_labels) + ((words.kinds[kind],) if kind in words.kinds else ()),
        status="CANCELLED" if cancelled else "CONFIRMED",
        last_modified=updated or EPOCH, created=None, link_label=words.page)
