"""Gzip for text responses: many visitors are on phones with little data.

A response with a strong ETag always has the same body, so its gzipped form is kept and sent
again (a 9 MB feed takes about 0.1 s to compress). Such a response is also answered with a 304
when the client's If-None-Match names it, gzipped or not.

Flask-Compress was weighed and left aside: it writes ETags as `"tag:gzip"` (ours are `"tag-gz"`,
which clients already hold), keeps compressed bodies under a key made from the request alone
(pages carrying one visitor's CSRF token would be sent to another), and answers conditional
requests only for the responses it compressed.

A streamed response (an export of every session) is gzipped as it goes, one flush per chunk the
view yields, and never gathered: its view answers conditional requests itself (fresh_copy).
"""
from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterable, Iterator
from datetime import datetime

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
        if response.is_streamed:
            return _gzip_streamed(response)
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


def _gzip_streamed(response):
    """Gzip a streamed response as it is sent, its ETag marked as the gzipped one."""
    response.response = _gzip_chunks(response.response)
    response.headers.pop("Content-Length", None)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(etag + GZIP_SUFFIX, weak=weak)
    return response


def _gzip_chunks(chunks: Iterable[bytes | str]) -> Iterator[bytes]:
    """Each chunk gzipped and flushed, so the client gets it at once; the source is closed at the end."""
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header
    try:
        for chunk in chunks:
            packed = packer.compress(chunk.encode() if isinstance(chunk, str) else chunk)
            yield packed + packer.flush(zlib.Z_SYNC_FLUSH)
        yield packer.flush()
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


def fresh_copy(etag: str, last_modified: datetime) -> str | None:
    """Return the ETag the client already holds for this state (gzipped or not), else None.

    If-None-Match is compared weakly; without it, If-Modified-Since at or after the last change
    (HTTP dates are to the second) means the client's copy is current.
    """
    tags = request.if_none_match
    if tags:
        if tags.star_tag:
            return etag
        return next((tag for tag in (etag, etag + GZIP_SUFFIX) if tags.contains_weak(tag)), None)
    since = request.if_modified_since
    return etag if since is not None and last_modified.replace(microsecond=0) <= since else None


def _conditional(response):
    """A 304 for a 200 whose ETag the client already has (views may have answered it already)."""
    if response.is_streamed:  # answered by its view; make_conditional would gather the stream
        return response
    if response.status_code == 200 and request.if_none_match and response.get_etag()[0]:
        response.make_conditional(request)
    return response
