"""The JSON API used by the map and by partners."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from .. import clock
from ..broadcasts import showings
from ..db import reads_only
from ..events import answers, serialise
from ..events.clusters import TileOutOfRange, marker_sessions, tile_answer
from ..events.filters import parse_edition, parse_filters, parse_paging, parse_place_query
from ..events.markers import marker_answer
from ..limits import api_limit
from ..loaders import public_event_or_404
from ..openapi import build_document
from ..places.lookup import find_place, place_to_api
from ..urls import event_url_template, external_url

bp = Blueprint("api", __name__, url_prefix="/api")
api_limit(bp)
reads_only(bp)


@bp.get("/events")
def event_list():
    """List the public events matching the filters, a page at a time (nearest first around a place)."""
    filters = parse_filters(request.args, changes=True)
    limit, offset = parse_paging(request.args)
    response = Response(answers.api_answer(filters, limit, offset, event_url_template()),
                        mimetype="application/json")
    response.add_etag()
    return response


@bp.get("/geocode")
def geocode():
    """Find the place a postal code, town or address names."""
    return jsonify(place_to_api(find_place(parse_place_query(request.args))))


def _kept_json(body: bytes, etag: str) -> Response:
    """A kept JSON answer with its strong ETag (the gzipped body is kept, If-None-Match gets a
    304), cacheable by browsers for a minute."""
    response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response


@bp.get("/events/markers")
def event_markers():
    """List compact map markers [id, lat, lon, family, kind] for the filters."""
    return _kept_json(*marker_answer(parse_filters(request.args)))


@bp.get("/events/clusters/<int:z>/<int:x>/<int:y>")
def event_clusters(z: int, x: int, y: int):
    """List the map's clusters of one Web-Mercator tile for the filters (counts, centroids, bounds)."""
    try:
        return _kept_json(*tile_answer(parse_filters(request.args), z, x, y))
    except TileOutOfRange:
        abort(404)


@bp.get("/events/marker")
def marker_events():
    """List the sessions a map marker stands for: those inside bbox, with the other filters."""
    return jsonify(marker_sessions(parse_filters(request.args), event_url_template()))


@bp.get("/events/<int:event_id>")
def event_detail(event_id: int):
    """Return one public event, with its distance from lat/lon when given."""
    filters = parse_filters(request.args)
    event = public_event_or_404(event_id)
    near = (filters.lat, filters.lon) if filters.lat is not None else None
    return jsonify(serialise.detail(event, external_url("events.show", event_id=event.id), near))


@bp.get("/broadcasts")
def broadcast_list():
    """List the current edition's morning broadcasts, with their live status."""
    now = clock.now()
    _, shown = showings.current_showings(now, parse_edition(request.args))
    return jsonify({"broadcasts": [showings.to_api(s.broadcast, now) for s in shown]})


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 document of the public API and feeds."""
    return jsonify(build_document(current_app.config["API_RATE_LIMIT"]))


@bp.get("/docs")
def docs():
    """Show the API's documentation, endpoint by endpoint, with examples."""
    return render_template("api/docs.html", doc=build_document(current_app.config["API_RATE_LIMIT"]))
