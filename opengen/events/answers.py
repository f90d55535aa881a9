"""The JSON answer to a search of the public sessions (GET /api/events), kept while the data stays the same.

Searches repeat: the same postcodes and towns, the same map views, partners polling. An answer
is kept per process under its normalised filters, page, address template and language, and
the data version (opengen/versioned.py), so it is built once per state of the data and never
served stale. The answer of a place that is not found, or of a bad filter, is an error and is
never kept.
"""
from __future__ import annotations

from flask_babel import get_locale

from ..jsonbytes import compact
from ..places.lookup import place_to_api
from ..versioned import Kept
from . import queries, serialise
from .filters import EventFilters

ONLINE_PREVIEW = 10  # online sessions listed apart from a search around a place

# A page of 20 is about 35 KB, of 100 about 170 KB: a few hundred searches per process.
_ANSWERS = Kept(32 * 1024 * 1024, shared=True)
_ONLINE = Kept(4 * 1024 * 1024, size=lambda section: 2048 * (1 + len(section["events"])))


def api_answer(filters: EventFilters, limit: int, offset: int, url_template: str) -> bytes:
    """Return the JSON bytes of one page of the sessions matching the filters (nearest first
    around a place), with the place and the online sessions apart when there is one."""
    filters = queries.in_edition(filters)
    key = ("api-events", filters.key(), limit, offset, url_template, str(get_locale()))
    return _ANSWERS.current(key, lambda: _build(filters, limit, offset, url_template))


def _build(filters: EventFilters, limit: int, offset: int, url_template: str) -> bytes:
    found = queries.window(filters, limit, offset, load=False)
    body = {"count": found.total, "limit": limit, "offset": offset,
            "events": serialise.api_items(found.ids, url_template, found.distances)}
    if found.area is not None:
        body["place"] = _area_to_api(found.area)
        body["online"] = _online(filters, min(limit, ONLINE_PREVIEW), url_template)
    return compact(body) + b"\n"


def _online(filters: EventFilters, limit: int, url_template: str) -> dict:
    """The online-only sessions shown apart: the same wherever the search is, so kept apart."""
    everywhere = filters.without_place()

    def build() -> dict:
        ids, total = queries.online_ids(everywhere, limit)
        return {"count": total, "events": serialise.api_items(ids, url_template)}

    return _ONLINE.current(("api-online", everywhere.key(), limit, url_template, str(get_locale())),
                           build)


def _area_to_api(area: queries.Area) -> dict:
    data = place_to_api(area.place) if area.place is not None else {
        "lat": area.lat, "lon": area.lon, "label": None, "source": "position", "precision": "position"}
    return {**data, "radius_km": area.radius_km}
