"""Gzip for text responses: many visitors are on phones with little data."""
from __future__ import annotations

import gzip

from flask import Flask, request

COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/javascript",
                "text/calendar")
MIN_SIZE = 1024


def init_app(app: Flask) -> None:
    """Compress large text responses when the client accepts gzip."""

    @app.after_request
    def _gzip(response):
        if (response.direct_passthrough or response.status_code < 200 or response.status_code >= 300
                or "gzip" not in request.headers.get("Accept-Encoding", "")
                or "Content-Encoding" in response.headers
                or not (response.mimetype or "").startswith(COMPRESSIBLE)):
            return response
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return response
        response.set_data(gzip.compress(body, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        if response.headers.get("ETag"):
            # A different body needs a different validator (RFC 9110 8.8.3).
            etag, weak = response.get_etag()
            response.set_etag(etag + "-gz", weak=weak)
        return response
