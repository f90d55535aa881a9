"""The search filters shared by the map, the list, the API and the feeds, parsed from a query string."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from flask_babel import gettext as _

from .errors import InvalidQuery
from .families import SLUGS
from .models import EventKind

FORMATS = ("onsite", "online")


@dataclass(frozen=True)
class EventFilters:
    day: date | None = None
    family: str | None = None
    kind: EventKind | None = None
    format: str | None = None
    school: int | None = None

    def to_args(self) -> dict[str, str]:
        """Return the filters as query-string arguments, omitting the empty ones."""
        args = {"day": self.day.isoformat() if self.day else None, "family": self.family,
                "kind": self.kind.value if self.kind else None, "format": self.format,
                "school": str(self.school) if self.school is not None else None}
        return {k: v for k, v in args.items() if v}

    def without(self, name: str) -> EventFilters:
        """Return a copy with one filter cleared."""
        return replace(self, **{name: None})


def _one(args: Mapping[str, str], name: str) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    value = value.strip()
    return value or None


def parse_filters(args: Mapping[str, str]) -> EventFilters:
    """Read the filters from query arguments; raise InvalidQuery on an unknown or malformed value."""
    day = _one(args, "day")
    if day is not None:
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise InvalidQuery("day", _("Date invalide : utilisez le format AAAA-MM-JJ.")) from None
        if not date.min < day < date.max:  # a day at the edge of the calendar cannot be searched
            raise InvalidQuery("day", _("Date invalide : utilisez le format AAAA-MM-JJ."))
    family = _one(args, "family")
    if family is not None and family not in SLUGS:
        raise InvalidQuery("family", _("Famille de métiers inconnue : %(value)s.", value=family))
    kind = _one(args, "kind")
    if kind is not None:
        try:
            kind = EventKind(kind)
        except ValueError:
            raise InvalidQuery("kind", _("Type de session inconnu : %(value)s.", value=kind)) from None
    fmt = _one(args, "format")
    if fmt is not None and fmt not in FORMATS:
        raise InvalidQuery("format", _("Format inconnu : utilisez onsite ou online."))
    school = _one(args, "school")
    if school is not None:
        if not school.isdigit() or len(school) > 12:
            raise InvalidQuery("school", _("Identifiant d’école invalide."))
        school = int(school)
    return EventFilters(day=day, family=family, kind=kind, format=fmt, school=school)
