"""Distances on the Earth: the one great-circle formula, and the box that holds a circle. No Flask."""
from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0088


def is_coordinate(lat: object, lon: object) -> bool:
    """Tell whether a latitude and a longitude name a point on the Earth (NaN, None or text do not)."""
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon))
    return numbers and -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """Smallest latitude/longitude box (min_lat, min_lon, max_lat, max_lon) holding the circle.

    min <= max always: a circle reaching a pole or across the antimeridian gets the whole
    longitude range, which still holds it (the box is a pre-filter before haversine_km).
    """
    if not is_coordinate(lat, lon):
        raise ValueError(f"not a coordinate: ({lat}, {lon})")
    if not radius_km >= 0:  # also rejects NaN
        raise ValueError(f"radius must be >= 0 km, got {radius_km}")
    angle = radius_km / EARTH_RADIUS_KM
    lat_r = math.radians(lat)
    min_lat, max_lat = lat_r - angle, lat_r + angle
    if min_lat <= -math.pi / 2 or max_lat >= math.pi / 2:
        return (max(-90.0, math.degrees(min_lat)), -180.0, min(90.0, math.degrees(max_lat)), 180.0)
    # Widest longitude of the circle (not of its latitude line): asin(sin d / cos lat).
    ratio = math.sin(angle) / math.cos(lat_r)
    if ratio >= 1.0:
        return (math.degrees(min_lat), -180.0, math.degrees(max_lat), 180.0)
    dlon = math.degrees(math.asin(ratio))
    min_lon, max_lon = lon - dlon, lon + dlon
    if min_lon < -180.0 or max_lon > 180.0:
        min_lon, max_lon = -180.0, 180.0
    return (math.degrees(min_lat), min_lon, math.degrees(max_lat), max_lon)
