"""The search filters shared by the map, the list, the API and the feeds, parsed from a query string."""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timezone

from flask_babel import gettext as _

from ..checks import FieldError
from ..models import EventKind
from ..places.lookup import place_text
from .families import SLUGS
from .territories import TERRITORY_ZONES

FORMATS = ("onsite", "online")
DEFAULT_RADIUS_KM = 25.0
MIN_RADIUS_KM, MAX_RADIUS_KM = 1.0, 200.0
RADIUS_CHOICES = (5, 10, 25, 50, 100, 200)


@dataclass(frozen=True)
class EventFilters:
    day: date | None = None
    family: str | None = None
    kind: EventKind | None = None
    format: str | None = None
    school: int | None = None
    q: str | None = None  # a place to search around: postal code, town or address
    lat: float | None = None  # ...or a point (both set or both None)
    lon: float | None = None
    radius_km: float = DEFAULT_RADIUS_KM
    edition: int | None = None  # a year; None for the current edition
    updated_since: datetime | None = None  # an instant (UTC): the changes since, for partners' polls
    territory: str | None = None  # a slug of TERRITORIES: metropolitan France or one overseas territory
    bbox: tuple[float, float, float, float] | None = None  # the map's view: west, south, east, north

    @property
    def has_place(self) -> bool:
        """Tell whether the search is around a place (results then sorted by distance)."""
        return self.q is not None or self.lat is not None

    def to_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments, omitting the empty ones."""
        args = {"day": self.day.isoformat() if self.day else None, "family": self.family,
                "kind": self.kind.value if self.kind else None, "format": self.format,
                "school": str(self.school) if self.school is not None else None,
                "q": self.q, "lat": number_arg(self.lat), "lon": number_arg(self.lon),
                "radius_km": number_arg(self.radius_km) if self.has_place else None,
                "edition": str(self.edition) if self.edition is not None else None,
                "updated_since": self.updated_since.isoformat() if self.updated_since else None,
                "territory": self.territory,
                "bbox": ",".join(number_arg(v) for v in self.bbox) if self.bbox else None}
        return {k: v for k, v in args.items() if v}

    def key(self) -> tuple[tuple[str, str], ...]:
        """Return the filters as a hashable, order-independent key (for kept results)."""
        return tuple(sorted(self.to_args().items()))

    def without_place(self) -> EventFilters:
        """Return a copy searching everywhere: the same filters with no place and the default radius."""
        return replace(self, q=None, lat=None, lon=None, radius_km=DEFAULT_RADIUS_KM)

    def without(self, name: str) -> EventFilters:
        """Return a copy with one filter cleared."""
        return replace(self, **{name: None})


def number_arg(value: float | None) -> str | None:
    """Write a number for a query string: "25" rather than "25.0", at most 6 decimals."""
    if value is None:
        return None
    return str(int(value)) if value == int(value) else repr(round(value, 6))


# Ids are 32-bit integers in both databases: a larger number names nothing (and overflows).
MAX_ID = 2**31 - 1


def _whole_number(text: str, digits: int) -> int | None:
    """The integer a text of at most `digits` ASCII digits spells, else None."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= digits else None


def as_id(text: str) -> int | None:
    """Return the positive database id a text spells, or None if it spells none."""
    number = _whole_number(text, 10)
    return number if number is not None and 0 < number <= MAX_ID else None


def page_number(args: Mapping[str, str]) -> int:
    """Read the list's page number; anything odd means the first page."""
    number = _whole_number(args.get("page", "1"), 6)
    return 1 if number is None else number


def _one(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_filters(args: Mapping[str, str], changes: bool = False) -> EventFilters:
    """Read the filters from query arguments; raise FieldError on an unknown or malformed value.

    With changes (the API and its exports), updated_since too; pages ignore it.
    """
    day = _day(args)
    family = _one(args, "family")
    if family is not None and family not in SLUGS:
        raise FieldError("family", _("Famille de métiers inconnue : %(value)s.", value=family))
    kind = _one(args, "kind")
    if kind is not None:
        try:
            kind = EventKind(kind)
        except ValueError:
            raise FieldError("kind", _("Type de session inconnu : %(value)s.", value=kind)) from None
    fmt = _one(args, "format")
    if fmt is not None and fmt not in FORMATS:
        raise FieldError("format", _("Format inconnu : utilisez onsite ou online."))
    school = _one(args, "school")
    if school is not None:
        school = as_id(school)
        if school is None:
            raise FieldError("school", _("Identifiant d’école invalide."))
    q, lat, lon, radius_km = _place(args)
    return EventFilters(day=day, family=family, kind=kind, format=fmt, school=school,
                        q=q, lat=lat, lon=lon, radius_km=radius_km, edition=parse_edition(args),
                        updated_since=parse_updated_since(args) if changes else None,
                        territory=parse_territory(args), bbox=parse_bbox(args))


def parse_territory(args: Mapping[str, str]) -> str | None:
    """Read the territory (metropole, guadeloupe, ...); None for everywhere; FieldError when unknown."""
    raw = _one(args, "territory")
    if raw is None:
        return None
    if raw not in TERRITORY_ZONES:
        raise FieldError("territory", _("Territoire inconnu : %(value)s.", value=raw[:40]))
    return raw


def parse_edition(args: Mapping[str, str]) -> int | None:
    """Read the edition's year (edition=2021); None for the current one; FieldError when malformed."""
    raw = _one(args, "edition")
    if raw is None:
        return None
    year = _whole_number(raw, 4)
    if year is None or year < 2000:
        raise FieldError("edition", _("Édition invalide : donnez une année, par exemple 2021."))
    return year


def parse_updated_since(args: Mapping[str, str]) -> datetime | None:
    """Read updated_since, an ISO 8601 instant with its offset, as UTC; FieldError when malformed."""
    raw = _one(args, "updated_since")
    if raw is None:
        return None
    # An unencoded "+" of the offset arrives as a space: "2021-11-28T12:00:00 01:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        moment = datetime.fromisoformat(raw) if len(raw) <= 40 else None
        if moment is not None and moment.tzinfo is not None:
            return moment.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # overflow: an offset past year 1 or 9999
        pass
    raise FieldError("updated_since", _("Instant invalide : utilisez le format ISO 8601 avec son "
                                        "fuseau, par exemple 2021-11-28T12:00:00Z."))


def parse_bbox(args: Mapping[str, str]) -> tuple[float, float, float, float] | None:
    """Read bbox=west,south,east,north (the map's view, degrees), clamped to the Earth, west <= east
    and south <= north; FieldError when it is not four such numbers."""
    raw = _one(args, "bbox")
    if raw is None:
        return None
    parts = raw.split(",") if len(raw) <= 120 else []
    try:
        numbers = [float(part) for part in parts if part.strip()]
    except ValueError:
        numbers = []
    if len(numbers) != 4 or len(parts) != 4 or not all(math.isfinite(n) for n in numbers):
        raise FieldError("bbox", _("Zone invalide : donnez ouest,sud,est,nord en degrés, par exemple "
                                   "2.2,48.8,2.5,48.9."))
    west, east = (max(-180.0, min(180.0, n)) for n in numbers[0::2])
    south, north = (max(-90.0, min(90.0, n)) for n in numbers[1::2])
    if west > east or south > north:
        raise FieldError("bbox", _("Zone invalide : l’ouest doit être avant l’est et le sud avant le nord."))
    # Rounded outwards to the 6 decimals of to_args: the same box once written back in an address.
    return (math.floor(west * 1e6) / 1e6, math.floor(south * 1e6) / 1e6,
            math.ceil(east * 1e6) / 1e6, math.ceil(north * 1e6) / 1e6)


def _day(args: Mapping[str, str]) -> date | None:
    raw = _one(args, "day")
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    # A day at the edge of the calendar cannot be searched.
    if day is None or not date.min < day < date.max:
        raise FieldError("day", _("Date invalide : utilisez le format AAAA-MM-JJ."))
    return day


def _place_text(args: Mapping[str, str]) -> str | None:
    """Read q if given, by the places' rule on place text (spaces collapsed, not too long)."""
    q = _one(args, "q")
    return None if q is None else place_text(q)


def _float(args: Mapping[str, str], name: str, low: float, high: float,
           message: Callable[[], str]) -> float | None:
    """Read a number between low and high; FieldError with message() (translated only then) if not."""
    raw = _one(args, name)
    if raw is None:
        return None
    try:
        value = float(raw.replace(",", ".")) if len(raw) <= 32 else math.nan
    except ValueError:
        value = math.nan
    if not low <= value <= high:  # also refuses NaN and infinities
        raise FieldError(name, message())
    return value


def _place(args: Mapping[str, str]) -> tuple[str | None, float | None, float | None, float]:
    """Read q, or lat and lon, and radius_km; the place itself is resolved by the events module."""
    q = _place_text(args)
    lat = _float(args, "lat", -90.0, 90.0, lambda: _("Latitude invalide : un nombre entre -90 et 90."))
    lon = _float(args, "lon", -180.0, 180.0, lambda: _("Longitude invalide : un nombre entre -180 et 180."))
    if (lat is None) != (lon is None):
        missing = "lon" if lon is None else "lat"
        raise FieldError(missing, _("Donnez la latitude et la longitude ensemble."))
    if q is not None:  # a named place wins over a remembered position (both may be sent)
        lat = lon = None
    radius = _float(args, "radius_km", MIN_RADIUS_KM, MAX_RADIUS_KM,
                    lambda: _("Rayon invalide : un nombre de kilomètres entre %(min)s et %(max)s.",
                              min=int(MIN_RADIUS_KM), max=int(MAX_RADIUS_KM)))
    return q, lat, lon, DEFAULT_RADIUS_KM if radius is None else radius


def parse_place_query(args: Mapping[str, str]) -> str:
    """Read the required place text q (for /api/geocode); raise FieldError if missing, blank or too long."""
    return place_text(args.get("q"))


def parse_paging(args: Mapping[str, str], default: int | None = 20,
                 maximum: int = 500) -> tuple[int | None, int]:
    """Read limit and offset (API pagination; no limit given: the default); FieldError when out of range."""
    values = {}
    for name, low, high, fallback in (("limit", 1, maximum, default), ("offset", 0, 10**9, 0)):
        raw = _one(args, name)
        number = None if raw is None else _whole_number(raw, 10)
        if raw is None:
            values[name] = fallback
        elif number is not None and low <= number <= high:
            values[name] = number
        else:
            raise FieldError(name, _("Valeur invalide pour %(name)s : un entier entre %(low)s et "
                                       "%(high)s.", name=name, low=low, high=high))
    return values["limit"], values["offset"]
