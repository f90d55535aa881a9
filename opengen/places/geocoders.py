"""Online geocoding: turn a place text into a Place from a cache, then an online service (the Base
Adresse Nationale by default, Nominatim as an option, through geopy), then the offline gazetteer.

A short time-out, a rate limiter and a circuit breaker (opengen.breaker) keep a slow or failing
service from slowing the app down. No Flask.
"""
from __future__ import annotations

import logging
import time
from typing import Any, Callable, Mapping, Protocol

from ..breaker import CircuitBreaker, Clock, RateLimiter, Sleep, make_state
from .distance import is_coordinate
from .gazetteer import MAX_ALTERNATIVES, Commune, Gazetteer, default_gazetteer
from .names import MAX_PLACE_CHARS, cache_key, name_key
from .place import Place

log = logging.getLogger(__name__)

KINDS = ("ban", "nominatim", "offline")
# Metropolitan France, the overseas departments and the inhabited collectivities.
FRENCH_COUNTRY_CODES = ("fr", "gp", "mq", "gf", "re", "yt", "pm", "bl", "mf", "wf", "pf", "nc")
BAN_PRECISION = {"housenumber": "housenumber", "street": "street", "locality": "locality",
                 "municipality": "municipality"}
# The settings from_settings reads, and the constructor argument each one gives.
TEXT_SETTINGS = {"GEOCODER_BAN_DOMAIN": "ban_domain", "GEOCODER_BAN_SCHEME": "ban_scheme",
                 "GEOCODER_NOMINATIM_DOMAIN": "nominatim_domain", "GEOCODER_NOMINATIM_SCHEME": "nominatim_scheme",
                 "GEOCODER_USER_AGENT": "user_agent", "GEOCODER_REDIS_URL": "redis_url",
                 "GEOCODER_REDIS_PREFIX": "redis_prefix"}
NUMBER_SETTINGS = {"GEOCODER_TIMEOUT": "timeout", "GEOCODER_MIN_INTERVAL": "min_interval",
                   "GEOCODER_BREAKER_COOLDOWN": "breaker_cooldown"}
MIN_ONLINE_QUERY_CHARS = 3  # the BAN refuses shorter queries (and longer than MAX_PLACE_CHARS)


class GeocodeCache(Protocol):
    """What Geocoder needs from a cache (the app passes a database-backed one)."""

    def get(self, key: str) -> dict | None: ...
    def put(self, key: str, value: dict) -> None: ...


class Geocoder:
    """Turn a place text into a Place: cache, then online service, then offline gazetteer."""

    def __init__(self, kind: str = "ban", *, ban_domain: str = "api-adresse.data.gouv.fr",
                 ban_scheme: str = "https", nominatim_domain: str = "nominatim.openstreetmap.org",
                 nominatim_scheme: str = "https", timeout: float = 2.0, min_interval: float | None = None,
                 breaker_cooldown: float = 60.0, user_agent: str = "opengen (Grande Ecole du Numerique)",
                 redis_url: str | None = None, redis_prefix: str = "opengen:geocoder:",
                 cache: GeocodeCache | None = None, gazetteer: Gazetteer | None = None,
                 budget: Callable[[], bool] | None = None, min_score: float = 0.35, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown geocoder kind {kind!r}, expected one of {', '.join(KINDS)}")
        if not timeout > 0:
            raise ValueError(f"timeout must be > 0 s, got {timeout}")
        if breaker_cooldown < 0:
            raise ValueError(f"breaker_cooldown must be >= 0 s, got {breaker_cooldown}")
        self.kind = kind
        self.timeout = float(timeout)
        self.cache = cache
        # Asked before each call that would reach the online service: False keeps it offline.
        self.budget = budget
        self.min_score = min_score
        self._gazetteer = gazetteer
        if min_interval is None:
            # Nominatim's usage policy allows one request a second; the BAN 50 a second.
            min_interval = 1.0 if kind == "nominatim" else 0.05
        if min_interval < 0:
            raise ValueError(f"min_interval must be >= 0 s, got {min_interval}")
        state = make_state(redis_url, f"{redis_prefix}{kind}:", clock)
        self.breaker = CircuitBreaker(state, cooldown_s=breaker_cooldown, probe_ttl_s=2 * self.timeout + 1)
        self.limiter = RateLimiter(state, min_interval_s=min_interval, sleep=sleep)
        self.service = None
        if kind == "offline":
            return
        # geopy (with requests: a third of a second, 15 MB) only for a geocoder that goes online.
        from geopy.adapters import URLLibAdapter
        from geopy.geocoders import BANFrance, Nominatim

        # URLLibAdapter makes one attempt per call; geopy's requests adapter retries twice.
        common = dict(timeout=self.timeout, user_agent=user_agent, adapter_factory=URLLibAdapter)
        if kind == "ban":
            self.service = BANFrance(domain=ban_domain, scheme=ban_scheme, **common)
        else:
            self.service = Nominatim(domain=nominatim_domain, scheme=nominatim_scheme, **common)

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], cache: GeocodeCache | None = None,
                      budget: Callable[[], bool] | None = None) -> Geocoder:
        """Build from GEOCODER_* settings (a Flask config, os.environ or a dict); unset or blank
        ones keep the constructor's defaults."""
        options: dict[str, Any] = {arg: settings[name] for name, arg in TEXT_SETTINGS.items()
                                   if settings.get(name)}
        options.update({arg: float(settings[name]) for name, arg in NUMBER_SETTINGS.items()
                        if settings.get(name) not in (None, "")})
        return cls(str(settings.get("GEOCODER", "ban")).lower(), cache=cache, budget=budget, **options)

    @property
    def gazetteer(self) -> Gazetteer:
        """The offline gazetteer (the shipped one unless another was given)."""
        if self._gazetteer is None:
            self._gazetteer = default_gazetteer()
        return self._gazetteer

    def prefetch(self, queries: list[str]) -> None:
        """Read the cached answers to many texts at once, when the cache can (an import locates
        hundreds of venues: one query instead of one each)."""
        prefetch = getattr(self.cache, "prefetch", None)
        if prefetch is not None:
            prefetch([cache_key(self._clean(query)) for query in queries])

    @staticmethod
    def _clean(query: str) -> str:
        return " ".join(query.split())[:MAX_PLACE_CHARS]

    def geocode(self, query: str) -> Place | None:
        """The place a text names, or None if it names nothing found anywhere."""
        if not isinstance(query, str):
            raise TypeError(f"query must be a string, not {type(query).__name__}")
        query = self._clean(query)
        key = cache_key(query)
        if not key:
            return None
        cached = self._cache_get(key)
        if cached is not None:
            return cached
        place = self._geocode_online(query)
        chosen = self.gazetteer.chosen(query)
        if chosen is not None and (place is None or place.insee != chosen.insee):
            # "Saint-Denis (93)", as a suggestion or a choice wrote it, is that commune, whatever
            # the service ranked first (not cached: the service may know it better later).
            return self.gazetteer.place(chosen)
        if place is not None:
            self._cache_put(key, place)
            return place
        return self.gazetteer.locate(query)

    def reverse(self, lat: float, lon: float) -> Place | None:
        """The address or commune at a point in France, or None outside France."""
        if not is_coordinate(lat, lon):
            raise ValueError(f"not a coordinate: ({lat}, {lon})")
        found = self._call_online(lambda timeout: self.service.reverse((lat, lon), exactly_one=False,
                                                                        timeout=timeout))
        places = [p for p in (self._to_place(loc.raw) for loc in found or []) if p is not None]
        if places:
            return places[0]
        nearest = self.gazetteer.nearest(lat, lon)
        if nearest is None or not self.gazetteer.in_france(lat, lon):
            return None
        return self.gazetteer.place(nearest[0])

    def is_french(self, place: Place) -> bool:
        """Tell whether a place is in France (mainland, overseas departments, collectivities)."""
        if place.insee and self.gazetteer.commune(place.insee):
            return True
        return self.gazetteer.in_france(place.lat, place.lon)

    # -- online --

    def _geocode_online(self, query: str) -> Place | None:
        """Ask the online service; None when it is off, failing, or finds nothing good."""
        if len(query) < MIN_ONLINE_QUERY_CHARS:
            return None
        if self.kind == "ban":
            found = self._call_online(lambda timeout: self.service.geocode(
                query, limit=5, exactly_one=False, timeout=timeout))
        else:
            found = self._call_online(lambda timeout: self.service.geocode(
                query, limit=5, exactly_one=False, addressdetails=True,
                country_codes=list(FRENCH_COUNTRY_CODES), timeout=timeout))
        places = [p for p in (self._to_place(loc.raw) for loc in found or []) if p is not None]
        if not places:
            return None
        best = places[0]
        if best.precision == "municipality":
            best.alternatives = [p.summary() for p in places[1:]
                                 if p.precision == "municipality" and p.insee != best.insee][:MAX_ALTERNATIVES]
        return best

    def _call_online(self, call) -> list | None:
        """Run one guarded call: breaker, rate limit, time-out; None if skipped or failed."""
        if self.service is None or not self.breaker.allow():
            return None
        from geopy.exc import GeocoderQueryError, GeocoderRateLimited  # loaded with the service

        if self.budget is not None and not self.budget():
            log.info("online geocoding budget spent, answering offline")
            return None
        waited = self.limiter.acquire(max_wait_s=self.timeout / 2)
        if waited is None:
            log.info("geocoder busy, answering offline")
            return None
        try:
            found = call(self.timeout - waited)
        except GeocoderRateLimited as error:
            log.warning("%s rate-limited us (retry after %s s)", self.kind, error.retry_after)
            self.breaker.record_failure(error.retry_after)
            return None
        except GeocoderQueryError as error:
            # The service is up and refuses this query only (BAN: 400 for odd queries).
            log.info("%s refused the query: %s", self.kind, error)
            self.breaker.record_success()
            return None
        except Exception as error:  # time-outs, 5xx, unreachable, malformed answers
            log.warning("%s failed, answering offline for %s s: %r", self.kind, self.breaker.cooldown_s, error)
            self.breaker.record_failure()
            return None
        self.breaker.record_success()
        return found

    def _to_place(self, raw: Mapping[str, Any]) -> Place | None:
        """A Place from one raw BAN feature or Nominatim result, if it is good and French."""
        try:
            place = self._ban_place(raw) if self.kind == "ban" else self._nominatim_place(raw)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            log.warning("ignoring a malformed %s result: %r", self.kind, error)
            return None
        if place is None or not self.is_french(place):
            return None
        return place

    def _ban_place(self, feature: Mapping[str, Any]) -> Place | None:
        props = feature.get("properties") or {}
        lon, lat = (float(v) for v in feature["geometry"]["coordinates"][:2])
        score = props.get("score")
        if score is not None and float(score) < self.min_score:
            return None
        context = [part.strip() for part in str(props.get("context", "")).split(",")]
        citycode = props.get("citycode")
        commune = self.gazetteer.commune(citycode) if citycode else None
        return Place(lat=lat, lon=lon, label=str(props.get("label") or props.get("name") or ""),
                     source="ban", precision=BAN_PRECISION.get(props.get("type"), "locality"),
                     insee=citycode, postcode=props.get("postcode"), city=props.get("city"),
                     department=commune.dep if commune else (context[0] or None),
                     region=commune.region if commune else (context[-1] if len(context) > 2 else None))

    def _nominatim_place(self, result: Mapping[str, Any]) -> Place | None:
        address = result.get("address") or {}
        if str(address.get("country_code", "")).lower() not in FRENCH_COUNTRY_CODES:
            return None
        kind = result.get("addresstype") or result.get("type") or ""
        if address.get("house_number"):
            precision = "housenumber"
        elif kind in ("road", "street", "residential", "pedestrian", "square"):
            precision = "street"
        elif kind in ("city", "town", "village", "municipality", "administrative"):
            precision = "municipality"
        else:
            precision = "locality"
        city = (address.get("city") or address.get("town") or address.get("village")
                or address.get("municipality"))
        postcode = address.get("postcode")
        commune = self._identify(city, postcode)
        return Place(lat=float(result["lat"]), lon=float(result["lon"]),
                     label=str(result.get("display_name", "")), source="nominatim", precision=precision,
                     insee=commune.insee if commune else None, postcode=postcode, city=city,
                     department=commune.dep if commune else None,
                     region=commune.region if commune else address.get("state"))

    def _identify(self, city: str | None, postcode: str | None) -> Commune | None:
        """The gazetteer commune a city name and postal code designate, if unambiguous."""
        if not city:
            return None
        named = self.gazetteer.by_key.get(name_key(city), [])
        if postcode:
            named = [c for c in named if postcode in c.postcodes] or named
        return named[0] if len(named) == 1 else None

    # -- cache --

    def _cache_get(self, key: str) -> Place | None:
        if self.cache is None:
            return None
        try:
            value = self.cache.get(key)
            return Place.from_dict(value) if value else None
        except Exception as error:  # a broken cache must not break geocoding
            log.warning("geocode cache read failed: %r", error)
            return None

    def _cache_put(self, key: str, place: Place) -> None:
        if self.cache is None:
            return
        try:
            self.cache.put(key, place.to_dict())
        except Exception as error:
            log.warning("geocode cache write failed: %r", error)
