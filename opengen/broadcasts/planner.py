"""The morning broadcast programme by career family, live status, and personal programmes.

Plain values in, plain values out: no Flask, no database. Messages meant for people are French.

Time rules used throughout:
- instants are aware datetimes; they are compared after conversion to UTC, because Python
  compares two datetimes sharing one tzinfo object by wall-clock time and ignores `fold`, which
  is wrong during the repeated hour of a DST change;
- "which day" and "which morning" are decided in Europe/Paris.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal, Union
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..timezones import PARIS_NAME

# Display names match opengen/families.py (label_fr); that module imports Flask-Babel, which this
# one must not, so the French words needed for titles and messages live here.
FAMILY_NAMES: Mapping[str, str] = {
    "web-development": "Développement web",
    "networks-maintenance": "Réseaux et maintenance",
    "cybersecurity": "Cybersécurité",
    "cloud": "Cloud",
    "data": "Data",
    "ai": "Intelligence artificielle",
    "web-design": "Web design et graphisme",
    "digital-marketing": "Marketing digital",
    "project-management": "Gestion de projet",
}
# "Les métiers ..." followed by these.
_OF_FAMILY: Mapping[str, str] = {
    "web-development": "du développement web",
    "networks-maintenance": "des réseaux et de la maintenance",
    "cybersecurity": "de la cybersécurité",
    "cloud": "du cloud",
    "data": "de la data",
    "ai": "de l’intelligence artificielle",
    "web-design": "du web design et du graphisme",
    "digital-marketing": "du marketing digital",
    "project-management": "de la gestion de projet",
}
FAMILY_SLUGS: tuple[str, ...] = tuple(FAMILY_NAMES)

_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre")


class ScheduleError(ValueError):
    """A programme or a time that cannot be built; str() is a French sentence for people."""


# --------------------------------------------------------------------------- broadcast programme

@dataclass(frozen=True)
class Slot:
    """One morning broadcast: the families it presents, in order, between two Paris wall times."""

    day: date
    families: tuple[str, ...]
    start: time
    end: time
    title: str | None = None

    def __post_init__(self) -> None:
        # Accept any sequence (or one slug) but store a tuple so slots stay hashable.
        families = (self.families,) if isinstance(self.families, str) else tuple(self.families)
        object.__setattr__(self, "families", families)


def default_title(families: Sequence[str]) -> str:
    """Return the French title of a broadcast presenting these families, in this order."""
    unknown = [f for f in families if not _known(f)]
    if unknown:
        raise ScheduleError(f"Famille inconnue : « {unknown[0]} ».")
    if not families:
        raise ScheduleError("Une émission présente au moins une famille de métiers.")
    parts = [_OF_FAMILY[f] for f in families]
    if len(parts) == 1:
        return f"Les métiers {parts[0]}"
    # "du cloud et des réseaux et de la maintenance" misleads; "ainsi que" keeps the pairs apart.
    last_join = " ainsi que " if any(" et " in p for p in parts) else " et "
    return f"Les métiers {', '.join(parts[:-1])}{last_join}{parts[-1]}"


def propose_programme(
    days: Sequence[date],
    families: Sequence[str],
    fixed: Iterable[Slot] = (),
    *,
    max_per_morning: int = 2,
    start: time = time(10, 0),
    duration: timedelta = timedelta(hours=1),
) -> list[Slot]:
    """Spread every family once over the mornings, evenly, keeping the fixed slots; sorted by day.

    Even means every morning presents q or q+1 families, q = len(families) // len(days), so
    exactly len(families) % len(days) mornings present q+1 (9 over 6: three mornings with 2,
    three with 1; a morning with 0 families gets no slot). A fixed slot is the whole broadcast of
    its morning and counts towards it. Free mornings take the families left, in the order given;
    the mornings that take one more are spread across the week from the first free one
    (Mon, Wed, Fri for 3 extra over 6 free mornings).
    Raises ScheduleError, in French, when the constraints cannot all hold.
    """
    fixed = list(fixed)
    edition = _check_days(days)
    _check_families(families)
    if not isinstance(max_per_morning, int) or isinstance(max_per_morning, bool) or max_per_morning < 1:
        raise ScheduleError("Le nombre maximal de familles par matinée doit être un entier d’au moins 1.")
    default_end = _end_of(start, duration)

    total = len(families)
    if total > len(edition) * max_per_morning:
        raise ScheduleError(
            f"Impossible : {_count(total, 'famille')} pour {_count(len(edition), 'matinée')} "
            f"avec au plus {_count(max_per_morning, 'famille')} par matinée.")

    by_day = _check_fixed(fixed, edition, families, max_per_morning)

    # Even spread: counts in {q, q+1}, and exactly `extra` mornings at q+1.
    q, extra = divmod(total, len(edition))
    heavy_fixed = [s for s in by_day.values() if len(s.families) == q + 1 and extra]
    light_fixed = [s for s in by_day.values() if len(s.families) == q]
    odd = [s for s in by_day.values() if s not in heavy_fixed and s not in light_fixed]
    allowed = f"{q} ou {q + 1}" if extra else f"{q}"
    if odd:
        slot = odd[0]
        raise ScheduleError(
            f"Impossible de répartir également {_count(total, 'famille')} sur "
            f"{_count(len(edition), 'matinée')} : chaque matinée doit en présenter {allowed}, "
            f"or la matinée fixée du {_day_fr(slot.day)} en présente {len(slot.families)}.")
    if len(heavy_fixed) > extra:
        raise ScheduleError(
            f"Impossible de répartir également {_count(total, 'famille')} sur "
            f"{_count(len(edition), 'matinée')} : au plus {_count(extra, 'matinée')} "
            f"peu{'vent' if extra > 1 else 't'} en présenter {q + 1}, or "
            f"{_count(len(heavy_fixed), 'matinée fixée', 'matinées fixées')} en présentent {q + 1}.")
    if len(light_fixed) > len(edition) - extra:
        lighter = len(edition) - extra
        raise ScheduleError(
            f"Impossible de répartir également {_count(total, 'famille')} sur "
            f"{_count(len(edition), 'matinée')} : au plus {_count(lighter, 'matinée')} "
            f"peu{'vent' if lighter > 1 else 't'} en présenter {q}, or "
            f"{_count(len(light_fixed), 'matinée fixée', 'matinées fixées')} en "
            f"présente{'nt' if len(light_fixed) > 1 else ''} {q}.")

    # With the checks above, the free mornings receive exactly the families left, at q or q+1.
    free_days = [d for d in edition if d not in by_day]
    extra_left = extra - len(heavy_fixed)
    placed = {f for s in by_day.values() for f in s.families}
    waiting = [f for f in families if f not in placed]
    programme = [s if s.title is not None else replace(s, title=default_title(s.families))
                 for s in by_day.values()]
    for i, day in enumerate(free_days):
        # ceil((i+1)k/n) - ceil(ik/n) is 0 or 1 and sums to k over the n free days (telescoping):
        # exactly `extra_left` of them take one more, evenly spaced, starting with the first.
        size = q + (_ceil_div((i + 1) * extra_left, len(free_days))
                    - _ceil_div(i * extra_left, len(free_days)))
        taken, waiting = tuple(waiting[:size]), waiting[size:]
        if taken:
            programme.append(Slot(day, taken, start, default_end, default_title(taken)))
    assert not waiting, "every family is placed once the checks have passed"
    return sorted(programme, key=lambda s: s.day)


def _known(family: object) -> bool:
    return isinstance(family, str) and family in FAMILY_NAMES


def _check_days(days: Sequence[date]) -> list[date]:
    if not days:
        raise ScheduleError("L’édition doit compter au moins une matinée.")
    for d in days:
        if not isinstance(d, date) or isinstance(d, datetime):
            raise ScheduleError(f"Jour invalide : {d!r} n’est pas une date.")
    if len(set(days)) != len(days):
        twice = next(d for d in days if list(days).count(d) > 1)
        raise ScheduleError(f"Le {_day_fr(twice)} figure deux fois dans l’édition.")
    return sorted(days)


def _check_families(families: Sequence[str]) -> None:
    seen: set[str] = set()
    for f in families:
        if not _known(f):
            raise ScheduleError(f"Famille inconnue : « {f} ».")
        if f in seen:
            raise ScheduleError(f"La famille « {FAMILY_NAMES[f]} » figure deux fois dans la liste.")
        seen.add(f)


def _check_fixed(fixed: list[Slot], edition: list[date], families: Sequence[str],
                 max_per_morning: int) -> dict[date, Slot]:
    by_day: dict[date, Slot] = {}
    placed: dict[str, date] = {}
    first, last = edition[0], edition[-1]
    for slot in fixed:
        if not isinstance(slot, Slot):
            raise ScheduleError(f"Créneau fixé invalide : {slot!r}.")
        if slot.day not in edition:
            raise ScheduleError(
                f"Impossible : la matinée fixée du {_day_fr(slot.day, year=True)} est hors de "
                f"l’édition (du {_day_fr(first)} au {_day_fr(last, year=True)}).")
        if slot.day in by_day:
            raise ScheduleError(f"Impossible : deux émissions sont fixées le {_day_fr(slot.day)}.")
        if not slot.families:
            raise ScheduleError(
                f"Impossible : la matinée fixée du {_day_fr(slot.day)} ne présente aucune famille.")
        if not isinstance(slot.start, time) or not isinstance(slot.end, time) or slot.start >= slot.end:
            raise ScheduleError(
                f"Impossible : la matinée fixée du {_day_fr(slot.day)} doit finir après son début.")
        for f in slot.families:
            if not _known(f):
                raise ScheduleError(f"Famille inconnue : « {f} ».")
            if f not in families:
                raise ScheduleError(
                    f"Impossible : la famille « {FAMILY_NAMES[f]} », fixée le {_day_fr(slot.day)}, "
                    f"ne fait pas partie des familles de l’édition.")
            if f in placed:
                where = ("deux fois le même jour" if placed[f] == slot.day else
                         f"deux fois (le {_day_fr(placed[f])} et le {_day_fr(slot.day)})")
                raise ScheduleError(f"Impossible : la famille « {FAMILY_NAMES[f]} » est fixée {where}.")
            placed[f] = slot.day
        if len(slot.families) > max_per_morning:
            raise ScheduleError(
                f"Impossible : la matinée fixée du {_day_fr(slot.day)} présente "
                f"{_count(len(slot.families), 'famille')}, au plus {max_per_morning} "
                f"{'sont permises' if max_per_morning > 1 else 'est permise'}.")
        by_day[slot.day] = slot
    return by_day


def _end_of(start: time, duration: timedelta) -> time:
    if not isinstance(start, time) or start.tzinfo is not None:
        raise ScheduleError("L’heure de début doit être une heure locale, sans fuseau.")
    if not isinstance(duration, timedelta) or duration <= timedelta(0):
        raise ScheduleError("La durée d’une émission doit être positive.")
    end = datetime.combine(date.min, start) + duration
    if end.date() != date.min:
        raise ScheduleError("Une émission doit finir le jour où elle commence.")
    return end.time()


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n} {noun if n <= 1 else plural or noun + 's'}"


def _day_fr(d: date, *, year: bool = False) -> str:
    text = f"{_WEEKDAYS[d.weekday()]} {'1er' if d.day == 1 else d.day} {_MONTHS[d.month - 1]}"
    return f"{text} {d.year}" if year else text


# --------------------------------------------------------------------------- clock and live status

def local_datetime(day: date, at: time, tz: str = PARIS_NAME, *, strict: bool = False) -> datetime:
    """Return the aware datetime of a wall-clock time on a day in tz (Paris by default).

    A time that does not exist (skipped by the spring change, e.g. 02:30 on 2022-03-27) is moved
    forward by the length of the gap: 03:30 summer time, the time a clock would show. A time that
    happens twice (autumn change, e.g. 02:30 on 2021-10-31) means its first occurrence, still
    summer time. With strict=True both cases raise ScheduleError instead. The result carries
    the zone, for display; Python finds a time of the repeated hour unequal to any time in another
    zone, so compare results through UTC, as broadcast_status() does.
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ScheduleError(f"Jour invalide : {day!r} n’est pas une date.")
    if not isinstance(at, time) or at.tzinfo is not None:
        raise ScheduleError("L’heure doit être une heure locale, sans fuseau.")
    zone = _zone(tz)
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    # For a skipped time, fold=0 takes the offset in force before the gap, so converting through
    # UTC yields the wall time shifted forward by the gap.
    normalised = first.astimezone(timezone.utc).astimezone(zone)
    skipped = normalised.replace(tzinfo=None) != wall
    if strict:
        what = "n’existe pas" if skipped else "existe deux fois"
        raise ScheduleError(f"L’heure {at:%H:%M} du {_day_fr(day, year=True)} {what} "
                            f"à cause du changement d’heure.")
    return normalised if skipped else first


def broadcast_status(start: datetime, end: datetime, now: datetime
                     ) -> Literal["upcoming", "live", "ended"]:
    """Say whether a broadcast is upcoming, live (start <= now < end) or ended at `now`."""
    start_utc, end_utc, now_utc = (_utc(start, "début"), _utc(end, "fin"), _utc(now, "maintenant"))
    if end_utc <= start_utc:
        raise ScheduleError("Une émission doit finir après son début.")
    if now_utc < start_utc:
        return "upcoming"
    return "live" if now_utc < end_utc else "ended"


def is_today(start: datetime, now: datetime, tz: str = PARIS_NAME) -> bool:
    """Say whether `start` falls on the same calendar day as `now`, both seen in tz."""
    zone = _zone(tz)
    _utc(start, "début")
    _utc(now, "maintenant")
    return start.astimezone(zone).date() == now.astimezone(zone).date()


def slot_datetimes(slot: Slot, tz: str = PARIS_NAME) -> tuple[datetime, datetime]:
    """Return the aware start and end of a broadcast slot, read as wall times in tz."""
    return local_datetime(slot.day, slot.start, tz), local_datetime(slot.day, slot.end, tz)


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ScheduleError(f"Fuseau horaire inconnu : « {tz} ».") from error


def _utc(moment: datetime, name: str) -> datetime:
    if not isinstance(moment, datetime):
        raise ScheduleError(f"L’instant « {name} » doit être une date et une heure.")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ScheduleError(f"L’instant « {name} » doit porter un fuseau horaire.")
    return moment.astimezone(timezone.utc)


# --------------------------------------------------------------------------- personal programme

@dataclass(frozen=True)
class ProgrammeItem:
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
        """French sentence for the visitor."""
        return f"« {self.a_title} » et « {self.b_title} » se chevauchent."


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
        """French sentence for the visitor."""
        if self.a_place and self.b_place and self.a_place != self.b_place:
            trip = f"{_from_town(self.a_place)} {_to_town(self.b_place)}"
        else:
            trip = "d’un lieu à l’autre"
        available = max(0, math.floor(self.available_minutes + 1e-9))
        # "environ": rounded, but never shown as fitting in the time available.
        needed = max(math.floor(self.needed_minutes + 0.5), available + 1)
        return (f"Impossible d’aller {trip} en {available} min ({_decimal(self.distance_km, 1)} km, "
                f"environ {needed} min à {_decimal(self.speed_kmh, 1)} km/h).")


ProgrammeWarning = Union[Clash, TooFar]


@dataclass(frozen=True)
class Programme:
    """Starred sessions by Paris day (days and sessions in time order) and what to watch out for."""

    days: dict[date, tuple[ProgrammeItem, ...]]
    warnings: tuple[ProgrammeWarning, ...] = field(default=())

    def warnings_for(self, item_id: int | str) -> tuple[ProgrammeWarning, ...]:
        """Return the warnings that involve this session."""
        return tuple(w for w in self.warnings if item_id in (w.a_id, w.b_id))


def plan_programme(items: Iterable[ProgrammeItem], *, speed_kmh: float = 30.0,
                   detour_factor: float = 1.3) -> Programme:
    """Group starred sessions by Paris day in time order and warn of clashes and impossible trips.

    Clash: every pair of sessions that overlap (touching ends do not). TooFar: two on-site
    sessions following each other on the same Paris day without overlapping, where the straight
    distance between venues * detour_factor at speed_kmh takes longer than the gap between them.
    Online sessions need no travel and are assumed followable from anywhere (a phone), so the trip
    is measured from the last on-site venue; sessions without coordinates are not checked.
    """
    if not _positive(speed_kmh):
        raise ScheduleError("La vitesse doit être un nombre positif de km/h.")
    if not _positive(detour_factor) or detour_factor < 1:
        raise ScheduleError("Le facteur de détour doit être un nombre au moins égal à 1.")
    items = list(items)
    ids: set[int | str] = set()
    for item in items:
        _check_item(item)
        if item.id in ids:
            raise ScheduleError(f"La séance {item.id!r} figure deux fois dans le programme.")
        ids.add(item.id)

    # Stable sort: equal times keep the order the visitor starred them in.
    ordered = sorted(items, key=lambda i: (_utc(i.start, "début"), _utc(i.end, "fin")))
    paris = ZoneInfo(PARIS_NAME)
    days: dict[date, list[ProgrammeItem]] = {}
    for item in ordered:
        days.setdefault(item.start.astimezone(paris).date(), []).append(item)

    warnings: list[ProgrammeWarning] = []
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if _utc(b.start, "début") >= _utc(a.end, "fin"):
                break  # sorted by start: no later session can overlap `a` either
            warnings.append(Clash(a.id, b.id, a.title, b.title))

    for sessions in days.values():
        on_site = [s for s in sessions if not s.online]
        for a, b in zip(on_site, on_site[1:]):
            gap = (_utc(b.start, "début") - _utc(a.end, "fin")) / timedelta(minutes=1)
            if gap < 0 or None in (a.lat, a.lon, b.lat, b.lon):
                continue  # overlapping: already a Clash; no coordinates: nothing to measure
            distance = haversine_km(a.lat, a.lon, b.lat, b.lon)
            needed = distance * detour_factor / speed_kmh * 60
            if needed > gap:
                warnings.append(TooFar(a.id, b.id, distance, needed, gap, speed_kmh,
                                       a.town or "", b.town or ""))

    position = {item.id: n for n, item in enumerate(ordered)}
    warnings.sort(key=lambda w: (position[w.a_id], position[w.b_id], isinstance(w, TooFar)))
    return Programme({d: tuple(s) for d, s in days.items()}, tuple(warnings))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Return the great-circle distance in km between two points given in degrees."""
    earth_radius_km = 6371.0088  # mean Earth radius (IUGG)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * earth_radius_km * math.asin(min(1.0, math.sqrt(h)))


def _check_item(item: ProgrammeItem) -> None:
    if not isinstance(item, ProgrammeItem):
        raise ScheduleError(f"Séance invalide : {item!r}.")
    start, end = _utc(item.start, "début"), _utc(item.end, "fin")
    if end <= start:
        raise ScheduleError(f"La séance « {item.title} » doit finir après son début.")
    if (item.lat is None) != (item.lon is None):
        raise ScheduleError(f"La séance « {item.title} » a une latitude sans longitude, ou l’inverse.")
    if item.lat is not None:
        if not (_finite(item.lat) and _finite(item.lon) and -90 <= item.lat <= 90
                and -180 <= item.lon <= 180):
            raise ScheduleError(f"La séance « {item.title} » a des coordonnées invalides.")


def _finite(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _positive(x: object) -> bool:
    return _finite(x) and x > 0


def _decimal(x: float, places: int) -> str:
    text = f"{x:.{places}f}".rstrip("0").rstrip(".") if places else f"{x:.0f}"
    return text.replace(".", ",")


_VOWELS = "aeiouyàâäéèêëîïôöùûüœAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒ"


def _from_town(town: str) -> str:
    """'de Lyon', 'd’Annecy', 'du Mans', 'des Ulis'."""
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if town.startswith(article):
            return contracted + town[len(article):]
    return f"d’{town}" if town[:1] in _VOWELS else f"de {town}"


def _to_town(town: str) -> str:
    """'à Lyon', 'au Havre', 'aux Ulis'."""
    for article, contracted in (("Le ", "au "), ("Les ", "aux ")):
        if town.startswith(article):
            return contracted + town[len(article):]
    return f"à {town}"
