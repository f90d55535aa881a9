"""The VTIMEZONE of a calendar and the form of its times, derived from the IANA database; no Flask.

Written with yearly RRULEs, the way mainstream calendar applications write it, because vobject
misreads RDATE lists. It depends on the zone alone, never on the entries: vobject (and so
Radicale) keeps the first VTIMEZONE it reads for a TZID for the life of the process.
"""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The years a VTIMEZONE describes; times outside them are written in UTC, which needs none.
VTIMEZONE_YEARS = range(2010, 2038)

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _zone(tzid: str) -> ZoneInfo:
    """The IANA zone named tzid, or a ValueError naming it."""
    try:
        return ZoneInfo(tzid)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"unknown time zone {tzid!r}") from error


def stamp_text(moment: datetime) -> str:
    """The basic ISO form of a naive date-time, as in 20211129T100000."""
    return "%04d%02d%02dT%02d%02d%02d" % (
        moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second
    )


def utc_text(moment: datetime) -> str:
    """A date-time in UTC form, as in 20211129T090000Z."""
    return stamp_text(moment.astimezone(timezone.utc)) + "Z"


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
            return ":" + utc_text(moment)
        local = moment.astimezone(self.zone)
        # RFC 5545 reads a repeated local time (the hour clocks go back) as its first occurrence.
        if local.fold and local.replace(fold=0).utcoffset() != local.utcoffset():
            return ":" + utc_text(moment)
        return self.prefix + stamp_text(local)


@lru_cache(maxsize=16)
def zone_form(tzid: str) -> _ZoneForm:
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
        f"TZNAME:{transition.name}",  # IANA abbreviations: letters, digits, + and -
        f"DTSTART:{stamp_text(transition.onset)}",
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
