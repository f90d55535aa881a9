"""A visitor's shortlist checked: starred sessions by Paris day, the clashes, the trips too long.

Plain values in, plain values out: no Flask, no database. Messages meant for people go through
opengen.texts (the request's language in the app, French without it); errors meant for the code
calling (ShortlistError) are French sentences.
Instants are aware datetimes compared through UTC (Python compares two datetimes sharing one
tzinfo by wall-clock time, which is wrong during the repeated hour of a DST change).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Union

from ..french import elides
from ..places.distance import haversine_km, is_coordinate
from ..texts import gettext as _
from ..texts import language
from ..timezones import PARIS


class ShortlistError(ValueError):
    """A shortlist that cannot be checked; str() is a French sentence for people."""


@dataclass(frozen=True)
class ShortlistItem:
    """A starred session: aware start and end; coordinates of its venue unless online or unknown."""

    id: int | str
    title: str
    start: datetime
    end: datetime
    lat: float | None
    lon: float | None
    online: bool
    town: str = ""


@dataclass(frozen=True)
class Clash:
    """Two starred sessions overlap in time."""

    a_id: int | str
    b_id: int | str
    a_title: str = ""
    b_title: str = ""

    @property
    def message(self) -> str:
        """Sentence for the visitor, in their language."""
        return _("« %(first)s » et « %(second)s » se chevauchent.", first=self.a_title, second=self.b_title)


@dataclass(frozen=True)
class TooFar:
    """The next on-site session cannot be reached in time from the previous venue."""

    a_id: int | str
    b_id: int | str
    distance_km: float
    needed_minutes: float
    available_minutes: float
    speed_kmh: float = 30.0
    a_place: str = ""
    b_place: str = ""

    @property
    def message(self) -> str:
        """Sentence for the visitor, in their language."""
        if self.a_place and self.b_place and self.a_place != self.b_place:
            trip = f"{_from_town(self.a_place)} {_to_town(self.b_place)}"
        else:
            trip = _("d’un lieu à l’autre")
        available = max(0, math.floor(self.available_minutes + 1e-9))
        # "environ": rounded, but never shown as fitting in the time available.
        needed = max(math.floor(self.needed_minutes + 0.5), available + 1)
        return _("Impossible d’aller %(trip)s en %(available)s min (%(distance)s km, environ %(needed)s min "
                 "à %(speed)s km/h).", trip=trip, available=available, distance=short_decimal(self.distance_km),
                 needed=needed, speed=short_decimal(self.speed_kmh))


ShortlistWarning = Union[Clash, TooFar]


@dataclass(frozen=True)
class CheckedShortlist:
    """Starred sessions by Paris day (days and sessions in time order) and what to watch out for."""

    days: dict[date, tuple[ShortlistItem, ...]]
    warnings: tuple[ShortlistWarning, ...] = field(default=())

    def warnings_for(self, item_id: int | str) -> tuple[ShortlistWarning, ...]:
        """Return the warnings that involve this session."""
        return tuple(w for w in self.warnings if item_id in (w.a_id, w.b_id))


def check_shortlist(items: Iterable[ShortlistItem], *, speed_kmh: float = 30.0,
                    detour_factor: float = 1.3) -> CheckedShortlist:
    """Group starred sessions by Paris day in time order and warn of clashes and impossible trips.

    Clash: every pair of sessions that overlap (touching ends do not). TooFar: two on-site
    sessions following each other on the same Paris day without overlapping, where the straight
    distance between venues * detour_factor at speed_kmh takes longer than the gap between them.
    Online sessions need no travel and are assumed followable from anywhere (a phone), so the trip
    is measured from the last on-site venue; sessions without coordinates are not checked.
    Raises ShortlistError, in French, on bad input.
    """
    if not _positive(speed_kmh):
        raise ShortlistError("La vitesse doit être un nombre positif de km/h.")
    if not _positive(detour_factor) or detour_factor < 1:
        raise ShortlistError("Le facteur de détour doit être un nombre au moins égal à 1.")
    items = list(items)
    ids: set[int | str] = set()
    for item in items:
        _check_item(item)
        if item.id in ids:
            raise ShortlistError(f"La séance {item.id!r} figure deux fois dans le programme.")
        ids.add(item.id)

    # Stable sort: equal times keep the order the visitor starred them in.
    ordered = sorted(items, key=lambda i: (_utc(i.start), _utc(i.end)))
    days: dict[date, list[ShortlistItem]] = {}
    for item in ordered:
        days.setdefault(item.start.astimezone(PARIS).date(), []).append(item)

    warnings: list[ShortlistWarning] = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if _utc(b.start) >= _utc(a.end):
                break  # sorted by start: no later session can overlap `a` either
            warnings.append(Clash(a.id, b.id, a.title, b.title))

    for sessions in days.values():
        on_site = [s for s in sessions if not s.online]
        for a, b in zip(on_site, on_site[1:]):
            gap = (_utc(b.start) - _utc(a.end)) / timedelta(minutes=1)
            if gap < 0 or None in (a.lat, a.lon, b.lat, b.lon):
                continue  # overlapping: already a Clash; no coordinates: nothing to measure
            distance = haversine_km(a.lat, a.lon, b.lat, b.lon)
            needed = distance * detour_factor / speed_kmh * 60
            if needed > gap:
                warnings.append(TooFar(a.id, b.id, distance, needed, gap, speed_kmh,
                                       a.town or "", b.town or ""))

    position = {item.id: n for n, item in enumerate(ordered)}
    warnings.sort(key=lambda w: (position[w.a_id], position[w.b_id], isinstance(w, TooFar)))
    return CheckedShortlist({d: tuple(s) for d, s in days.items()}, tuple(warnings))


def short_decimal(x: float, places: int = 1) -> str:
    """Write a number in the visitor's language, without useless zeros: 30, 1,3 (French), 1.3 (English)."""
    text = f"{x:.{places}f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language() == "fr" else text


def _check_item(item: ShortlistItem) -> None:
    if not isinstance(item, ShortlistItem):
        raise ShortlistError(f"Séance invalide : {item!r}.")
    for moment, name in ((item.start, "début"), (item.end, "fin")):
        if not isinstance(moment, datetime):
            raise ShortlistError(f"L’instant « {name} » doit être une date et une heure.")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ShortlistError(f"L’instant « {name} » doit porter un fuseau horaire.")
    if _utc(item.end) <= _utc(item.start):
        raise ShortlistError(f"La séance « {item.title} » doit finir après son début.")
    if (item.lat is None) != (item.lon is None):
        raise ShortlistError(f"La séance « {item.title} » a une latitude sans longitude, ou l’inverse.")
    if item.lat is not None:
        if not is_coordinate(item.lat, item.lon):
            raise ShortlistError(f"La séance « {item.title} » a des coordonnées invalides.")


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


def _finite(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _positive(x: object) -> bool:
    return _finite(x) and x > 0


def _from_town(town: str) -> str:
    """'de Lyon', 'd’Annecy', 'du Mans', 'des Ulis' ('from Le Mans' in English: each form is a message)."""
    if town.startswith("Le "):
        return _("du %(rest)s", rest=town[3:])
    if town.startswith("Les "):
        return _("des %(rest)s", rest=town[4:])
    return _("d’%(town)s", town=town) if elides(town) else _("de %(town)s", town=town)


def _to_town(town: str) -> str:
    """'à Lyon', 'au Havre', 'aux Ulis' ('to Le Havre' in English)."""
    if town.startswith("Le "):
        return _("au %(rest)s", rest=town[3:])
    if town.startswith("Les "):
        return _("aux %(rest)s", rest=town[4:])
    return _("à %(town)s", town=town)
