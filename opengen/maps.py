"""Folium map shells: the Leaflet map with tiles and nothing else; markers come from JSON.

folium (with branca, numpy and requests: about 27 MB and a third of a second) is imported the first
time a shell is rendered, not when the app starts; a shell never changes for given settings, so
each one is rendered once per process.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

FRANCE_CENTRE = (46.6, 2.5)
FRANCE_ZOOM = 6


@dataclass(frozen=True)
class MapShell:
    name: str
    html: str
    script: str


def shell(element_id: str, *, tiles_url: str, attribution: str, max_zoom: int = 19,
          centre: tuple[float, float] = FRANCE_CENTRE, zoom: int = FRANCE_ZOOM) -> MapShell:
    """Render an empty Leaflet map (no user text inside) for embedding in a page."""
    import folium  # heavy: only where a map is drawn (see the module's docstring)

    # tiles=None ignores max_zoom; maxZoom must be passed as a keyword (see FIELD-NOTES).
    fmap = folium.Map(location=list(centre), zoom_start=zoom, tiles=None, maxZoom=max_zoom,
                      control_scale=True)
    fmap._id = element_id
    folium.TileLayer(tiles=tiles_url, attr=attribution, max_zoom=max_zoom, name="tiles").add_to(fmap)
    root = fmap.get_root()
    root.render()
    return MapShell(name=fmap.get_name(), html=root.html.render(), script=root.script.render())


# A venue's map is keyed by its coordinates: bounded so that a process never holds more than this.
_kept_shell = lru_cache(maxsize=512)(shell)


def configured_shell(config: Mapping, element_id: str, *, centre: tuple[float, float] = FRANCE_CENTRE,
                     zoom: int = FRANCE_ZOOM) -> MapShell:
    """The empty map with the tile provider named in the settings (TILES_*), rendered once per
    process for each element, tile settings, centre and zoom."""
    return _kept_shell(element_id, tiles_url=config["TILES_URL"], attribution=str(config["TILES_ATTRIBUTION"]),
                       max_zoom=config["TILES_MAX_ZOOM"], centre=tuple(centre), zoom=zoom)
