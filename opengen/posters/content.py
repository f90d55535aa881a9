"""What the posters say, read from the database and worded in French; the PDF kept per data version.

A poster depends only on the data (and on the address its QR code opens), so one state of the
data gives the same bytes and the same ETag; a process keeps the bytes it built, and shares
them through Redis when REDIS_URL is set (opengen/versioned.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import db
from ..editions import current_edition
from ..events.labels import KIND_LABELS
from ..events.queries import PUBLIC_STATUSES
from ..events.serialise import zone_of
from ..i18n import day_label, family_label, hour_label, locale_key, zone_name
from ..models import Edition, Event, EventFormat, EventStatus, School
from ..timezones import local
from ..versioned import Kept, data_version
from .layout import SchoolSheet, SessionRow, SessionSheet, Words, school_poster, session_poster

# Part of every ETag: bump it when the same data starts giving a different poster.
FORMAT_VERSION = "posters-1"
NBSP = "\u00a0"

# A poster weighs about 5 KB a page; 16 MB keeps a few thousand.
_POSTERS = Kept(16 * 1024 * 1024, shared=True)


@dataclass(frozen=True)
class Poster:
    """A poster's PDF bytes and the tag of the data state it was built from."""

    body: bytes
    etag: str


def event_poster(event: Event, url: str) -> Poster:
    """Return the poster of a public session whose QR code opens `url`."""
    key = ("event", event.id, url, *_edition_key(event.edition))
    return _kept(key, lambda: session_poster(_session_sheet(event, url), words()))


def school_poster_of(school_id: int, url: str) -> Poster | None:
    """Return the poster of a school's public sessions of the current edition (their list opens
    at `url`), or None when the school is unknown or has none."""
    school = db.session.get(School, school_id)
    edition = current_edition()
    if school is None or edition is None:
        return None
    events = list(db.session.scalars(
        select(Event).options(selectinload(Event.venue))
        .where(Event.school_id == school_id, Event.edition_id == edition.id,
               Event.status.in_(PUBLIC_STATUSES))
        .order_by(Event.start_at, Event.id)))
    if not events:
        return None
    key = ("school", school_id, url, *_edition_key(edition))
    return _kept(key, lambda: school_poster(_school_sheet(edition, school, events, url), words()))


def _kept(key: tuple, build) -> Poster:
    key = (*key, locale_key())  # a poster's words are in the visitor's language
    body = _POSTERS.current(key, build)
    version = data_version()
    text = "|".join(str(part) for part in (FORMAT_VERSION, *version, *key))
    return Poster(body, hashlib.sha256(text.encode()).hexdigest()[:32])


def _edition_key(edition: Edition) -> tuple:
    """What of an edition a poster prints (editions are not part of the data version)."""
    return edition.name, edition.starts_on, edition.ends_on


# --------------------------------------------------------------------------- wording

def words() -> Words:
    """Return the fixed wording of the posters, in the request's language."""
    return Words(
        tagline=_("Découvrez les métiers du numérique"),
        free=_("Gratuit, sans prérequis"),
        cancelled=_("ANNULÉE"),
        cancelled_note=_("Cette session n’aura pas lieu."),
        cancelled_row=_("Annulée"),
        scan_session=_("Scannez ce code pour voir la session, l’ajouter à votre agenda ou vous inscrire."),
        scan_school=_("Scannez ce code pour voir toutes les sessions de l’école, avec leurs adresses."),
        school_sessions=_("Nos sessions pendant la semaine Open Gen"),
        continued=_("(suite)"),
        page=_("Page %(number)s sur %(count)s"),
    )


def _edition_line(edition: Edition) -> str:
    return _("%(name)s · du %(first)s au %(last)s", name=edition.name, first=day_label(edition.starts_on),
             last=_day_with_year(edition.ends_on))


def _day_with_year(day: date) -> str:
    return format_date(day, "EEEE d MMMM y")


def _hours(event: Event) -> str:
    """« 10 h 00 – 11 h 00 », never cut between lines, with the zone's name outside Paris."""
    zone = zone_of(event)
    hours = f"{hour_label(event.start_at, zone)} – {hour_label(event.end_at, zone)}".replace(" ", NBSP)
    name = zone_name(zone)
    return f"{hours} ({name})" if name else hours


def _session_sheet(event: Event, url: str) -> SessionSheet:
    start = local(event.start_at, zone_of(event))
    return SessionSheet(
        edition=_edition_line(event.edition),
        title=event.title,
        kind=str(KIND_LABELS.get(event.kind.value, event.kind.value)),
        when=f"{_day_with_year(start.date())}, {_hours(event)}",
        school=_("Organisée par %(school)s", school=event.school.name),
        place=_place(event),
        access=_access(event),
        families=_("Métiers : %(families)s", families=", ".join(family_label(f) for f in event.families))
        if event.families else "",
        url=url,
        cancelled=event.status == EventStatus.cancelled,
    )


def _place(event: Event) -> tuple[str, ...]:
    venue = event.venue
    if event.format == EventFormat.online or venue is None:
        return (_("En ligne : le lien est sur la page de la session."),)
    lines = (venue.name, venue.address, f"{venue.postcode or ''} {venue.city or ''}".strip())
    if event.format == EventFormat.both:
        lines += (_("Aussi en ligne : le lien est sur la page de la session."),)
    return tuple(line for line in lines if line and line.strip())


def _access(event: Event) -> str:
    parts = []
    if event.wheelchair_accessible:
        parts.append(_("Accessible en fauteuil roulant."))
    if event.accessibility and event.accessibility.strip():
        parts.append(event.accessibility)
    if not parts and event.format != EventFormat.online:
        parts.append(_("Accessibilité non précisée : contactez l’école."))
    return " ".join(parts)


def _school_sheet(edition: Edition, school: School, events: list[Event], url: str) -> SchoolSheet:
    return SchoolSheet(edition=_edition_line(edition), school=school.name,
                       sessions=tuple(_row(event) for event in events), url=url)


def _row(event: Event) -> SessionRow:
    start = local(event.start_at, zone_of(event))
    venue = event.venue
    if event.format == EventFormat.online or venue is None:
        place = _("En ligne")
    else:
        place = ", ".join(part for part in (venue.name, venue.city) if part)
        if event.format == EventFormat.both:
            place = _("%(place)s, et en ligne", place=place)
    return SessionRow(when=f"{day_label(start)}, {_hours(event)}", title=event.title, place=place,
                      cancelled=event.status == EventStatus.cancelled)
