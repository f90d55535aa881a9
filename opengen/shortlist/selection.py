"""A visitor's shortlist (shown as « Mon programme »): the sessions they starred (ids kept in their
browser), by day, with the clashes and the trips that cannot be made in time (see clashes)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..checks import FieldError
from ..db import db
from ..events.filters import as_id
from ..events.queries import PUBLIC_STATUSES
from ..models import Event, EventFormat, EventStatus
from ..places.distance import is_coordinate
from ..timezones import paris
from .clashes import (
    Clash,
    ShortlistItem,
    ShortlistWarning,
    TooFar,
    check_shortlist,
    short_decimal,
)

MAX_SESSIONS = 200
SPEED_KMH = 30.0
DETOUR_FACTOR = 1.3


@dataclass(frozen=True)
class Shortlist:
    """The starred sessions still public, by Paris day, what to watch out for, and what vanished.

    `requested` keeps every id asked for, so a feed of the shortlist still lists a session that
    comes back after a while (moderated again after an edit).
    """

    days: list[tuple[date, list[Event]]]
    warnings: list[ShortlistWarning]
    missing: tuple[int, ...]
    requested: tuple[int, ...] = ()
    speed_kmh: float = SPEED_KMH
    detour_factor: float = DETOUR_FACTOR

    @property
    def ids(self) -> list[int]:
        """The ids of the sessions shown, in time order."""
        return [event.id for _day, sessions in self.days for event in sessions]

    def messages_for(self, event_id: int) -> list[str]:
        """Return the French warnings that involve one session."""
        return [w.message for w in self.warnings if event_id in (w.a_id, w.b_id)]

    @property
    def clashes(self) -> list[Clash]:
        """The pairs of sessions that overlap, each once."""
        return [w for w in self.warnings if isinstance(w, Clash)]

    def trip_messages_for(self, event_id: int) -> list[str]:
        """Return the warnings on trips that involve one session (clashes are listed once, at the top)."""
        return [w.message for w in self.warnings if not isinstance(w, Clash) and event_id in (w.a_id, w.b_id)]

    def without(self, event_id: int) -> str:
        """Return the ids asked for, but one, as the programme's address writes them."""
        return ",".join(str(i) for i in self.requested if i != event_id)

    def travel_note(self) -> str:
        """Say in French how trips between venues are estimated."""
        return _("Les temps de trajet entre deux lieux sont estimés à %(speed)s km/h, sur une "
                 "distance %(detour)s fois plus longue que la ligne droite.",
                 speed=short_decimal(self.speed_kmh), detour=short_decimal(self.detour_factor))


def parse_ids(raw: str | None) -> tuple[int, ...]:
    """Read "3,1,2" into (3, 1, 2) without repeats; raise FieldError on a bad id or too many."""
    if raw is None or not raw.strip():
        return ()
    ids: dict[int, None] = {}
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if as_id(part) is None:
            raise FieldError("ids", _("Identifiant de session invalide : « %(value)s ». Les "
                                        "identifiants sont des nombres séparés par des virgules.",
                                        value=part[:20]))
        ids[int(part)] = None
        if len(ids) > MAX_SESSIONS:
            raise FieldError("ids", _("Un programme compte au plus %(max)s sessions.",
                                        max=MAX_SESSIONS))
    return tuple(ids)


def ids_from(args: Mapping[str, str], *, required: bool = False) -> tuple[int, ...]:
    """Read the ids argument of a request; with required=True an empty list is refused."""
    ids = parse_ids(args.get("ids"))
    if required and not ids:
        raise FieldError("ids", _("Indiquez au moins une session (paramètre ids, par exemple "
                                    "ids=12,15)."))
    return ids


def load_shortlist(ids: tuple[int, ...]) -> Shortlist:
    """Load the starred sessions and check them: days, clashes, trips too long, ids no longer public."""
    found = list(db.session.scalars(
        select(Event).where(Event.id.in_(ids), Event.status.in_(PUBLIC_STATUSES))
        .options(joinedload(Event.school), joinedload(Event.venue), selectinload(Event.families))
    ).unique()) if ids else []
    by_id = {event.id: event for event in found}
    missing = tuple(i for i in ids if i not in by_id)
    # Sorted by start, then end; starring order decides between sessions at the same times.
    ordered = sorted((by_id[i] for i in ids if i in by_id), key=lambda e: (e.start_at, e.end_at))
    days: dict[date, list[Event]] = {}
    for event in ordered:
        days.setdefault(paris(event.start_at).date(), []).append(event)
    # A cancelled session neither clashes nor needs a trip; one without a duration cannot be checked.
    checked = check_shortlist(
        [_item(e) for e in ordered if e.status != EventStatus.cancelled and e.end_at > e.start_at],
        speed_kmh=SPEED_KMH, detour_factor=DETOUR_FACTOR)
    return Shortlist(days=list(days.items()), warnings=list(checked.warnings),
                             missing=missing, requested=tuple(ids))


def to_api(shortlist: Shortlist, event_json: Callable[[Event], dict]) -> dict:
    """Return the shortlist as JSON data; event_json(event) gives each session's own data."""
    return {
        "ids": shortlist.ids,
        "missing": list(shortlist.missing),
        "speed_kmh": shortlist.speed_kmh,
        "detour_factor": shortlist.detour_factor,
        "days": [{"day": day.isoformat(), "events": [event_json(e) for e in sessions]}
                 for day, sessions in shortlist.days],
        "warnings": [{"type": "too_far" if isinstance(w, TooFar) else "clash",
                      "ids": [w.a_id, w.b_id], "message": w.message} for w in shortlist.warnings],
    }


def needs_no_trip(event: Event) -> bool:
    """Tell whether a session needs no trip: online only, or without a venue."""
    return event.format == EventFormat.online or event.venue is None


def _item(event: Event) -> ShortlistItem:
    """A session as the clash checks see it."""
    venue = event.venue
    located = not needs_no_trip(event) and is_coordinate(venue.lat, venue.lon)
    return ShortlistItem(id=event.id, title=event.title, start=event.start_at, end=event.end_at,
                         lat=venue.lat if located else None, lon=venue.lon if located else None,
                         online=needs_no_trip(event), town=(venue.city or "") if venue else "")
