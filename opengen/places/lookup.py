"""The app's geocoder: settings from the config, a cache in the database shared by all processes."""
from __future__ import annotations

import json
import sys

import click
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..checks import FieldError
from ..db import db, utcnow
from ..limits import client_address, within_budget
from ..models import GeocodeCacheEntry
from .gazetteer import default_gazetteer
from .geocoders import Geocoder
from .names import MAX_PLACE_CHARS
from .place import Place
from .suggest import Suggestion, did_you_mean, homonyms, suggest

DID_YOU_MEAN = 3  # communes offered next to the field for a place not found

EXTENSION = "opengen.geocoder"
PREFETCHED = "opengen_geocode_cache_read"  # in flask.g: cache entries read ahead, None when absent
# What may reach each online service in total, below its published limit (BAN: 50 requests a
# second per IP; Nominatim: one a second), unless GEOCODER_SITE_BUDGET says otherwise.
SITE_BUDGETS = {"ban": "20 per second", "nominatim": "1 per second"}


class PlaceNotFound(FieldError):
    """A place to search around that no geocoder knows (the error pages answer 404, not 400);
    `choices` are the communes it may have meant ("Marseil": Marseille)."""

    def __init__(self, field: str, message: str, choices: list[Suggestion] | None = None):
        super().__init__(field, message)
        self.choices = list(choices or [])


class PlaceAmbiguous(PlaceNotFound):
    """A bare name that several communes of comparable size bear: the visitor chooses among `choices`."""


class DatabaseCache:
    """Geocode answers kept in the `geocode_cache` table, so the same query is never sent twice."""

    def get(self, key: str) -> dict | None:
        read = g.get(PREFETCHED) if has_app_context() else None
        if read is not None and key[:300] in read:
            return read[key[:300]]
        with db.engine.connect() as connection:
            return connection.execute(
                select(GeocodeCacheEntry.payload).where(GeocodeCacheEntry.key == key[:300])).scalar()

    def prefetch(self, keys: list[str]) -> None:
        """Read these keys' answers in a few queries and keep them (and which are missing) for
        the rest of this app context."""
        read = g.setdefault(PREFETCHED, {})
        wanted = sorted({key[:300] for key in keys} - read.keys())
        with db.engine.connect() as connection:
            for first in range(0, len(wanted), 500):
                chunk = wanted[first:first + 500]
                read.update(dict.fromkeys(chunk))
                read.update((key, payload) for key, payload in connection.execute(
                    select(GeocodeCacheEntry.key, GeocodeCacheEntry.payload).where(GeocodeCacheEntry.key.in_(chunk))))

    def put(self, key: str, payload: dict) -> None:
        # Its own short transaction: a GET that geocodes must not commit the request's session.
        read = g.get(PREFETCHED) if has_app_context() else None
        if read is not None:
            read[key[:300]] = payload
        try:
            with db.engine.begin() as connection:
                connection.execute(GeocodeCacheEntry.__table__.insert(),
                                   {"key": key[:300], "payload": payload, "created_at": utcnow()})
        except IntegrityError:
            pass  # another process cached the same query first


def online_budget() -> bool:
    """Count one call to the online geocoder against the visitor's and the site's budgets; False
    once either is spent (commands run outside a request are not counted)."""
    if not has_request_context():
        return True
    config = current_app.config
    site = config.get("GEOCODER_SITE_BUDGET") or SITE_BUDGETS.get(str(config.get("GEOCODER")).lower(), "1 per second")
    return (within_budget("geocoder-client", config["GEOCODER_CLIENT_BUDGET"], client_address())
            and within_budget("geocoder-site", site, "all"))


def get_geocoder() -> Geocoder:
    """Return this app's geocoder (built once per process from the configuration)."""
    geocoder = current_app.extensions.get(EXTENSION)
    if geocoder is None:
        geocoder = Geocoder.from_settings(current_app.config, cache=DatabaseCache(), budget=online_budget)
        current_app.extensions[EXTENSION] = geocoder
    return geocoder


def place_text(text: str | None) -> str:
    """Return a visitor's place text, spaces collapsed; raise FieldError ("q") if missing, blank or too long."""
    text = " ".join((text or "").split())
    if not text:
        raise FieldError("q", _("Indiquez un lieu : code postal, commune ou adresse."))
    if len(text) > MAX_PLACE_CHARS:
        raise FieldError("q", _("Lieu trop long : %(max)s caractères au plus.", max=MAX_PLACE_CHARS))
    return text


def find_place(query: str) -> Place:
    """Return the place a visitor's text names; raise PlaceNotFound (field "q"), with the communes
    it may have meant, when none does."""
    geocoder = get_geocoder()
    place = geocoder.geocode(query)
    if place is None:
        choices = did_you_mean(geocoder.gazetteer, query, DID_YOU_MEAN)
        raise PlaceNotFound("q", _("Lieu introuvable : « %(query)s ». Vérifiez l’orthographe ou essayez "
                                   "un code postal ou le nom d’une commune.", query=query), choices)
    return place


def ask_if_ambiguous(query: str | None) -> None:
    """Raise PlaceAmbiguous when a bare commune name ("Saint-Denis") may mean several communes,
    so that the visitor chooses before any is searched around."""
    if not query:
        return
    choices = homonyms(get_geocoder().gazetteer, query)
    if choices:
        raise PlaceAmbiguous("q", _("Plusieurs communes s’appellent « %(query)s » : précisez laquelle.",
                                    query=query), choices)


def suggest_places(query: str | None) -> list[dict]:
    """The communes suggested for what a visitor is typing, as JSON-ready dicts (none for a blank text)."""
    return [s.to_dict() for s in suggest(get_geocoder().gazetteer, query or "")]


def place_to_api(place: Place) -> dict:
    """Return the public JSON form of a geocoded place; an ambiguous name says so and lists the others."""
    data = {"lat": place.lat, "lon": place.lon, "label": place.label, "source": place.source,
            "precision": place.precision, "city": place.city, "postcode": place.postcode,
            "insee": place.insee, "department": place.department,
            "ambiguous": bool(place.alternatives), "alternatives": place.alternatives}
    if place.alternatives:
        how = (_("la commune la plus peuplée de ce nom") if place.source == "gazetteer"
               else _("la réponse la plus probable"))
        data["note"] = _("Plusieurs lieux correspondent : nous avons retenu %(label)s (%(how)s). "
                         "Les autres sont dans « alternatives ».", label=place.label, how=how)
    return data


@click.command("geocode")
@click.argument("query")
def geocode_command(query: str) -> None:
    """Print as JSON what /api/geocode answers for QUERY (exit status 1 if not found)."""
    try:
        place = find_place(place_text(query))
    except PlaceNotFound as error:
        click.echo(json.dumps({"error": error.message, "field": error.field, "status": 404},
                              ensure_ascii=False))
        sys.exit(1)
    except FieldError as error:
        click.echo(json.dumps({"error": error.message, "field": error.field, "status": 400},
                              ensure_ascii=False))
        sys.exit(2)
    click.echo(json.dumps(place_to_api(place), ensure_ascii=False, indent=2))


def init_app(app: Flask) -> None:
    """Register `flask geocode`; load the offline gazetteer at start-up, not on a first search."""
    app.cli.add_command(geocode_command)
    if not app.config.get("TESTING"):
        default_gazetteer()
