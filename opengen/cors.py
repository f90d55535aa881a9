"""Cross-origin reading: any site may GET the read-only API, the calendar feeds and the exports
(Access-Control-Allow-Origin: *); never a route that takes a POST, never a staff page."""
from __future__ import annotations

from flask import Flask, Response, request

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
OPEN_BLUEPRINTS = frozenset({"feeds"})  # besides everything under /api/
ALLOWED_HEADERS = "Accept, Accept-Language, If-None-Match, If-Modified-Since, Cache-Control"
EXPOSED_HEADERS = ("ETag, Last-Modified, Retry-After, Content-Disposition, X-RateLimit-Limit, "
                   "X-RateLimit-Remaining, X-RateLimit-Reset")
PREFLIGHT_MAX_AGE = 86400


def is_open_to_other_sites() -> bool:
    """Tell whether the current request's route is read-only and public (API, feed or export)."""
    rule = request.url_rule
    if rule is None or not set(rule.methods or ()) <= READ_METHODS:
        return False
    return rule.rule.startswith("/api/") or request.blueprint in OPEN_BLUEPRINTS


def cross_origin_headers(response: Response) -> Response:
    """Add the CORS headers to an answer of the read-only API (and answer its preflights)."""
    if not is_open_to_other_sites():
        return response
    response.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    else:
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return response


def init_app(app: Flask) -> None:
    """Answer other sites' GET requests and preflights on the read-only API."""
    app.after_request(cross_origin_headers)
