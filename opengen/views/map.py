"""The home page (the current edition's map, filters, search around a place and list), and the
earlier editions, each readable as it was at /editions/<year>."""
from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, render_template, request

from .. import editions, maps
from ..events import clusters, comparison, queries, results_page
from ..events.filters import RADIUS_CHOICES, number_arg, page_number, parse_filters
from ..feeds import calendars
from ..kept_pages import kept_page

bp = Blueprint("map", __name__)


@bp.get("/")
def index():
    """Show the map and the list of sessions matching the filters, nearest first around a place."""
    filters = parse_filters(request.args)
    return _map_page(filters, lambda: (editions.by_year(filters.edition) if filters.edition is not None
                                       else editions.current_edition()))


@bp.get("/editions")
def editions_index():
    """List the editions, the current one first, each with its main figures."""
    return render_template("editions/index.html", summaries=comparison.summaries(editions.published()),
                           current_year=editions.current_year())


@bp.get("/editions/<int:year>")
def edition(year: int):
    """Show an edition's map, list and numbers (an archive once it is over)."""
    found = editions.by_year(year)
    if found is None:
        abort(404)
    filters = replace(parse_filters(request.args), edition=year)
    return _map_page(filters, lambda: found, summary=lambda: comparison.summaries([found])[0])


def _map_page(filters, edition_of, summary=lambda: None):
    number = page_number(request.args)
    # The whole page is kept: it carries no CSRF token, and its nonce is put back per request.
    # The filters as asked (the form and the feed keep an edition asked for) and as bound to an edition.
    return kept_page((filters.key(), queries.in_edition(filters).key(), number),
                     lambda: _render_map_page(filters, number, edition_of(), summary()))


def _render_map_page(filters, number, edition, summary):
    region = results_page.results_region(filters, number, current_app.config["LIST_PAGE_SIZE"])
    shown = region.shown(filters)
    radii = [number_arg(km) for km in sorted({*RADIUS_CHOICES, filters.radius_km})]
    over = edition is not None and editions.is_over(edition)
    searched = bool({*filters.to_args()} - {"edition"}) or number > 1
    # The map's first view is France unless the page is around a place or on a view of the map.
    first_tiles = (clusters.first_view_tiles(shown, maps.FRANCE_CENTRE, maps.FRANCE_ZOOM)
                   if region.area is None and shown.bbox is None else None)
    return render_template("map/index.html", first_tiles=first_tiles, filters=filters, shown=shown,
                           region=region,
                           place_error=region.place_error, place_choices=region.place_choices,
                           radii=radii, radius=number_arg(filters.radius_km),
                           shell=maps.configured_shell(current_app.config, "events"), searched=searched,
                           edition=edition, edition_over=over, summary=summary,
                           archive=edition is not None and editions.is_archive(edition),
                           current_edition_year=editions.current_year(),
                           families=queries.families(), calendar_name=calendars.search_name(filters))
