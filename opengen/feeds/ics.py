"""Calendars (RFC 5545, with the RFC 7986 calendar properties) from plain event values; no Flask.

The content lines are written here rather than through icalendar's object model, which takes
many times longer for 10,000 events (bench/ics_build.py prints both figures); the tests parse
the output with icalendar and vobject. The VTIMEZONE is derived from the IANA database and written with yearly RRULEs, the
way mainstream calendar applications write it, because vobject misreads RDATE lists. It depends
on the zone alone, never on the entries: vobject (and so Radicale) keeps the first VTIMEZONE it
reads for a TZID for the life of the process.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..places.distance import is_coordinate
from ..timezones import PARIS_NAME

PRODID = "-//Grande Ecole du Numerique//Open Gen//FR"
STATUSES = frozenset({"CONFIRMED", "CANCELLED", "TENTATIVE"})
# Dates outside these years are data-entry mistakes (and year 1 in a negative offset overflows).
FIRST_YEAR, LAST_YEAR = 1900, 2199
# The years a VTIMEZONE describes; times outside them are written in UTC, which needs none.
VTIMEZONE_YEARS = range(2010, 2038)

_FOLD_OCTETS = 75
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
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
            object.__setattr__(self, "url", _uri(self.url))  # kept in the form a URI value takes
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
    _check_name("name", name)
    _check_name("calendar_uid", calendar_uid)
    _check_moment("stamp", stamp)
    ttl = _duration(refresh)
    zone = _zone_form(tzid)
    dtstamp = _utc_text(stamp)
    transp = "OPAQUE" if busy else "TRANSPARENT"
    events = [_vevent(entry, zone, dtstamp, transp) for entry in entries]

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
        lines.append(f"URL:{_uri(url)}")
    lines += [
        f"X-WR-TIMEZONE:{tzid}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{ttl}",
        f"X-PUBLISHED-TTL:{ttl}",
        *zone.lines,
    ]
    return "\r\n".join([*map(_fold, lines), *events, "END:VCALENDAR", ""]).encode("utf-8")


def _vevent(entry: CalendarEntry, zone: _ZoneForm, dtstamp: str, transp: str) -> str:
    """One VEVENT as folded content lines joined by CRLF, without the last CRLF."""
    # Only lines whose length depends on the data are folded: the others stay under 75 octets.
    lines = [
        "BEGIN:VEVENT",
        _fold(f"UID:{_text(entry.uid)}"),
        f"DTSTAMP:{dtstamp}",
        _fold(f"DTSTART{zone.time_value(entry.start)}"),
        _fold(f"DTEND{zone.time_value(entry.end)}"),
        f"SEQUENCE:{entry.sequence}",
        f"STATUS:{entry.status}",
        _fold(f"SUMMARY:{_text(entry.summary)}"),
    ]
    if entry.description:
        lines.append(_fold(f"DESCRIPTION:{_text(entry.description)}"))
    if entry.location:
        lines.append(_fold(f"LOCATION:{_text(entry.location)}"))
    if entry.geo is not None:
        lines.append(f"GEO:{entry.geo[0]:.6f};{entry.geo[1]:.6f}")
    if entry.url is not None:
        lines.append(_fold(f"URL:{entry.url}"))
    if categories := [_text(c) for c in entry.categories if c]:
        lines.append(_fold(f"CATEGORIES:{','.join(categories)}"))
    lines.append(f"TRANSP:{'TRANSPARENT' if entry.status == 'CANCELLED' else transp}")
    if entry.created is not None:
        lines.append(f"CREATED:{_utc_text(entry.created)}")
    lines += [f"LAST-MODIFIED:{_utc_text(entry.last_modified)}", "END:VEVENT"]
    return "\r\n".join(lines)


def _text(value: str) -> str:
    """A TEXT value with its special characters escaped and control characters dropped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    if not value.isprintable():  # only then can there be line breaks or control characters
        value = value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        if not value.isprintable():  # tabs, format characters, rarer breaks and controls
            value = _LINE_BREAK.sub(r"\\n", _CONTROL.sub("", value))
    return value


def _uri(value: str) -> str:
    """A URI value: absolute, with characters a URI cannot hold percent-encoded."""
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


def _zone(tzid: str) -> ZoneInfo:
    """The IANA zone named tzid, or a ValueError naming it."""
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {tzid!r}") from error


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


def _stamp_text(moment: datetime) -> str:
    """The basic ISO form of a naive date-time, as in 20211129T100000."""
    return "%04d%02d%02dT%02d%02d%02d" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )


def _utc_text(moment: datetime) -> str:
    """A date-time in UTC form, as in 20211129T090000Z."""
    return _stamp_text(moment.astimezone(timezone.utc)) + "Z"


class _Transition(NamedTuple):
    """A change of a zone's UTC offset."""

    instant: datetime  # in UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str
    daylight: bool

    @property
    def onset(self) -> datetime:
        """The naive local time of the change, in the offset before it, as DTSTART wants it."""
        return (self.instant + self.offset_from).replace(tzinfo=None)


class _ZoneForm(NamedTuple):
    """How times are written for one TZID: its VTIMEZONE, and the instants that describes."""

    zone: ZoneInfo
    lines: tuple[str, ...]
    since: datetime
    until: datetime
    prefix: str  # ";TZID=...:"

    def time_value(self, moment: datetime) -> str:
        """Parameters and value of a DTSTART or DTEND: local time, or UTC where that is not exact."""
        if not self.since <= moment < self.until:
            return ":" + _utc_text(moment)
        local = moment.astimezone(self.zone)
        # RFC 5545 reads a repeated local time (the hour clocks go back) as its first occurrence.
        if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
            return ":" + _utc_text(moment)
        return self.prefix + _stamp_text(local)


@lru_cache(maxsize=16)
def _zone_form(tzid: str) -> _ZoneForm:
    """The VTIMEZONE of tzid over VTIMEZONE_YEARS: two yearly RRULEs, or one observance per change."""
    zone = _zone(tzid)
    since = datetime(VTIMEZONE_YEARS.start, 1, 1, tzinfo=timezone.utc)
    until = datetime(VTIMEZONE_YEARS.stop, 1, 1, tzinfo=timezone.utc)
    transitions = _transitions(zone, since, until)
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}", f"X-LIC-LOCATION:{tzid}"]
    if rules := _yearly_rules(transitions, VTIMEZONE_YEARS):
        for transition, rrule in rules:
            lines += _observance(transition, rrule)
        since = min(transition.instant for transition, _ in rules)
    else:  # a zone without daylight saving time, or one that changed its rules
        first = since.astimezone(zone)
        offset = first.utcoffset()
        lines += _observance(_Transition(since, offset, offset, first.tzname(), bool(first.dst())), None)
        for transition in transitions:
            lines += _observance(transition, None)
    lines.append("END:VTIMEZONE")
    return _ZoneForm(zone, tuple(lines), since, until, f";TZID={tzid}:")


def _observance(transition: _Transition, rrule: str | None) -> list[str]:
    """Content lines of a STANDARD or DAYLIGHT observance."""
    kind = "DAYLIGHT" if transition.daylight else "STANDARD"
    lines = [
        f"BEGIN:{kind}",
        f"TZOFFSETFROM:{_offset_text(transition.offset_from)}",
        f"TZOFFSETTO:{_offset_text(transition.offset_to)}",
        f"TZNAME:{_text(transition.name)}",
        f"DTSTART:{_stamp_text(transition.onset)}",
    ]
    if rrule:
        lines.append(f"RRULE:{rrule}")
    return [*lines, f"END:{kind}"]


def _offset_text(offset: timedelta) -> str:
    """A UTC-OFFSET value such as +0100, or +000921 when seconds are needed."""
    sign = "-" if offset < timedelta(0) else "+"
    hours, rest = divmod(int(abs(offset).total_seconds()), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{seconds:02d}" if seconds else "")


def _transitions(zone: ZoneInfo, since: datetime, until: datetime) -> list[_Transition]:
    """The offset changes of zone between two UTC instants, found day by day, then to the second."""
    found = []
    day = timedelta(days=1)
    moment, offset = since, since.astimezone(zone).utcoffset()
    while moment < until:
        after = moment + day
        if after.astimezone(zone).utcoffset() != offset:
            low, high = moment, after  # the offset changes in (low, high]
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            local = high.astimezone(zone)
            found.append(_Transition(high, offset, local.utcoffset(), local.tzname(), bool(local.dst())))
            offset = local.utcoffset()
        moment = after
    return found


def _yearly_rules(transitions: list[_Transition], years: range) -> list[tuple[_Transition, str]] | None:
    """The first change and RRULE of each observance if every year follows one rule, else None."""
    rules = []
    for daylight in (True, False):
        changes = [t for t in transitions if t.daylight == daylight]
        shapes = {(t.onset.month, t.onset.weekday(), t.onset.time(), t.offset_to, t.name) for t in changes}
        if [t.onset.year for t in changes] != list(years) or len(shapes) != 1:
            return None
        # The same weekday of the month each year: its n-th, or its last (-1), or both.
        ordinals = set.intersection(*(_ordinals(t.onset) for t in changes))
        if not ordinals:
            return None
        first = changes[0]
        ordinal = min(ordinals)  # -1 when it fits, as mainstream applications write it
        weekday = _WEEKDAYS[first.onset.weekday()]
        rules.append((first, f"FREQ=YEARLY;BYMONTH={first.onset.month};BYDAY={ordinal}{weekday}"))
    return rules


def _ordinals(day: datetime) -> set[int]:
    """The ways RRULE BYDAY can name this weekday of its month: n-th from the start, and -1 if last."""
    ordinals = {(day.day - 1) // 7 + 1}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        ordinals.add(-1)
    return ordinals
