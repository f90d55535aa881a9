"""The morning live broadcasts: the week's lineup, what is on air now."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from .. import clock
from ..broadcasts import showings
from ..events.filters import parse_edition
from ..urls import same_query_url

bp = Blueprint("broadcasts", __name__)


@bp.get("/broadcasts")
def index():
    """Show the week's broadcasts, today's highlighted and the one on air marked live."""
    now = clock.now()
    edition, shown = showings.current_showings(now, parse_edition(request.args))
    return render_template("broadcasts/index.html", edition=edition, days=showings.by_day(shown), now=now)


@bp.get("/emissions")
def french_alias():
    """Send the French address to the lineup."""
    return redirect(same_query_url(".index"), code=301)
