"""« Mon programme », the visitor's shortlist: sessions starred in the browser, day by day, with warnings."""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from ..events import serialise
from ..limits import api_limit
from ..shortlist import selection, sharing
from ..urls import external_url

bp = Blueprint("programme", __name__)


@bp.get("/programme")
def index():
    """Show the starred sessions (ids=1,2,3) by day, with clashes, trips too long and sharing."""
    page = sharing.programme_page(request.args)
    return render_template("programme/index.html", shortlist=page.shortlist, page=page)


@bp.get("/programme/imprimer")
def print_sheet():
    """Show the printable A4 page of a list (ids=1,2,3; pour= an optional first name or note)."""
    sheet = sharing.print_sheet(request.args)
    return render_template("programme/print.html", sheet=sheet, shortlist=sheet.shortlist), \
        422 if sheet.note_error else 200


@bp.get("/api/programme")
@api_limit
def api():
    """Return the starred sessions (ids=1,2,3) by day, with clashes and trips too long, as JSON."""
    shortlist = selection.load_shortlist(selection.ids_from(request.args))
    data = selection.to_api(shortlist, lambda e: serialise.to_api(
        e, external_url("events.show", event_id=e.id)))
    if shortlist.requested:
        data["ics"] = external_url("feeds.personal", ids=",".join(map(str, shortlist.requested)))
    return jsonify(data)
