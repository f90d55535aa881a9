"""The career families: what the jobs are, their broadcast, their sessions on a map and in a list."""
from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import clock, maps
from ..broadcasts import showings
from ..events import queries
from ..events.families import BY_SLUG, FAMILIES
from ..events.filters import EventFilters, page_number
from ..urls import same_query_url

bp = Blueprint("families", __name__)


@bp.get("/familles")
def index():
    """List the nine career families and their jobs."""
    return render_template("families/index.html", families=FAMILIES)


@bp.get("/familles/<slug>")
def show(slug: str):
    """Show one career family: its jobs, its broadcast, its sessions."""
    family = BY_SLUG.get(slug)
    if family is None:
        abort(404)
    filters = EventFilters(family=slug)
    listing = queries.page(filters, page_number(request.args), current_app.config["LIST_PAGE_SIZE"])
    shell = maps.configured_shell(current_app.config, "family")
    now = clock.now()
    return render_template("families/show.html", family=family, filters=filters, listing=listing,
                           shell=shell, showings=showings.family_showings(slug, now), now=now,
                           families=queries.families())


@bp.get("/families")
def english_index():
    """Send the English address to the list of families."""
    return redirect(url_for(".index"), code=301)


@bp.get("/families/<slug>")
def english_alias(slug: str):
    """Send the English address to the family page."""
    if slug not in BY_SLUG:
        abort(404)
    return redirect(same_query_url(".show", slug=slug), code=301)
