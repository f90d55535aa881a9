"""The home page's results region (the list, its count, the territories, the place searched),
kept as HTML per data version, search, page, language and minute.

Rendering the 50 sessions of a page costs most of the home page; the region holds nothing that
varies per request (no CSRF token, no CSP nonce), and what varies with the clock (« Terminée »,
the order while the week runs) is keyed by the minute. Kept in Redis too when REDIS_URL is set.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace

from flask import render_template, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import func, select

from .. import clock
from ..db import db
from ..models import Event, EventFormat, Venue
from ..places.lookup import PlaceNotFound, ask_if_ambiguous
from ..versioned import Kept
from . import queries
from .filters import EventFilters, number_arg
from .territories import METROPOLE, TERRITORIES, TERRITORY_OF_ZONE

_KEPT = Kept(32 * 1024 * 1024, shared=True)


@dataclass(frozen=True)
class ResultsRegion:
    """The results region's HTML, the circle searched (for the map) and the place field's error."""

    html: Markup
    area: queries.Area | None
    place_error: str | None
    place_choices: list[dict]  # the communes a place not found, or a homonym, may mean: label, query

    def shown(self, filters: EventFilters) -> EventFilters:
        """Return the filters the results are for: without a place that was not found."""
        return filters.without("q") if self.place_error else filters


def results_region(filters: EventFilters, number: int, size: int) -> ResultsRegion:
    """Return the results region of the home page (or an edition's page) for these filters."""
    bound = queries.in_edition(filters)
    minute = clock.now().replace(second=0, microsecond=0).isoformat()
    # Its links repeat the filters as asked (an edition named or not); the sessions follow the bound ones.
    key = ("home-results", filters.key(), bound.key(), number, size, str(get_locale()), minute)
    found = json.loads(_KEPT.current(key, lambda: _build(filters, number, size)))
    area = queries.Area(*found["area"]) if found["area"] else None
    return ResultsRegion(Markup(found["html"]), area, found["error"], found["choices"])


def _in_view(filters: EventFilters) -> bool:
    """Tell whether the list follows the map's view (its bbox filter)."""
    return filters.bbox is not None


def _build(filters: EventFilters, number: int, size: int) -> bytes:
    place_error, choices, shown = None, [], filters
    try:
        ask_if_ambiguous(filters.q)  # "Saint-Denis": which one, before any is searched around
        listed, territories, listing = _listing(shown, number, size)
    except PlaceNotFound as error:
        # The message goes next to the field, which keeps what was typed; the list ignores it.
        place_error, shown = error.message, filters.without("q")
        choices = [{"label": choice.label, "query": choice.query} for choice in error.choices]
        listed, territories, listing = _listing(shown, number, size)
    html = render_template(
        "map/_results.html", filters=filters, shown=shown, listed=listed, listing=listing,
        radius=number_arg(filters.radius_km), links=_place_links(shown, listing),
        territories=_territory_links(listed, territories), in_view=_in_view(shown),
        whole_list=url_for("map.index", **shown.without("bbox").to_args()))
    area = listing.area
    return json.dumps({"html": str(html), "error": place_error, "choices": choices,
                       "area": [area.lat, area.lon, area.radius_km] if area else None}).encode()


def _listing(shown: EventFilters, number: int, size: int):
    """The filters listed, the count per territory (without a place) and the page of sessions.

    Without a place, metropolitan France (and the online sessions) comes first: the overseas
    territories, whose sessions start hours earlier or later by UTC, are one tap away.
    """
    territories, listed = None, shown
    if not shown.has_place and not _in_view(shown):
        territories = territory_counts(shown)
        if shown.territory is None and territories.get(METROPOLE):
            listed = replace(shown, territory=METROPOLE)
    return listed, territories, queries.page(listed, number, size, upcoming_first=True)


def territory_counts(filters: EventFilters) -> dict[str, int]:
    """Return how many sessions match the filters in each territory (metropolitan France counts the
    online ones); territories without any are left out."""
    everywhere = filters.without("territory")
    stmt = queries.filtered(everywhere).order_by(None)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    held = stmt.with_only_columns(Event.venue_id).where(Event.format != EventFormat.online).subquery()
    by_zone = db.session.execute(select(Venue.timezone, func.count()).select_from(held)
                                 .join(Venue, Venue.id == held.c.venue_id).group_by(Venue.timezone))
    counts: dict[str, int] = {}
    for zone, count in by_zone:
        slug = TERRITORY_OF_ZONE.get(zone)
        if slug is not None and slug != METROPOLE:
            counts[slug] = count
    counts[METROPOLE] = total - sum(counts.values())
    return {slug: n for slug, n in counts.items() if n}


def _territory_links(listed: EventFilters, counts: dict[str, int] | None) -> list[tuple]:
    """(slug, label, count, url, current) for each territory with sessions, when there are several."""
    if not counts or (len(counts) == 1 and listed.territory in counts):
        return []
    args = {k: v for k, v in listed.to_args().items() if k != "territory"}
    return [(slug, str(label), counts[slug], url_for("map.index", **args, **({} if slug == METROPOLE else {"territory": slug})),
             slug == listed.territory) for slug, label, _zone in TERRITORIES if slug in counts]


def _alternative_query(alternative: dict) -> str:
    label, postcode = alternative.get("label") or "", alternative.get("postcode")
    department = alternative.get("department")
    if postcode and postcode not in label and f"({department})" not in label:
        return f"{label} {postcode}"
    return label


def _place_links(shown: EventFilters, listing: queries.Results) -> dict:
    """URLs for the other places an ambiguous name may mean, and for the online sessions."""
    args = shown.to_args()
    if listing.area is None:
        return {"alternatives": [], "online": None}
    alternatives = [(a.get("label"), url_for("map.index", **{**args, "q": _alternative_query(a)}))
                    for a in listing.area.alternatives]
    online = {k: v for k, v in args.items() if k not in ("q", "lat", "lon", "radius_km")}
    return {"alternatives": alternatives, "online": url_for("map.index", **{**online, "format": "online"})}
