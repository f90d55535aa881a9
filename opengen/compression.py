"""Gzip for text responses: many visitors are on phones with little data.

A response with a strong ETag always has the same body, so its gzipped form is kept and sent
again (a 9 MB feed takes about 0.1 s to compress). Such a response is also answered with a 304
when the client's If-None-Match names it, gzipped or not.

Flask-Compress was weighed and left aside: it writes ETags as `"tag:gzip"` (ours are `"tag-gz"`,
which clients already hold), keeps compressed bodies under a key made from the request alone
(pages carrying one visitor's CSRF token would be sent to another), and answers conditional
requests only for the responses it compressed.
"""
from __future__ import annotations

import gzip

from flask import Flask, request
from werkzeug.datastructures import Accept

from .versioned import Kept

COMPRESSIBLE = ("text/", "application/json", "application/geo+json", "application/javascript",
                "text/calendar")
MIN_SIZE = 1024
LEVEL = 5
GZIP_SUFFIX = "-gz"  # a gzipped body's ETag: the identity ETag with this suffix (RFC 9110 8.8.3)

_GZIPPED = Kept(32 * 1024 * 1024)


def _compressed(body: bytes, etag: str | None) -> bytes:
    if etag is None:
        return gzip.compress(body, compresslevel=LEVEL)
    return _GZIPPED.get_or_build((etag, len(body)), lambda: gzip.compress(body, compresslevel=LEVEL))


def accepts_gzip(accepted: Accept) -> bool:
    """Whether an Accept-Encoding allows gzip: named with a q-value above 0, or through `*`."""
    qualities = {coding.lower(): quality for coding, quality in accepted}
    for coding in ("gzip", "x-gzip", "*"):  # x-gzip is gzip (RFC 9110 8.4.1.3)
        if coding in qualities:
            return qualities[coding] > 0
    return False


def init_app(app: Flask) -> None:
    """Compress large text responses when the client accepts gzip."""

    @app.after_request
    def _gzip(response):
        if (response.direct_passthrough or response.status_code < 200 or response.status_code >= 300
                or not accepts_gzip(request.accept_encodings)
                or "Content-Encoding" in response.headers
                or not (response.mimetype or "").startswith(COMPRESSIBLE)):
            return _conditional(response)
        body = response.get_data()
        if len(body) < MIN_SIZE:
            return _conditional(response)
        etag, weak = response.get_etag()
        response.set_data(_compressed(body, None if weak else etag))
        response.headers["Content-Encoding"] = "gzip"
        response.vary.add("Accept-Encoding")
        if etag:
            response.set_etag(etag + GZIP_SUFFIX, weak=weak)
        return _conditional(response)


def _conditional(response):
    """A 304 for a 200 whose ETag the client already has (views may have answered it already)."""
    if response.status_code == 200 and request.if_none_match and response.get_etag()[0]:
        response.make_conditional(request)
    return response
