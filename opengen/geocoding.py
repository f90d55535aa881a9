"""The app's geocoder: settings from the config, a cache in the database shared by all processes."""
from __future__ import annotations

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .db import db, utcnow
from .geo import Geocoder, default_gazetteer
from .models import GeocodeCacheEntry

EXTENSION = "opengen.geocoder"


class DatabaseCache:
    """Geocode answers kept in the `geocode_cache` table, so the same query is never sent twice."""

    def get(self, key: str) -> dict | None:
        with db.engine.connect() as connection:
            return connection.execute(
                select(GeocodeCacheEntry.payload).where(GeocodeCacheEntry.key == key[:300])).scalar()

    def put(self, key: str, payload: dict) -> None:
        # Its own short transaction: a GET that geocodes must not commit the request's session.
        try:
            with db.engine.begin() as connection:
                connection.execute(GeocodeCacheEntry.__table__.insert(),
                                   {"key": key[:300], "payload": payload, "created_at": utcnow()})
        except IntegrityError:
            pass  # another process cached the same query first


def get_geocoder() -> Geocoder:
    """Return this app's geocoder (built once per process from the configuration)."""
    geocoder = current_app.extensions.get(EXTENSION)
    if geocoder is None:
        geocoder = Geocoder.from_settings(current_app.config, cache=DatabaseCache())
        current_app.extensions[EXTENSION] = geocoder
    return geocoder


def init_app(app: Flask) -> None:
    """Load the offline gazetteer at start-up rather than on a visitor's first search."""
    if not app.config.get("TESTING"):
        default_gazetteer()
