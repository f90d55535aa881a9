"""Where a session is held, by territory: metropolitan France (with the online sessions, open to
anyone) or one overseas territory, each on its own clock (timezones.OVERSEAS_ZONES)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select

from ..models import Event, EventFormat, Venue
from ..timezones import OVERSEAS_ZONES, PARIS_NAME

METROPOLE = "metropole"

# (slug, label, IANA zone of its venues) in the order the list offers them.
TERRITORIES = (
    (METROPOLE, _l("Métropole"), PARIS_NAME),
    ("guadeloupe", _l("Guadeloupe"), OVERSEAS_ZONES["971"]),
    ("martinique", _l("Martinique"), OVERSEAS_ZONES["972"]),
    ("guyane", _l("Guyane"), OVERSEAS_ZONES["973"]),
    ("reunion", _l("La Réunion"), OVERSEAS_ZONES["974"]),
    ("mayotte", _l("Mayotte"), OVERSEAS_ZONES["976"]),
    ("saint-pierre-et-miquelon", _l("Saint-Pierre-et-Miquelon"), OVERSEAS_ZONES["975"]),
    ("saint-barthelemy", _l("Saint-Barthélemy"), OVERSEAS_ZONES["977"]),
    ("saint-martin", _l("Saint-Martin"), OVERSEAS_ZONES["978"]),
)
TERRITORY_ZONES = {slug: zone for slug, _label, zone in TERRITORIES}
TERRITORY_OF_ZONE = {zone: slug for slug, _label, zone in TERRITORIES}


def territory_label(slug: str) -> str:
    """Return the readable name of a territory (« La Réunion »)."""
    return next(str(label) for found, label, _zone in TERRITORIES if found == slug)


def territory_clause(slug: str) -> ColumnElement[bool]:
    """Select the sessions of a territory: held at one of its venues (metropolitan France also
    takes the online-only sessions, which anyone may join)."""
    venues = select(Venue.id).where(Venue.timezone == TERRITORY_ZONES[slug])
    if slug == METROPOLE:
        return or_(Event.format == EventFormat.online, Event.venue_id.is_(None), Event.venue_id.in_(venues))
    return and_(Event.format != EventFormat.online, Event.venue_id.in_(venues))
