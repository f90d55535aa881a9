"""Exports of a search for partners (GeoJSON, CSV), and what search engines read (sitemap, robots.txt)."""
from __future__ import annotations

from flask import Blueprint, Response, abort, request, stream_with_context

from .. import sitemap
from ..compression import fresh_copy
from ..events import exports
from ..events.filters import parse_filters, parse_paging
from ..feeds.calendars import clamp_to_now
from ..limits import api_limit
from ..urls import event_url_template

bp = Blueprint("exports", __name__)

# Partners poll; shared caches may keep an export a minute.
MAX_AGE = 60
EXPORT_LIMIT = 1_000_000


@bp.get("/api/events.geojson")
@api_limit
def geojson():
    """Send every session matching the filters as a GeoJSON FeatureCollection (streamed)."""
    return _send(exports.export(*_parse("geojson")), "geojson", "open-gen-sessions.geojson")


@bp.get("/api/events.csv")
@api_limit
def csv():
    """Send every session matching the filters as a CSV file, one row per session (streamed)."""
    return _send(exports.export(*_parse("csv")), "csv", "open-gen-sessions.csv")


@bp.get("/sitemap.xml")
def sitemap_index():
    """Send the sitemap of every public page (or the index of its parts)."""
    return Response(stream_with_context(sitemap.sitemap()), mimetype="application/xml")


@bp.get("/sitemap-<int:part>.xml")
def sitemap_part(part: int):
    """Send one part of a sitemap too large for one file."""
    if part >= sitemap.MAX_PARTS:
        abort(404)
    return Response(stream_with_context(sitemap.urlset(part)), mimetype="application/xml")


@bp.get("/robots.txt")
def robots():
    """Send the robots' rules and the sitemap's address."""
    return Response(sitemap.robots(), mimetype="text/plain")


def _parse(fmt: str) -> tuple:
    """The export's arguments: filters (updated_since included), format, addresses, limit, offset."""
    limit, offset = parse_paging(request.args, default=None, maximum=EXPORT_LIMIT)
    return parse_filters(request.args, changes=True), fmt, event_url_template(), limit, offset


def _send(export: exports.Export, fmt: str, filename: str) -> Response:
    """Answer with the export as a stream, or 304 when the client's copy is current."""
    matched = fresh_copy(export.etag, export.last_modified)
    if matched is not None:
        response = Response(status=304)
        response.set_etag(matched)
    else:
        response = Response(stream_with_context(export.chunks()), mimetype=exports.FORMATS[fmt])
        response.set_etag(export.etag)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.last_modified = clamp_to_now(export.last_modified)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.vary.add("Accept-Encoding")
    return response
