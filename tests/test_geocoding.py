"""The app's geocoder: configured from settings, cached in the database across processes."""
from __future__ import annotations

from sqlalchemy import func, select

from opengen.db import db
from opengen.models import GeocodeCacheEntry
from opengen.places.lookup import DatabaseCache, get_geocoder

from .fakeban import FakeBAN


def test_database_cache_round_trip_and_duplicate_put(ctx, app):
    cache = DatabaseCache()
    assert cache.get("saint denis") is None
    cache.put("saint denis", {"lat": 48.93, "lon": 2.35, "label": "Saint-Denis"})
    cache.put("saint denis", {"lat": 0, "lon": 0, "label": "ignored"})
    assert cache.get("saint denis")["label"] == "Saint-Denis"
    assert db.session.scalar(select(func.count()).select_from(GeocodeCacheEntry)) == 1


def test_offline_geocoder_answers_from_the_gazetteer(ctx, app):
    place = get_geocoder().geocode("93200")
    assert place is not None and place.source == "gazetteer"
    assert abs(place.lat - 48.93) < 0.05 and abs(place.lon - 2.36) < 0.05
    assert get_geocoder() is get_geocoder()


def test_online_answers_are_cached_so_a_query_is_sent_once(ctx, app):
    with FakeBAN() as ban:
        app.config.update(GEOCODER="ban", GEOCODER_BAN_DOMAIN=ban.domain, GEOCODER_BAN_SCHEME="http")
        app.extensions.pop("opengen.geocoder", None)
        first = get_geocoder().geocode("8 boulevard du Port 80000 Amiens")
        app.extensions.pop("opengen.geocoder", None)  # a second process: new geocoder, same database
        second = get_geocoder().geocode("8 boulevard du Port 80000 Amiens")
        searches = [r for r in ban.requests if r[1] == "/search"]
    assert first is not None and second is not None
    assert (first.lat, first.lon) == (second.lat, second.lon)
    assert len(searches) == 1 and first.source == "ban"
