"""Calendar feeds of the public sessions and of the morning broadcasts: contents and validators.

A feed is known in two steps. Its validators (ETag, Last-Modified) come from one small aggregate
query over the events it covers, so a calendar app polling with If-None-Match gets its 304 for
the price of that query; the body is made only when it is read. The body depends only on the
data (DTSTAMP is the feed's Last-Modified, not the clock), so one state gives one ETag and one
body. This relies on every change to a session bumping its `updated_at` (and its `sequence`),
which is what calendar clients need to notice edits anyway.

The sessions' feeds are streamed from their entries kept in the database (feeds/entries.py):
a worker holds one batch of sessions at a time, whatever the size of the feed.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import chain

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from ..broadcasts import showings
from ..checks import web_url
from ..db import db, utcnow
from .. import editions
from ..events import queries, validators
from ..events.families import BY_SLUG
from ..events.filters import EventFilters
from ..events.validators import EPOCH
from ..events.labels import FORMAT_LABELS, KIND_LABELS
from ..events.serialise import event_url
from ..i18n import day_label, family_label, locale_key
from ..models import Broadcast, Event, EventStatus, School
from ..timezones import PARIS_NAME
from ..versioned import Kept
from . import entries
from .ics import CALENDAR_END, CalendarEntry, build_calendar, calendar_head, stamp_value

log = logging.getLogger(__name__)

# Part of every ETag: bump it when the same data starts giving a different body.
FORMAT_VERSION = "feeds-2"
REFRESH = timedelta(hours=1)
ALL_STATUSES = tuple(EventStatus)
_STATES = Kept(1024 * 1024, size=lambda _state: 256)


@dataclass(frozen=True)
class FeedLinks:
    """The absolute URLs a feed writes: a session's page (with events.EVENT_ID for its id), the site's page."""

    event: str
    page: str

    def event_url(self, event_id: int) -> str:
        """Return the page address of one session."""
        return event_url(self.event, event_id)


class Feed:
    """A calendar's validators and size, known from one small query, and its body, made when read.

    `chunks()` streams the body from the kept entries (what the views send); `whole()` builds
    the same bytes at once from the sessions' rows (what the tests compare the stream with).
    """

    def __init__(self, etag: str, last_modified: datetime, count: int,
                 chunks: Callable[[datetime], Iterator[bytes]], whole: Callable[[datetime], bytes]):
        self.etag = etag
        self.last_modified = last_modified
        self.count = count  # the events it holds
        self._chunks = chunks
        self._whole = whole

    def chunks(self) -> Iterator[bytes]:
        """The iCalendar bytes, a batch of sessions at a time; the iterator needs no app context."""
        return self._chunks(self.last_modified)

    def whole(self) -> bytes:
        """The iCalendar bytes, built at once."""
        return self._whole(self.last_modified)


# --------------------------------------------------------------------------- the feeds

def search_feed(filters: EventFilters, links: FeedLinks) -> Feed:
    """Return the feed of the public sessions matching the filters (the /calendar.ics feed)."""
    scope = queries.filtered(filters, statuses=ALL_STATUSES)
    # The calendar is what the subscriber asked for (without a year: the current edition, year
    # after year); its validators are those of the edition it holds now.
    asked = "&".join(f"{k}={v}" for k, v in filters.key())
    bound = "&".join(f"{k}={v}" for k, v in queries.in_edition(filters).key())
    # The search as asked is in the validators too: its name and UID differ from an equivalent one's.
    return _event_feed(scope, ("search", bound, asked, links), name=lambda: search_name(filters),
                       calendar_uid=f"search-{_digest(asked)}@opengen",
                       description=_("Les sessions Open Gen de cette recherche, mises à jour "
                                     "automatiquement (changements et annulations compris)."),
                       links=links, busy=False)


def event_feed(event_id: int, links: FeedLinks) -> Feed | None:
    """Return the feed holding one public session, or None if it is not public."""
    scope = select(Event).where(Event.id == event_id)
    feed = _event_feed(scope, ("event", event_id, links),
                       name=lambda: _session_title(event_id),
                       calendar_uid=f"event-{event_id}@opengen", description=None,
                       links=links, busy=True)
    return feed if feed.count else None


def _session_title(event_id: int) -> str:
    """The title of a session, as the name of its own calendar (never blank: a name is required)."""
    title = db.session.scalar(select(Event.title).where(Event.id == event_id))
    return (title or "").strip() or "Open Gen"


def programme_feed(ids: Iterable[int], links: FeedLinks) -> Feed:
    """Return the feed of a personal programme: the chosen sessions still public, cancelled included."""
    ids = sorted(set(ids))
    scope = select(Event).where(Event.id.in_(ids))
    key = ",".join(map(str, ids))
    return _event_feed(scope, ("programme", key, links), name=lambda: _("Mon programme Open Gen"),
                       calendar_uid=f"programme-{_digest(key)}@opengen",
                       description=_("Les sessions Open Gen que j’ai choisies."),
                       links=links, busy=True)


def broadcasts_feed(links: FeedLinks, year: int | None = None) -> Feed:
    """Return the feed of an edition's morning broadcasts (the year's, else the current
    edition's; empty without an edition)."""
    edition = editions.asked(year)
    edition_id = edition.id if edition is not None else None
    scope = select(Broadcast).where(Broadcast.edition_id == edition_id)
    sub = scope.subquery()
    row = db.session.execute(select(
        func.count(sub.c.id), func.sum(sub.c.id), func.sum(sub.c.sequence),
        func.max(sub.c.updated_at))).one()
    state, etag = validators.State.of(row, (FORMAT_VERSION, locale_key(), "broadcasts", edition_id, links))

    def build(stamp: datetime) -> bytes:
        shows = [] if edition is None else showings.lineup(edition)
        made = (_entry(_broadcast_entry, show, links) for show in shows)
        entries = [entry for entry in made if entry is not None]
        return build_calendar(entries, name=_("Open Gen : émissions du matin"),
                              calendar_uid="broadcasts@opengen", stamp=stamp,
                              description=_("Les émissions en direct de la semaine Open Gen, "
                                            "une par matinée, par famille de métiers."),
                              url=links.page, refresh=REFRESH, tzid=PARIS_NAME)

    return Feed(etag, state.last_modified, state.count, lambda stamp: iter((build(stamp),)), build)


def build_stale_entries() -> int:
    """Build the stale calendar entries of every public session; return how many were built."""
    return entries.build_stale(select(Event))


def search_name(filters: EventFilters) -> str:
    """Return the French name of the calendar of a search, e.g. « Open Gen · Data · lundi 29 novembre »."""
    parts = ["Open Gen" if filters.edition is None else f"Open Gen {filters.edition}"]
    if filters.family:
        parts.append(family_label(BY_SLUG[filters.family]))
    if filters.kind:
        parts.append(str(KIND_LABELS[filters.kind.value]))
    if filters.format:
        parts.append(str(FORMAT_LABELS[filters.format]))
    if filters.day:
        parts.append(day_label(filters.day))
    if filters.school is not None:
        school = db.session.get(School, filters.school)
        if school is not None:
            parts.append(school.name)
    # A search around a place: « à 30 km de 93200 ».
    place, radius = filters.q, filters.radius_km
    if place and radius:
        parts.append(_("à %(km)s km de %(place)s", km=format_decimal(radius), place=place))
    elif place:
        parts.append(_("près de %(place)s", place=place))
    return " · ".join(parts)


# --------------------------------------------------------------------------- sessions

def _event_feed(scope: Select, parts: tuple, *, name: Callable[[], str], calendar_uid: str,
                description: str | None, links: FeedLinks, busy: bool) -> Feed:
    """A feed of the public events among `scope` (a select of events, any status)."""
    # The aggregate depends on rows that the data version follows: kept per version, a poll
    # costs one primary-key read while nothing changes.
    state, etag = _STATES.current((FORMAT_VERSION, locale_key(), *parts),
                                  lambda: validators.state_of(scope, (FORMAT_VERSION, locale_key(), *parts)))
    head = partial(calendar_head, description=description, url=links.page, refresh=REFRESH, tzid=PARIS_NAME)

    def chunks(stamp: datetime) -> Iterator[bytes]:
        # What needs the app context is made now; the sessions are read as the bytes are sent.
        start = head(name=name(), calendar_uid=calendar_uid)
        if not state.count:
            return iter((start + CALENDAR_END,))
        events = entries.vevents(scope, entries.writing(locale_key()), links.event, stamp_value(stamp), busy)
        return chain((start,), (text.encode("utf-8") for text in events), (CALENDAR_END,))

    def whole(stamp: datetime) -> bytes:
        words = entries.writing(locale_key()).words
        made = entries.event_entries(db.session, scope, words, links.event) if state.count else []
        return build_calendar((entry for _, entry in made), name=name(), calendar_uid=calendar_uid,
                              stamp=stamp, description=description, url=links.page, refresh=REFRESH,
                              tzid=PARIS_NAME, busy=busy)

    return Feed(etag, state.last_modified, state.count, chunks, whole)


# --------------------------------------------------------------------------- broadcasts

def _broadcast_entry(broadcast: Broadcast, links: FeedLinks) -> CalendarEntry:
    """One morning broadcast as a calendar entry."""
    platforms = [_("%(platform)s : %(link)s", platform=link.get("platform") or _("En direct"),
                   link=link["url"].strip())
                 for link in broadcast.links or [] if isinstance(link, dict) and web_url(link.get("url"))]
    lines = [showings.broadcast_text(broadcast, "description")] if broadcast.description else []
    if platforms:
        lines += ["", _("En direct sur :"), *platforms]
    return CalendarEntry(
        uid=broadcast.uid, sequence=max(0, broadcast.sequence or 0),
        summary=showings.broadcast_text(broadcast, "title"),
        description="\n".join(lines), start=broadcast.start_at, end=broadcast.end_at,
        location=_("En direct en ligne"), geo=None, url=links.page,
        categories=tuple(family_label(f) for f in broadcast.families),
        status="CONFIRMED", last_modified=broadcast.updated_at or EPOCH, created=None)


# --------------------------------------------------------------------------- helpers

def _entry(make: Callable[..., CalendarEntry], *args) -> CalendarEntry | None:
    """The entry make(*args) gives, or None, logged, for a row the calendar format cannot hold.

    The forms prevent such rows (an end before the start, a year 1); one must never take a feed down.
    """
    try:
        return make(*args)
    except (ValueError, TypeError) as error:
        log.warning("Left out of a calendar feed: %s", error)
        return None


def _digest(text: str) -> str:
    """A short stable name for a key (a query string, a list of ids)."""
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def clamp_to_now(moment: datetime) -> datetime:
    """Return the moment, or now if it is in the future (Last-Modified must not be)."""
    return min(moment, utcnow())
