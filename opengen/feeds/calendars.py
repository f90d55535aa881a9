"""Calendar feeds of the public sessions and of the morning broadcasts: contents and validators.

A feed is known in two steps. Its validators (ETag, Last-Modified) come from one small aggregate
query over the events it covers, so a calendar app polling with If-None-Match gets its 304 for
the price of that query; the body is built only when it is read. The body depends only on the
data (DTSTAMP is the feed's Last-Modified, not the clock), so one state gives one ETag and one
body. This relies on every change to a session bumping its `updated_at` (and its `sequence`),
which is what calendar clients need to notice edits anyway.

Rows are read with one Core query (not ORM objects): 10,000 events load several times faster.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import Select, String, func, select, type_coerce

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
from ..models import (
    Broadcast,
    CareerFamily,
    Event,
    EventFormat,
    EventStatus,
    School,
    Venue,
)
from ..places.distance import is_coordinate
from ..timezones import PARIS_NAME
from ..versioned import Kept, database_name
from .ics import CalendarEntry, build_calendar

log = logging.getLogger(__name__)

# Part of every ETag: bump it when the same data starts giving a different body.
FORMAT_VERSION = "feeds-1"
REFRESH = timedelta(hours=1)
ALL_STATUSES = tuple(EventStatus)


@dataclass(frozen=True)
class FeedLinks:
    """The absolute URLs a feed writes: a session's page (with events.EVENT_ID for its id), the site's page."""

    event: str
    page: str

    def event_url(self, event_id: int) -> str:
        """Return the page address of one session."""
        return event_url(self.event, event_id)


class Feed:
    """A calendar's validators and size, known from one small query, and its body, built on first read."""

    def __init__(self, etag: str, last_modified: datetime, build: Callable[[datetime], bytes],
                 count: int):
        self.etag = etag
        self.last_modified = last_modified
        self.count = count  # the events it holds
        self._build = build
        self._body: bytes | None = None

    @property
    def body(self) -> bytes:
        """The iCalendar bytes: built once, or taken from the recent bodies of the same state."""
        if self._body is None:
            key = (database_name(), self.etag)
            self._body = _BODIES.get_or_build(key, lambda: self._build(self.last_modified))
        return self._body


# The bodies built lately, by database and ETag. Many subscribers poll the same feed, and some
# calendar services never send If-None-Match; one state of the data always gives the same
# bytes, so a body can be sent again as it is. 64 MB: the whole-week feed of 10,000 sessions
# (9 MB) and a few dozen searches fit.
_BODIES = Kept(64 * 1024 * 1024)


def forget_built_feeds() -> None:
    """Drop the bodies kept for reuse (benchmarks measure cold builds with it)."""
    _BODIES.clear()


# --------------------------------------------------------------------------- the feeds

def search_feed(filters: EventFilters, links: FeedLinks) -> Feed:
    """Return the feed of the public sessions matching the filters (the /calendar.ics feed)."""
    scope = queries.filtered(filters, statuses=ALL_STATUSES)
    # The calendar is what the subscriber asked for (without a year: the current edition, year
    # after year); its validators are those of the edition it holds now.
    asked = "&".join(f"{k}={v}" for k, v in filters.key())
    bound = "&".join(f"{k}={v}" for k, v in queries.in_edition(filters).key())
    return _event_feed(scope, ("search", bound, links), name=lambda: search_name(filters),
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

    return Feed(etag, state.last_modified, build, state.count)


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
    state, etag = validators.state_of(scope, (FORMAT_VERSION, locale_key(), *parts))  # names, words

    def build(stamp: datetime) -> bytes:
        entries = list(_event_entries(scope, links)) if state.count else []
        return build_calendar(entries, name=name(), calendar_uid=calendar_uid, stamp=stamp,
                              description=description, url=links.page, refresh=REFRESH, tzid=PARIS_NAME,
                              busy=busy)

    return Feed(etag, state.last_modified, build, state.count)


def _event_entries(scope: Select, links: FeedLinks) -> Iterable[CalendarEntry]:
    """The calendar entries of the public events of scope, in start order."""
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
    label = CareerFamily.label_en if locale_key() == "en" else CareerFamily.label_fr
    families = queries.families_by_event(select(base.c.id), label)
    kinds = {key: str(label) for key, label in KIND_LABELS.items()}
    words = _Words()
    for row in db.session.execute(stmt):
        entry = _entry(_event_entry, row, families.get(row[0], []), kinds, words, links)
        if entry is not None:
            yield entry


class _Words:
    """The French words of the entries, translated once per feed rather than once per session."""

    def __init__(self) -> None:
        self.cancelled = _("Annulée : %(title)s", title="{}")
        self.cancelled_note = _("Cette session est annulée.")
        # "{}" stands for the value: French puts a space before the colon, English does not.
        self.school = _("École : %(school)s", school="{}")
        self.online = _("En ligne")
        self.online_link = _("Lien pour suivre en ligne : %(link)s", link="{}")
        self.registration = _("Inscription : %(link)s", link="{}")
        self.page = _("Plus d’informations : %(link)s", link="{}")


def _event_entry(row, family_labels: list[str], kinds: dict[str, str], words: _Words,
                 links: FeedLinks) -> CalendarEntry:
    """One session as a calendar entry."""
    (event_id, uid, sequence, title, description, kind, fmt, online_url, registration_url, status,
     start, end, updated, school, venue_name, address, postcode, city, lat, lon) = row
    cancelled = status == EventStatus.cancelled.value
    on_site = fmt != EventFormat.online.value and venue_name is not None
    page = links.event_url(event_id)

    lines = [words.cancelled_note, ""] if cancelled else []
    if description:
        lines += [description, ""]
    # The kind is among the CATEGORIES, the format shows in LOCATION and the online link.
    lines.append(words.school.replace("{}", school))
    if fmt != EventFormat.onsite.value and web_url(online_url):
        lines.append(words.online_link.replace("{}", online_url.strip()))
    if web_url(registration_url) and not cancelled:
        lines.append(words.registration.replace("{}", registration_url.strip()))
    lines.append(words.page.replace("{}", page))

    if on_site:
        town = " ".join(p for p in (postcode, city) if p)
        location = ", ".join(p for p in (venue_name, address, town) if p)
    else:
        location = words.online
    geo = (lat, lon) if on_site and is_coordinate(lat, lon) else None
    return CalendarEntry(
        uid=uid, sequence=max(0, sequence or 0),
        summary=words.cancelled.replace("{}", title) if cancelled else title,
        description="\n".join(lines), start=start, end=end, location=location, geo=geo, url=page,
        categories=tuple(family_labels) + ((kinds[kind],) if kind in kinds else ()),
        status="CANCELLED" if cancelled else "CONFIRMED",
        last_modified=updated or EPOCH, created=None)


# --------------------------------------------------------------------------- broadcasts

def _broadcast_entry(broadcast: Broadcast, links: FeedLinks) -> CalendarEntry:
    """One morning broadcast as a calendar entry."""
    platforms = [_("%(platform)s : %(link)s", platform=link.get("platform") or _("En direct"),
                   link=link["url"].strip())
                 for link in broadcast.links or [] if isinstance(link, dict) and web_url(link.get("url"))]
    lines = [broadcast.description] if broadcast.description else []
    if platforms:
        lines += ["", _("En direct sur :"), *platforms]
    return CalendarEntry(
        uid=broadcast.uid, sequence=max(0, broadcast.sequence or 0), summary=broadcast.title,
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
