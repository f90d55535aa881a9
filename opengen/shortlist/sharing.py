"""A list of sessions handed over: its stable link, QR code and e-mail, and its printable A4 page.

A counsellor (France Travail, a mission locale) builds the list as their own « Mon programme »
and passes it on to a job seeker. Nothing is stored: the list is its ids in the address, and the
optional « Pour » line (a first name, a short note) only travels in the print page's address.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from flask_babel import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from .. import clock, qr
from ..events.serialise import EVENT_ID
from ..fields import clean_text, one_line
from ..i18n import day_label, hour_label
from ..models import Event, EventStatus
from ..timezones import PARIS_NAME, local, paris
from ..urls import event_url_template, external_url
from .locator import Locator, locate
from .selection import Shortlist, ids_from, load_shortlist, needs_no_trip

NOTE_MAX = 80
MAIL_SESSIONS_MAX = 12  # a mailto: address beyond about 2,000 characters fails in some mail apps
QR_MAX_PIXELS = 240  # fits a 320 px wide phone; at 3 px a module or more, a phone reads it on paper


@dataclass(frozen=True)
class Share:
    """How a list travels: its absolute address, the QR code of it (None when the address is too
    long for a code a phone can read), a ready-made e-mail."""

    url: str
    qr_svg: Markup | None
    mailto: str


@dataclass(frozen=True)
class ProgrammePage:
    """« Mon programme » as shown: the sessions, the ones already over, how to pass it on."""

    shortlist: Shortlist
    ended: frozenset[int]
    share: Share | None
    note_max: int = NOTE_MAX


@dataclass(frozen=True)
class PrintSheet:
    """The printable page of a list: the sessions, their locators, the « Pour » line, the date."""

    shortlist: Shortlist
    ended: frozenset[int]
    share: Share
    printed_at: datetime
    locators: dict[int, Locator] = field(default_factory=dict)
    note: str = ""
    note_input: str = ""
    note_error: str | None = None
    event_url_pattern: str = ""
    note_max: int = NOTE_MAX

    def event_url(self, event_id: int) -> str:
        """Return the absolute address of a session's page."""
        return self.event_url_pattern.replace(EVENT_ID, str(event_id))

    def printed_label(self) -> str:
        """Say in French when the page was printed, e.g. « le 28 novembre 2021 à 12 h 00 »."""
        return _("le %(day)s à %(hour)s", day=format_date(paris(self.printed_at), "d MMMM y"),
                 hour=hour_label(self.printed_at))


def programme_page(args: Mapping[str, str]) -> ProgrammePage:
    """Load the list of a request's ids (ids=1,2,3) with what is needed to share it."""
    shortlist = load_shortlist(ids_from(args))
    share = _share(shortlist) if shortlist.requested else None
    return ProgrammePage(shortlist, _ended(shortlist), share)


def print_sheet(args: Mapping[str, str]) -> PrintSheet:
    """Load the printable page of a request's list (ids required; pour= optional, never stored)."""
    shortlist = load_shortlist(ids_from(args, required=True))
    note_input = one_line(clean_text(args.get("pour", ""))) or ""
    note, error = note_input, None
    if len(note_input) > NOTE_MAX:
        note, error = "", _("La mention « Pour » compte au plus %(max)s caractères (ici %(n)s) : "
                            "raccourcissez-la.", max=NOTE_MAX, n=len(note_input))
    locators = {event.id: locate(event.venue.lat, event.venue.lon)
                for _day, sessions in shortlist.days for event in sessions if not needs_no_trip(event)}
    return PrintSheet(shortlist, _ended(shortlist), _share(shortlist), clock.now(), locators,
                      note, note_input[:500], error, event_url_template())


def _share(shortlist: Shortlist) -> Share:
    url = external_url("programme.index", ids=",".join(map(str, shortlist.requested)))
    return Share(url, _qr_svg(url), _mailto(shortlist, url))


def _qr_svg(url: str) -> Markup | None:
    """The QR code of a list's address, 4 or 3 pixels a module; None when it would be too big."""
    try:
        size, _dark = qr.modules(url)
    except ValueError:  # more than a QR code can hold
        return None
    scale = next((s for s in (4, 3) if size * s <= QR_MAX_PIXELS), None)
    if scale is None:
        return None
    return Markup(qr.svg(url, _("QR code du lien vers cette liste de sessions"), scale=scale))


def _ended(shortlist: Shortlist) -> frozenset[int]:
    return frozenset(event.id for _day, sessions in shortlist.days for event in sessions
                     if clock.is_past(event.end_at))


def _mailto(shortlist: Shortlist, url: str) -> str:
    """A mailto: address with a French subject and a body listing the sessions and the link."""
    sessions = [event for _day, events in shortlist.days for event in events]
    lines = [_mail_line(event) for event in sessions[:MAIL_SESSIONS_MAX]]
    if len(sessions) > MAIL_SESSIONS_MAX:
        lines.append(_("… et %(n)s autres sessions.", n=len(sessions) - MAIL_SESSIONS_MAX))
    body = "\r\n".join([
        _("Bonjour,"), "",
        _("Voici des sessions Open Gen qui pourraient vous intéresser : des portes ouvertes "
          "gratuites, sans prérequis, pour découvrir les métiers du numérique."), "",
        *lines, "",
        _("Les adresses, les accès et un plan de chaque session : %(url)s", url=url), "",
    ])
    subject = _("Des sessions Open Gen pour découvrir les métiers du numérique")
    return f"mailto:?subject={quote(subject, safe='')}&body={quote(body, safe='')}"


def _mail_line(event: Event) -> str:
    zone = event.venue.timezone if event.venue else PARIS_NAME
    place = event.school.name
    if not needs_no_trip(event) and event.venue.city:
        place += ", " + event.venue.city
    elif needs_no_trip(event):
        place += ", " + _("en ligne")
    line = f"- {day_label(local(event.start_at, zone))}, {hour_label(event.start_at, zone)} : " \
           f"{event.title} ({place})"
    if event.status == EventStatus.cancelled:
        line += " " + _("[annulée]")
    return line
