"""Calendars (RFC 5545, with the RFC 7986 calendar properties) from plain event values; no Flask.

The content lines are written here rather than through icalendar's object model, which takes
many times longer for 10,000 events (bench/ics_build.py prints both figures); the tests parse
the output with icalendar and vobject. The VTIMEZONE comes from `vtimezone`.

A VEVENT is written in two parts: `entry_part`, which depends on the entry alone and is kept per
session version (feeds/entries.py), and `entry_close`, which depends on the feed (DTSTAMP,
TRANSP) and on the site's address (URL); feeds are streamed from those parts.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from ..places.distance import is_coordinate
from ..timezones import PARIS_NAME
from .vtimezone import VTIMEZONE_YEARS, utc_text, zone_form

PRODID = "-//Grande Ecole du Numerique//Open Gen//FR"
STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})
# Dates outside these years are data-entry mistakes (and year 1 in a negative offset overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2199

_FOLD_OCTETS = 75
# RFC 5545 TEXT: line breaks are written as \n (Unicode line separators too, as they mean one)
# and control characters are not allowed at all; backslash, semicolon and comma are escaped apart.
_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URI_SCHEME = re.compile("[A-Za-z][A-Za-z0-9+.-]*:")
# Characters a URI may hold as they are (RFC 3986 reserved and unreserved, and "%" of escapes).
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


@dataclass(frozen=True)
class CalendarEntry:
    """One event of a calendar, in plain values, checked when it is made."""

    uid: str
    sequence: int
    summary: str
    description: str
    start: datetime
    end: datetime
    location: str
    geo: tuple[float, float] | None
    url: str | None
    categories: tuple[str, ...]
    status: str
    last_modified: datetime
    created: datetime | None
    # Ends the description with "label : URL" (for calendars that do not show URL, like Google's).
    link_label: str | None = None

    def __post_init__(self) -> None:
        _check_name("uid", self.uid)
        if isinstance(self.sequence, bool) or not isinstance(self.sequence, int) or self.sequence < 0:
            raise ValueError(f"sequence must be a non-negative integer, not {self.sequence!r}")
        for field in ("summary", "description", "location"):
            if not isinstance(getattr(self, field), str):
                raise TypeError(f"{field} must be a string")
        _check_moment("start", self.start)
        _check_moment("end", self.end)
        _check_moment("last_modified", self.last_modified)
        if self.created is not None:
            _check_moment("created", self.created)
        if self.end <= self.start:
            raise ValueError(f"end ({self.end.isoformat()}) must be after start ({self.start.isoformat()})")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, not {self.status!r}")
        if self.geo is not None:
            _check_geo(self.geo)
        if self.url is not None:
            object.__setattr__(self, "url", uri_value(self.url))  # kept in the form a URI value takes
        if not isinstance(self.categories, tuple) or not all(isinstance(c, str) for c in self.categories):
            raise TypeError("categories must be a tuple of strings")


def build_calendar(
    entries: Iterable[CalendarEntry],
    *,
    name: str,
    calendar_uid: str,
    stamp: datetime,
    description: str | None = None,
    url: str | None = None,
    refresh: timedelta = timedelta(hours=1),
    tzid: str = PARIS_NAME,
    busy: bool = False,
) -> bytes:
    """Serialise entries as a published feed in tzid local time; busy=True marks their time OPAQUE."""
    head = calendar_head(name=name, calendar_uid=calendar_uid, description=description, url=url,
                         refresh=refresh, tzid=tzid)
    dtstamp = stamp_value(stamp)
    events = []
    for entry in entries:
        part = entry_part(entry, tzid)
        events += [part, entry_close(part, entry.url, dtstamp, entry_transp(entry.status, busy))]
    events = "".join(events)
    return head + events.encode("utf-8") + CALENDAR_END


CALENDAR_END = b"END:VCALENDAR\r\n"


def calendar_head(*, name: str, calendar_uid: str, description: str | None = None,
                  url: str | None = None, refresh: timedelta = timedelta(hours=1),
                  tzid: str = PARIS_NAME) -> bytes:
    """The calendar's own properties and VTIMEZONE, each line ended: what comes before the events."""
    _check_name("name", name)
    _check_name("calendar_uid", calendar_uid)
    ttl = _duration(refresh)
    zone = zone_form(tzid)
    lines = [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"UID:{_text(calendar_uid)}",
        f"NAME:{_text(name)}",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    if description:
        lines += [f"DESCRIPTION:{_text(description)}", f"X-WR-CALDESC:{_text(description)}"]
    if url is not None:
        lines.append(f"URL:{uri_value(url)}")
    lines += [
        f"X-WR-TIMEZONE:{tzid}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}",
        f"X-PUBLISHED-TTL:{ttl}",
        *zone.lines,
    ]
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def stamp_value(stamp: datetime) -> str:
    """The DTSTAMP value of a feed's events: the feed's own time, in UTC."""
    _check_moment("stamp", stamp)
    return utc_text(stamp)


def entry_transp(status: str, busy: bool) -> str:
    """TRANSP of an event: OPAQUE in a busy calendar, except a cancelled event, which takes no time."""
    return "OPAQUE" if busy and status != "CANCELLED" else "TRANSPARENT"


def entry_part(entry: CalendarEntry, tzid: str = PARIS_NAME) -> str:
    """The lines of a VEVENT that depend on the entry alone (kept per session version).

    What depends on the feed (DTSTAMP, TRANSP) or on the address the site is served at (URL,
    and the link ending the description) is written by entry_close. With a link_label, the
    DESCRIPTION is the last line and is left open for that link; otherwise every line is ended.
    """
    zone = zone_form(tzid)
    # Only lines whose length depends on the data are folded: the others stay under 75 octets.
    lines = [
        "BEGIN:VEVENT",
        _fold(f"UID:{_text(entry.uid)}"),
        _fold(f"DTSTART{zone.time_value(entry.start)}"),
        _fold(f"DTEND{zone.time_value(entry.end)}"),
        f"SEQUENCE:{entry.sequence}",
        f"STATUS:{entry.status}",
        _fold(f"SUMMARY:{_text(entry.summary)}"),
    ]
    if entry.location:
        lines.append(_fold(f"LOCATION:{_text(entry.location)}"))
    if entry.geo is not None:
        lines.append(f"GEO:{entry.geo[0]:.6f};{entry.geo[1]:.6f}")
    if categories := [_text(c) for c in entry.categories if c]:
        lines.append(_fold(f"CATEGORIES:{','.join(categories)}"))
    if entry.created is not None:
        lines.append(f"CREATED:{utc_text(entry.created)}")
    lines.append(f"LAST-MODIFIED:{utc_text(entry.last_modified)}")
    if entry.link_label:
        text = f"{_text(entry.description)}\\n" if entry.description else ""
        return "\r\n".join([*lines, _fold(f"DESCRIPTION:{text}{_text(entry.link_label)} : ")])
    if entry.description:
        lines.append(_fold(f"DESCRIPTION:{_text(entry.description)}"))
    return "\r\n".join(lines) + "\r\n"


def entry_close(part: str, url: str | None, dtstamp: str, transp: str) -> str:
    """The end of the VEVENT whose entry_part is part: the link ending its description (if left
    open), DTSTAMP, URL, TRANSP; url is a URI value (see uri_value)."""
    link = _fold(f"URL:{url}") + "\r\n" if url is not None else ""
    ending = f"DTSTAMP:{dtstamp}\r\n{link}TRANSP:{transp}\r\nEND:VEVENT\r\n"
    if part.endswith("\n"):
        return ending
    return _continued(part, _text(url) if url is not None else "") + "\r\n" + ending


def _continued(line: str, more: str) -> str:
    """The ASCII text more, folded as the rest of the folded content line that line ends with."""
    last = line[line.rfind("\n") + 1:]
    room = _FOLD_OCTETS - (len(last) if last.isascii() else len(last.encode("utf-8")))
    pieces = [more[:room]] if room else []
    pieces += [more[i:i + _FOLD_OCTETS - 1] for i in range(room, len(more), _FOLD_OCTETS - 1)]
    return "\r\n ".join(pieces) if room else "".join("\r\n " + p for p in pieces)


def _text(value: str) -> str:
    """A TEXT value with its special characters escaped and control characters dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if not value.isprintable():  # only then can there be line breaks or control characters
        value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        if not value.isprintable():  # tabs, format characters, rarer breaks and controls
            value = _LINE_BREAK.sub(r"\\n", _CONTROL.sub("", value))
    return value


def uri_value(value: str) -> str:
    """Return value as a URI property takes it: absolute, percent-encoded where needed."""
    if not isinstance(value, str):
        raise TypeError("url must be a string")
    encoded = quote(value.strip(), safe=_URI_SAFE)
    if not _URI_SCHEME.match(encoded):
        raise ValueError(f"url must be absolute (with a scheme such as https:), not {value!r}")
    return encoded


def _fold(line: str) -> str:
    """A content line folded at 75 UTF-8 octets (CRLF and a space), never inside a character."""
    if len(line) <= _FOLD_OCTETS and line.isascii():
        return line
    data = line.encode("utf-8", "replace")
    if len(data) <= _FOLD_OCTETS:
        return data.decode("utf-8")
    parts = []
    start, room = 0, _FOLD_OCTETS
    while len(data) - start > room:
        end = start + room
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation octet: cut before its character
            end -= 1
        parts.append(data[start:end])
        start, room = end, _FOLD_OCTETS - 1  # the leading space of a continuation line counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _check_name(field: str, value: object) -> None:
    """Raise unless value is a string with something else than blanks in it."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be a non-empty string, not {value!r}")


def _check_moment(field: str, value: object) -> None:
    """Raise unless value is a timezone-aware datetime within the years calendars accept."""
    if not isinstance(value, datetime):
        raise TypeError(f"{field} must be a datetime, not {type(value).__name__}")
    if value.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware")
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"{field} must be between {FIRST_YEAR} and {LAST_YEAR}, not {value.year}")


def _check_geo(geo: object) -> None:
    """Raise unless geo is a (latitude, longitude) pair of finite degrees in range."""
    if not isinstance(geo, tuple) or len(geo) != 2:
        raise TypeError("geo must be a (latitude, longitude) tuple or None")
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in geo):
        raise ValueError(f"geo must hold two finite numbers, not {geo!r}")
    if not is_coordinate(*geo):
        raise ValueError(f"geo must be a latitude in [-90, 90] and a longitude in [-180, 180], not {geo!r}")


def _duration(value: timedelta) -> str:
    """An RFC 5545 DURATION such as PT1H, P1DT12H or PT1H0M30S for a positive whole-second timedelta."""
    if value <= timedelta(0) or value.microseconds:
        raise ValueError(f"refresh must be a positive whole number of seconds, not {value!r}")
    hours, rest = divmod(value.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = f"P{value.days}D" if value.days else "P"
    if value.seconds:
        text += "T"
        text += f"{hours}H" if hours else ""
        text += f"{minutes}M" if minutes or (hours and seconds) else ""  # PT1H0M5S: H, M, S chain
        text += f"{seconds}S" if seconds else ""
    return text
