"""Where sessions take place: locating a typed address, the school's pin, and `flask geocode-pending`."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

import click
from flask import Flask, current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..checks import FieldError
from ..db import begin_write, db, utcnow
from ..models import Event, School, Venue
from ..timezones import zone_for_postcode
from . import spatial
from .distance import haversine_km, is_coordinate
from .gazetteer import default_gazetteer
from .lookup import get_geocoder
from .names import POSTCODE, ascii_words, department_of, name_key
from .place import Place

# How far a school may drag its pin from the geocoded point: enough to reach the right building
# when only the town was found, not enough to move a session to another town.
MAX_PIN_SHIFT_KM = 15.0
# Precisions that only locate the town, not the building: the school is asked to move the pin.
COARSE_PRECISIONS = ("municipality", "approximate", "locality")


class GeocoderUnavailable(Exception):
    """The geocoding service cannot answer now: save the venue and geocode it later."""


@dataclass(frozen=True)
class VenueDraft:
    name: str
    address: str
    postcode: str
    city: str

    @property
    def timezone(self) -> str:
        """The venue's clock: overseas departments differ from Paris."""
        return zone_for_postcode(self.postcode)

    @property
    def query(self) -> str:
        """The text sent to the geocoder."""
        return f"{self.address}, {self.postcode} {self.city}"

    @property
    def key(self) -> tuple[str, str]:
        """A normalised (address, postcode) pair telling whether two venues are the same place."""
        return normalise(self.address), self.postcode


@dataclass(frozen=True)
class Location:
    """A located venue draft: the geocoded place and the pin.

    `unavailable` says the address service did not answer: the place is then at best the town
    found offline (or None), and the venue is geocoded again later unless the school moved the pin.
    """

    place: Place | None
    lat: float | None = None
    lon: float | None = None
    corrected: bool = False
    unavailable: bool = False

    @property
    def pending(self) -> bool:
        """Tell whether the venue must be geocoded again later."""
        if self.place is None:
            return True
        return self.unavailable and not self.corrected


def normalise(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text for comparing addresses and titles."""
    return " ".join(ascii_words(text))


def is_coarse(place: Place) -> bool:
    """Tell whether a place only locates the town, not the building."""
    return place.source == "gazetteer" or place.precision in COARSE_PRECISIONS


def service_down() -> bool:
    """Tell whether the online address service failed lately (the geocoder then answers offline)."""
    geocoder = get_geocoder()
    return geocoder.service is not None and geocoder.breaker.is_open()


def locate_venue(address: str, postcode: str, city: str) -> Place | None:
    """Geocode a French address: a Place (maybe only the town, found offline), or None if it does
    not exist in France; raise GeocoderUnavailable if the service is down and nothing was found offline."""
    place = get_geocoder().geocode(VenueDraft("", address, postcode, city).query)
    if place is None and service_down():
        current_app.logger.warning("address service unavailable: a venue is saved for geocoding later")
        raise GeocoderUnavailable("the address service did not answer")
    return place


def postcode_problem(postcode: str) -> str | None:
    """Say what is wrong with a typed postal code and how to fix it, or None if a commune has it."""
    if not postcode.isdigit() or len(postcode) != 5:
        return _("Un code postal français a cinq chiffres, par exemple 93200 (vous avez saisi « %(typed)s »). "
                 "Les lieux à l’étranger ne peuvent pas être proposés.", typed=postcode)
    if not POSTCODE.match(postcode) or postcode not in default_gazetteer().by_postcode:
        return _("Aucune commune n’a le code postal %(postcode)s : vérifiez-le sur un courrier ou sur "
                 "le site de La Poste. Un code CEDEX ne convient pas : indiquez celui de la commune.",
                 postcode=postcode)
    return None


def check_place(draft: VenueDraft, place: Place | None) -> Place:
    """Return the place if it is where the school said; raise FieldError otherwise."""
    if place is None:
        raise FieldError("address", _("Adresse introuvable en France. Vérifiez le numéro, la rue, "
                                           "le code postal et la ville."))
    found = department_of(place.postcode)
    if found is not None and found != department_of(draft.postcode):
        raise FieldError("postcode", _(
            "Cette adresse a été trouvée à %(place)s, pas dans le code postal %(postcode)s. "
            "Vérifiez le code postal et la ville.", place=place.label or place.city or "",
            postcode=draft.postcode))
    if place.city and not same_town(draft.city, place.city):
        raise FieldError("city", _(
            "Le code postal %(postcode)s et cette adresse mènent à %(town)s, pas à « %(city)s ». Vérifiez "
            "la ville (son nom officiel de commune) et le code postal.", postcode=draft.postcode,
            town=place.city, city=draft.city))
    return place


def same_town(typed: str, found: str) -> bool:
    """Tell whether a typed town name designates the commune found ("Paris" for its arrondissements)."""
    typed_key = name_key(re.split(r"\bcedex\b", typed, flags=re.IGNORECASE)[0])
    found_key = name_key(found)
    return bool(typed_key) and (found_key.startswith(typed_key) or typed_key.startswith(found_key))


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="opengen-venue-place")


def sign_location(draft: VenueDraft, location: Location | None) -> str:
    """Sign a geocoding result so the confirmation step need not ask the geocoder again."""
    place = location.place if location else None
    return _serializer().dumps({"q": normalise(draft.query), "p": place.to_dict() if place else None,
                                "down": bool(location and location.unavailable)})


def _unsigned(draft: VenueDraft, token: str | None) -> Location | None:
    if not token:
        return None
    try:
        data = _serializer().loads(token)
        if not isinstance(data, dict) or data.get("q") != normalise(draft.query):
            return None
        place = Place.from_dict(data["p"]) if data.get("p") else None
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if place is None:
        return Location(None, unavailable=True)
    return Location(place, place.lat, place.lon, unavailable=bool(data.get("down")))


def locate_draft(draft: VenueDraft, signed: str | None = None) -> Location:
    """Locate a venue draft, reusing a signed earlier result for the same address if given."""
    known = _unsigned(draft, signed)
    if known is not None:
        return known
    try:
        place = check_place(draft, locate_venue(draft.address, draft.postcode, draft.city))
    except GeocoderUnavailable:
        return Location(None, unavailable=True)
    return Location(place, place.lat, place.lon, unavailable=place.source == "gazetteer" and service_down())


def with_pin(location: Location, lat: float | None, lon: float | None) -> Location:
    """Apply the school's dragged pin; raise FieldError if it wandered too far."""
    if location.place is None or lat is None or lon is None:
        return location
    if not is_coordinate(lat, lon) or \
            haversine_km(location.place.lat, location.place.lon, lat, lon) > MAX_PIN_SHIFT_KM:
        raise FieldError("pin", _("Le repère a été déplacé trop loin de l’adresse (plus de "
                                       "%(km)s km). Replacez-le sur le bâtiment ou corrigez l’adresse.",
                                       km=int(MAX_PIN_SHIFT_KM)))
    moved = haversine_km(location.place.lat, location.place.lon, lat, lon) > 0.001
    return replace(location, lat=round(lat, 6), lon=round(lon, 6), corrected=moved)


def apply_location(venue: Venue, location: Location) -> None:
    """Store a location's coordinates and geocoding details on a venue."""
    place = location.place
    venue.needs_geocoding = location.pending
    venue.pin_corrected = location.corrected
    if place is None:
        venue.lat = venue.lon = None
        venue.geocode_source = venue.geocode_precision = None
        return
    venue.lat, venue.lon = location.lat, location.lon
    venue.insee_code, venue.department, venue.region = place.insee, place.department, place.region
    venue.geocode_source, venue.geocode_precision = place.source, place.precision
    venue.geocoded_at = utcnow()


def create_venue(school: School, draft: VenueDraft, location: Location, *, flush: bool = True) -> Venue:
    """Add a venue for a school at a located address (an import flushes a batch at once)."""
    venue = Venue(school=school, name=draft.name, address=draft.address, postcode=draft.postcode,
                  city=draft.city, timezone=draft.timezone)
    apply_location(venue, location)
    db.session.add(venue)
    if flush:
        db.session.flush()
    return venue


def draft_of(venue: Venue) -> VenueDraft:
    """Return the typed part of a stored venue."""
    return VenueDraft(venue.name, venue.address or "", venue.postcode or "", venue.city or "")


def update_venue(venue: Venue, draft: VenueDraft, location: Location) -> bool:
    """Change a venue's address or pin; return whether anything changed (sessions then move)."""
    before = (draft_of(venue), venue.lat, venue.lon)
    venue.name, venue.address, venue.postcode, venue.city = (
        draft.name, draft.address, draft.postcode, draft.city)
    venue.timezone = draft.timezone
    apply_location(venue, location)
    changed = before != (draft, venue.lat, venue.lon)
    if changed:
        now = utcnow()
        for event in db.session.scalars(select(Event).where(Event.venue_id == venue.id)):
            event.sequence += 1
            event.updated_at = now
    db.session.flush()
    return changed


@dataclass
class GeocodeReport:
    located: int = 0
    approximate: int = 0
    not_found: int = 0
    unavailable: bool = False


def geocode_pending(limit: int | None = None) -> GeocodeReport:
    """Geocode the venues saved while the address service was down; stop at the first outage.

    A batch job: each venue is committed on its own, so an interruption keeps what was done.
    """
    report = GeocodeReport()
    stmt = select(Venue.id).where(Venue.needs_geocoding).order_by(Venue.id)
    for venue_id in db.session.scalars(stmt.limit(limit) if limit else stmt).all():
        venue = db.session.get(Venue, venue_id)
        draft = draft_of(venue)
        try:
            place = check_place(draft, locate_venue(draft.address, draft.postcode, draft.city))
        except GeocoderUnavailable:
            report.unavailable = True
            break
        except FieldError:
            report.not_found += 1
            continue
        if place.source == "gazetteer" and service_down():
            report.unavailable = True
            break
        begin_write()
        venue = db.session.get(Venue, venue_id)
        if venue.pin_corrected and venue.lat is not None:
            # The school put the pin on the building itself: keep it, only fill the details.
            location = Location(place, venue.lat, venue.lon, corrected=True)
        else:
            location = Location(place, place.lat, place.lon)
        apply_location(venue, location)
        db.session.commit()
        if is_coarse(place):
            report.approximate += 1
        else:
            report.located += 1
    return report


@click.command("geocode-pending")
@click.option("--limit", type=int, default=None, help="At most this many venues.")
def geocode_pending_command(limit: int | None) -> None:
    """Geocode the venues saved while the geocoder was unavailable."""
    report = geocode_pending(limit)
    db.session.commit()
    click.echo(f"{report.located} lieu(x) géolocalisé(s), {report.approximate} à la commune près, "
               f"{report.not_found} adresse(s) introuvable(s).")
    left = db.session.scalar(select(db.func.count()).select_from(Venue).where(Venue.needs_geocoding))
    click.echo(f"{left} lieu(x) encore en attente.")
    if report.unavailable:
        click.echo("Le service de géocodage ne répond pas : relancez la commande plus tard.", err=True)
        raise SystemExit(1)


def init_app(app: Flask) -> None:
    """Register the geocode-pending command and the venues' spatial index with the migrations."""
    app.cli.add_command(geocode_pending_command)
    spatial.init_app(app)
