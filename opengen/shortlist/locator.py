"""A small map that prints without any network: metropolitan France's outline and a dot. No Flask.

Map tiles come from outside and may be absent when a counsellor prints a list, so the print page
draws its own locator: a simplified outline (about sixty points, a few kilometres off at most)
projected equirectangularly around the country's middle latitude, with the venue as a dot.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

from ..places.distance import is_coordinate

# (lon, lat) rings, clockwise from the Belgian border on the North Sea; then Corsica.
MAINLAND = (
    (2.55, 51.09), (3.15, 50.78), (4.10, 50.30), (4.20, 49.96), (4.82, 50.15), (4.85, 49.80),
    (5.40, 49.62), (5.82, 49.55), (6.37, 49.46), (6.73, 49.16), (7.45, 49.17), (8.23, 48.97),
    (7.80, 48.50), (7.58, 47.59), (6.95, 47.30), (6.45, 46.95), (6.10, 46.58), (6.12, 46.40),
    (5.96, 46.13), (6.15, 46.15), (6.24, 46.30), (6.50, 46.38), (6.82, 46.40), (7.04, 45.93), (6.88, 45.68), (7.10, 45.40), (6.63, 45.10),
    (7.05, 44.70), (6.90, 44.42), (7.56, 44.15), (7.53, 43.79), (7.27, 43.69), (6.95, 43.48),
    (6.65, 43.18), (6.20, 43.10), (5.93, 43.10), (5.37, 43.27), (4.85, 43.40), (4.40, 43.45),
    (3.95, 43.53), (3.50, 43.28), (3.05, 43.05), (3.04, 42.55), (3.17, 42.44), (2.50, 42.35),
    (1.95, 42.45), (1.45, 42.60), (0.70, 42.85), (-0.30, 42.83), (-1.00, 43.05), (-1.45, 43.26),
    (-1.78, 43.37), (-1.55, 43.50), (-1.25, 44.40), (-1.25, 44.65), (-1.16, 45.30), (-1.06, 45.57),
    (-1.05, 46.00), (-1.20, 46.20), (-1.80, 46.50), (-2.15, 46.90), (-2.20, 47.15), (-2.55, 47.30),
    (-2.95, 47.55), (-3.15, 47.50), (-3.50, 47.70), (-4.10, 47.85), (-4.37, 47.80), (-4.73, 48.04),
    (-4.55, 48.30), (-4.77, 48.33), (-4.70, 48.56), (-4.35, 48.68), (-3.95, 48.72), (-3.45, 48.83),
    (-3.00, 48.83), (-2.75, 48.55), (-2.32, 48.68), (-2.00, 48.65), (-1.55, 48.63), (-1.60, 48.84),
    (-1.60, 49.20), (-1.80, 49.37), (-1.95, 49.72), (-1.60, 49.65), (-1.25, 49.70), (-1.15, 49.38),
    (-0.50, 49.35), (0.23, 49.42), (0.10, 49.50), (0.20, 49.70), (0.65, 49.87), (1.10, 49.93),
    (1.55, 50.20), (1.58, 50.73), (1.85, 50.96), (2.37, 51.05),
)
CORSICA = (
    (9.40, 43.01), (9.48, 42.70), (9.55, 42.10), (9.40, 41.65), (9.15, 41.38), (8.78, 41.58),
    (8.60, 41.90), (8.57, 42.25), (8.75, 42.57), (9.25, 42.72), (9.32, 42.95),
)
WEST, EAST, SOUTH, NORTH = -5.2, 9.8, 41.2, 51.3
_X_SCALE = math.cos(math.radians((SOUTH + NORTH) / 2))  # a degree of longitude, in degrees of latitude


@dataclass(frozen=True)
class Locator:
    """A locator drawn in a width x height box: the outline as an SVG path, the dot unless the
    place lies outside metropolitan France (overseas) or has no coordinates; the coordinates in
    words when known."""

    width: int
    height: int
    outline: str
    x: float | None = None
    y: float | None = None
    coordinates: str = ""

    @property
    def placed(self) -> bool:
        """Whether the dot is on the outline's map."""
        return self.x is not None


def locate(lat: float | None, lon: float | None, width: int = 110) -> Locator:
    """Return the locator of a place for a drawing `width` pixels wide."""
    height, outline = _outline(width)
    if not is_coordinate(lat, lon):
        return Locator(width, height, outline)
    if not (WEST <= lon <= EAST and SOUTH <= lat <= NORTH):
        return Locator(width, height, outline, coordinates=coordinates_label(lat, lon))
    x, y = _project(lon, lat, width)
    return Locator(width, height, outline, round(x, 1), round(y, 1), coordinates_label(lat, lon))


def coordinates_label(lat: float, lon: float) -> str:
    """Write coordinates the French way: « 48,9362° N, 2,3574° E » (O for west)."""
    def part(value: float, positive: str, negative: str) -> str:
        return f"{abs(value):.4f}".replace(".", ",") + "° " + (positive if value >= 0 else negative)
    return f"{part(lat, 'N', 'S')}, {part(lon, 'E', 'O')}"


def _project(lon: float, lat: float, width: int) -> tuple[float, float]:
    scale = width / ((EAST - WEST) * _X_SCALE)
    return (lon - WEST) * _X_SCALE * scale, (NORTH - lat) * scale


@lru_cache(maxsize=8)
def _outline(width: int) -> tuple[int, str]:
    scale = width / ((EAST - WEST) * _X_SCALE)
    height = math.ceil((NORTH - SOUTH) * scale)
    rings = []
    for ring in (MAINLAND, CORSICA):
        points = [_project(lon, lat, width) for lon, lat in ring]
        rings.append("M" + " ".join(f"{x:.1f} {y:.1f}" for x, y in points) + "Z")
    return height, "".join(rings)
