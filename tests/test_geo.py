"""Geocoding through a loopback BAN, its failures, the breaker and rate limiter, distances."""

import logging
import math
import time
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opengen.places.distance import bounding_box, haversine_km
from opengen.places.geocoders import FRENCH_COUNTRY_CODES, Geocoder
from opengen.places.names import cache_key
from opengen.places.place import Place
from tests.fakeban import FakeBAN, record_timeouts

REDIS_URL = "redis://127.0.0.1:6379/0"
SAINT_DENIS_93 = (48.936, 2.357)


@pytest.fixture
def ban():
    with FakeBAN() as server:
        yield server


def make_geocoder(ban: FakeBAN, **kwargs) -> Geocoder:
    options = dict(ban_domain=ban.domain, ban_scheme="http", timeout=1.0, min_interval=0,
                   breaker_cooldown=30.0)
    options.update(kwargs)
    return Geocoder(options.pop("kind", "ban"), **options)


class FakeClock:
    """A monotonic clock that moves only when told to, or when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def make_clocked_geocoder(ban: FakeBAN, **kwargs) -> tuple[Geocoder, FakeClock]:
    clock = FakeClock()
    return make_geocoder(ban, clock=clock, sleep=clock.sleep, **kwargs), clock


# --- distances ------------------------------------------------------------------------------

def test_haversine_known_distances():
    assert haversine_km(48.8566, 2.3522, 45.7640, 4.8357) == pytest.approx(391.5, abs=1.5)  # Paris-Lyon
    assert haversine_km(48.8566, 2.3522, 48.8566, 2.3522) == 0.0
    assert haversine_km(0, 0, 0, 180) == pytest.approx(math.pi * 6371.0088, rel=1e-9)
    assert haversine_km(-20.88, 55.45, 48.94, 2.36) == pytest.approx(haversine_km(48.94, 2.36, -20.88, 55.45))


def destination(lat, lon, bearing_deg, km):
    """Point reached from (lat, lon) going km along a great circle."""
    d = km / 6371.0088
    p1, l1, b = math.radians(lat), math.radians(lon), math.radians(bearing_deg)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    lon2 = math.degrees(l2)
    if lon2 > 180:
        lon2 -= 360
    elif lon2 < -180:
        lon2 += 360
    return math.degrees(p2), lon2


@settings(max_examples=300, deadline=None)
@given(lat=st.floats(-22, 52), lon=st.floats(-180, 180), radius=st.floats(0, 500),
       bearing=st.floats(0, 360), fraction=st.floats(0, 1))
def test_bounding_box_holds_every_point_of_the_circle(lat, lon, radius, bearing, fraction):
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius)
    plat, plon = destination(lat, lon, bearing, radius * fraction)
    eps = 1e-9
    assert min_lat - eps <= plat <= max_lat + eps
    assert min_lon - eps <= plon <= max_lon + eps
    assert min_lat <= max_lat and min_lon <= max_lon


def test_bounding_box_is_tight_where_it_can_be():
    min_lat, min_lon, max_lat, max_lon = bounding_box(52.0, 2.0, 10.0)
    assert max_lat - min_lat == pytest.approx(2 * 10 / 111.195, rel=1e-3)
    # At 52 degrees a degree of longitude is about 68.5 km.
    assert max_lon - min_lon == pytest.approx(2 * 10 / (111.195 * math.cos(math.radians(52))), rel=1e-2)
    assert bounding_box(-21.0, 55.5, 0) == pytest.approx((-21.0, 55.5, -21.0, 55.5))


def test_bounding_box_near_a_pole_or_the_antimeridian_takes_all_longitudes():
    assert bounding_box(89.5, 10.0, 100.0)[1::2] == (-180.0, 180.0)
    assert bounding_box(-14.3, -178.1, 300.0)[1::2] == (-180.0, 180.0)  # Futuna, 300 km
    assert bounding_box(-14.3, -178.1, 100.0)[1] > -180.0


@pytest.mark.parametrize("args", [(91, 0, 1), (0, 181, 1), (0, 0, -1), (0, 0, float("nan"))])
def test_bounding_box_rejects_bad_input(args):
    with pytest.raises(ValueError):
        bounding_box(*args)


# --- places and cache -----------------------------------------------------------------------

def test_place_round_trips_through_a_dict():
    place = Place(48.9, 2.35, "Saint-Denis (93)", "gazetteer", "municipality", insee="93066",
                  postcode="93200", city="Saint-Denis", department="93", region="Île-de-France",
                  alternatives=[{"label": "Saint-Denis (974)", "lat": -20.9, "lon": 55.4}])
    data = place.to_dict()
    assert {"lat", "lon", "label", "source", "precision", "insee", "postcode", "city",
            "department", "region", "alternatives"} <= data.keys()
    assert Place.from_dict(data) == place


def test_cache_key_ignores_case_accents_punctuation_and_abbreviations():
    assert cache_key("  Saint-Étienne ") == cache_key("st etienne") == "saint etienne"
    assert cache_key("12, Rue de l'Église 42000") == "12 rue de l eglise 42000"


class DictCache(dict):
    """The simplest GeocodeCache: a dict with get (inherited) and put."""

    def put(self, key: str, value: dict) -> None:
        self[key] = value


def test_cache_holds_plain_answers_under_the_normalised_query(ban):
    cache = DictCache()
    geocoder = make_geocoder(ban, cache=cache)
    place = geocoder.geocode("Lyon")
    assert cache == {cache_key("Lyon"): place.to_dict()}
    cache[cache_key("Lyon")] = {**place.to_dict(), "label": "Lyon (du cache)"}
    calls = len(ban.requests)
    assert geocoder.geocode("  LYON ").label == "Lyon (du cache)"
    assert len(ban.requests) == calls  # a cached answer is not asked again


# --- online geocoding -----------------------------------------------------------------------

def test_ban_address_keeps_its_properties_and_is_cached(ban):
    cache = DictCache()
    geocoder = make_geocoder(ban, cache=cache)
    place = geocoder.geocode("8 boulevard du port amiens")
    assert place.source == "ban" and place.precision == "housenumber"
    assert (place.insee, place.postcode, place.city, place.department) == ("80021", "80000", "Amiens", "80")
    assert haversine_km(place.lat, place.lon, 49.8974, 2.2901) < 0.1
    assert ban.requests[-1][1] == "/search" and ban.requests[-1][2]["q"] == "8 boulevard du port amiens"
    calls = len(ban.requests)
    again = geocoder.geocode("8, Boulevard du Port   AMIENS")
    assert again == place
    assert len(ban.requests) == calls  # answered from the cache


def test_ban_result_types_map_to_precision(ban):
    geocoder = make_geocoder(ban)
    assert geocoder.geocode("rue de rivoli paris").precision == "street"
    assert geocoder.geocode("la defense puteaux").precision == "locality"
    assert geocoder.geocode("lyon").precision == "municipality"


def test_ban_ambiguous_town_lists_alternatives(ban):
    place = make_geocoder(ban).geocode("saint denis")
    assert place.source == "ban"
    assert {place.insee} | {a["insee"] for a in place.alternatives} == {"93066", "97411"}


def test_result_abroad_is_rejected(ban):
    geocoder = make_geocoder(ban)
    assert geocoder.geocode("unter den linden berlin") is None
    assert not geocoder.breaker.is_open()


def test_low_score_answer_gives_way_to_the_gazetteer(ban):
    place = make_geocoder(ban, min_score=0.99).geocode("saint denis 93200")
    assert place.source == "gazetteer" and place.insee == "93066"


def test_nothing_found_anywhere_is_none(ban):
    assert make_geocoder(ban).geocode("zzqx wvvk") is None
    assert ban.requests  # the service was asked


@pytest.mark.parametrize("failure", [429, 500, 503, "hang", "garbage", "down"])
def test_service_failure_falls_back_to_the_gazetteer_quickly_and_opens_the_breaker(ban, failure, caplog):
    geocoder, clock = make_clocked_geocoder(ban, timeout=2.0)
    timeouts = record_timeouts(geocoder)
    if failure == "down":
        ban.go_down()
    else:
        ban.mode = failure
    with caplog.at_level(logging.WARNING, logger="opengen.places.geocoders"):
        place = geocoder.geocode("Saint-Denis 93")
    assert timeouts == [2.0] and clock.now == 1000.0  # one call, waiting at most the 2 s time-out
    if failure == "hang":
        assert "GeocoderTimedOut" in caplog.text  # the 2 s time-out, once
    assert place.source == "gazetteer" and place.insee == "93066"
    assert haversine_km(place.lat, place.lon, *SAINT_DENIS_93) < 2
    assert geocoder.breaker.is_open()
    if failure != "down":
        assert len(ban.requests) == 1  # one attempt, no retries
    calls = len(ban.requests)
    place = geocoder.geocode("Saint-Denis 93")
    assert place.insee == "93066" and timeouts == [2.0] and clock.now == 1000.0  # nothing to wait for
    assert len(ban.requests) == calls  # the open breaker kept us away


def test_bad_request_is_not_a_service_failure(ban):
    ban.mode = 400
    geocoder = make_geocoder(ban)
    place = geocoder.geocode("Paris 13e")
    assert place.source == "gazetteer" and place.insee == "75113"
    assert not geocoder.breaker.is_open()


def test_rate_limited_breaker_honours_retry_after(ban):
    ban.mode, ban.retry_after = 429, 120
    geocoder, clock = make_clocked_geocoder(ban, breaker_cooldown=0.2)
    geocoder.geocode("lyon")
    clock.sleep(0.3)
    assert geocoder.breaker.is_open()  # Retry-After outlasts the cool-down


def test_breaker_closes_after_cooldown_once_the_service_is_back(ban):
    geocoder, clock = make_clocked_geocoder(ban, breaker_cooldown=0.3)
    ban.mode = 500
    assert geocoder.geocode("lyon").source == "gazetteer"
    assert geocoder.breaker.is_open()
    ban.mode = "ok"
    assert geocoder.geocode("lyon").source == "gazetteer"  # still cooling down
    clock.sleep(0.35)
    assert not geocoder.breaker.is_open()
    assert geocoder.geocode("lyon").source == "ban"
    assert geocoder.geocode("8 boulevard du port amiens").source == "ban"


def test_after_cooldown_one_failing_probe_reopens_the_breaker(ban):
    geocoder, clock = make_clocked_geocoder(ban, breaker_cooldown=0.2)
    ban.mode = 503
    geocoder.geocode("lyon")
    clock.sleep(0.25)
    calls = len(ban.requests)
    geocoder.geocode("lyon")
    assert len(ban.requests) == calls + 1 and geocoder.breaker.is_open()


def test_rate_limiter_spaces_calls(ban):
    geocoder, clock = make_clocked_geocoder(ban, min_interval=0.15)
    # Times on the limiter's own clock when it lets each call go: the server's clock would add
    # the scheduling jitter of a loaded machine to what is being measured.
    released = []
    acquire = geocoder.limiter.acquire
    geocoder.limiter.acquire = lambda max_wait_s: (acquire(max_wait_s), released.append(clock()))[0]
    for query in ("lyon", "saint denis", "rue de rivoli paris"):
        assert geocoder.geocode(query).source == "ban"
    assert len(released) == 3 and len(ban.requests) == 3
    assert all(b - a >= 0.149 for a, b in zip(released, released[1:]))


def test_offline_kind_never_calls_out(ban):
    geocoder = Geocoder("offline", ban_domain=ban.domain, ban_scheme="http")
    assert geocoder.geocode("Saint-Denis (974)").insee == "97411"
    assert ban.requests == []


def test_nominatim_asks_for_french_results_only(ban):
    geocoder = make_geocoder(ban, kind="nominatim", nominatim_domain=ban.domain, nominatim_scheme="http")
    place = geocoder.geocode("8 boulevard du port amiens")
    assert place.source == "nominatim" and place.precision == "housenumber"
    assert place.insee == "80021" and place.department == "80"
    params = ban.requests[-1][2]
    assert set(params["countrycodes"].split(",")) == set(FRENCH_COUNTRY_CODES)
    assert geocoder.geocode("unter den linden berlin") is None  # answered abroad: refused


def test_reverse_geocoding_online_then_offline(ban):
    geocoder = make_geocoder(ban)
    place = geocoder.reverse(49.8975, 2.2901)
    assert place.source == "ban" and place.insee == "80021"
    ban.go_down()
    place = geocoder.reverse(48.8322, 2.3561)
    assert place.source == "gazetteer" and place.insee == "75113"
    assert geocoder.reverse(52.52, 13.40) is None  # Berlin
    with pytest.raises(ValueError):
        geocoder.reverse(123.0, 0.0)


def test_bad_settings_and_input_are_clear_errors():
    with pytest.raises(ValueError, match="kind"):
        Geocoder("google")
    with pytest.raises(ValueError, match="timeout"):
        Geocoder("ban", timeout=0)
    with pytest.raises(TypeError, match="string"):
        Geocoder("offline").geocode(None)
    assert Geocoder("offline").geocode("   ") is None


def test_from_settings_reads_string_values(ban):
    geocoder = Geocoder.from_settings({
        "GEOCODER": "BAN", "GEOCODER_BAN_DOMAIN": ban.domain, "GEOCODER_BAN_SCHEME": "http",
        "GEOCODER_TIMEOUT": "1.5", "GEOCODER_MIN_INTERVAL": "0", "GEOCODER_BREAKER_COOLDOWN": "5"})
    assert (geocoder.kind, geocoder.timeout, geocoder.breaker.cooldown_s) == ("ban", 1.5, 5.0)
    assert geocoder.geocode("lyon").source == "ban"


def test_broken_cache_does_not_break_geocoding(ban):
    class BrokenCache:
        def get(self, key):
            raise OSError("database is locked")

        def put(self, key, value):
            raise OSError("database is locked")

    assert make_geocoder(ban, cache=BrokenCache()).geocode("lyon").source == "ban"


# --- shared state in Redis ------------------------------------------------------------------

@pytest.fixture
def redis_prefix():
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    prefix = f"test:geo:{uuid.uuid4().hex}:"
    yield prefix
    keys = list(client.scan_iter(f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_redis_breaker_is_shared_between_processes(ban, redis_prefix):
    first = make_geocoder(ban, redis_url=REDIS_URL, redis_prefix=redis_prefix, breaker_cooldown=0.5)
    second = make_geocoder(ban, redis_url=REDIS_URL, redis_prefix=redis_prefix, breaker_cooldown=0.5)
    ban.mode = 500
    assert first.geocode("lyon").source == "gazetteer"
    assert second.breaker.is_open()
    calls = len(ban.requests)
    assert second.geocode("saint denis 93").source == "gazetteer"
    assert len(ban.requests) == calls  # the second instance did not call
    ban.mode = "ok"
    time.sleep(0.55)
    assert second.geocode("lyon").source == "ban"
    assert first.geocode("saint denis").source == "ban"
    other = make_geocoder(ban, redis_url=REDIS_URL, redis_prefix=redis_prefix + "other:")
    assert not other.breaker.is_open()


def test_redis_rate_limit_is_shared(ban, redis_prefix):
    import redis

    geocoders = [make_geocoder(ban, redis_url=REDIS_URL, redis_prefix=redis_prefix, min_interval=0.15)
                 for _ in range(2)]
    client = redis.Redis.from_url(REDIS_URL)
    # The slot each call booked, on the Redis server's clock (the shared key holds the next free
    # slot, in ms): the clock both processes agree on, without the jitter of a loaded machine.
    times = []
    for i in range(4):
        assert geocoders[i % 2].geocode("lyon").source == "ban"
        times.append(int(client.get(f"{redis_prefix}ban:slot")) / 1000 - 0.15)
    client.close()
    assert len(ban.requests) == 4
    assert all(b - a >= 0.14 for a, b in zip(times, times[1:]))


def test_unreachable_redis_falls_back_to_process_state(ban):
    geocoder = make_geocoder(ban, redis_url="redis://127.0.0.1:1/0")
    assert geocoder.geocode("lyon").source == "ban"
    ban.mode = 500
    assert geocoder.geocode("lyon").source == "gazetteer"
    assert geocoder.breaker.is_open()
