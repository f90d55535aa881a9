"""Links that take a visitor to a place: OpenStreetMap's directions and the `geo:` URI that phones
open in their map app (RFC 5870, with the label Android reads). No Flask."""
from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

OSM_DIRECTIONS = "https://www.openstreetmap.org/directions"
MAX_LABEL_CHARS = 120


@dataclass(frozen=True)
class Directions:
    """Where to go, as links."""

    osm: str  # OpenStreetMap's route planner, arrival filled in
    geo: str  # geo:LAT,LON?q=LAT,LON(label)


def directions(lat: float, lon: float, label: str = "") -> Directions:
    """The links to a point; the label (a venue's name and town) is percent-encoded, its
    parentheses, which would end the geo: label early, dropped."""
    point = f"{lat:.6f},{lon:.6f}"
    clean = " ".join(re.sub(r"[()\x00-\x1f\x7f]", " ", label or "").split())[:MAX_LABEL_CHARS]
    geo = f"geo:{point}?q={point}" + (f"({quote(clean, safe='')})" if clean else "")
    return Directions(osm=f"{OSM_DIRECTIONS}?to={point}#map=16/{lat:.5f}/{lon:.5f}", geo=geo)
