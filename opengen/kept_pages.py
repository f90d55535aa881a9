"""Whole HTML pages kept per data version (the home page): built once, sent many times.

A kept page holds nothing that belongs to one visitor: the pages kept here carry no CSRF token,
and a page with a flashed message is always built afresh. The one thing that changes per
request, the CSP nonce of its inline scripts, is put back on the way out: the page is kept with
the nonce it was built with and that string is replaced by this request's.

Gzip: the part before the first nonce is compressed once per process and the compressor's state
copied for each request, which then compresses only the few hundred bytes after it.
"""
from __future__ import annotations

import zlib
from collections.abc import Callable, Hashable

from flask import Response, request, session
from flask_babel import get_locale

from . import clock
from .compression import accepts_gzip
from .security import csp_nonce
from .versioned import Kept

_PAGES = Kept(64 * 1024 * 1024, shared=True)
# Per process: (compressed head, compressor after the head) by kept page; a state weighs ~270 KB.
_HEADS = Kept(32 * 1024 * 1024, size=lambda found: len(found[0]) + 280 * 1024)
_LEVEL = 5


def kept_page(key: Hashable, render: Callable[[], str]) -> Response:
    """Answer with the page kept under key (for this endpoint, host, language and minute),
    rendering and keeping it first if need be; with this request's nonce, gzipped if accepted."""
    if session.get("_flashes"):
        return Response(render(), mimetype="text/html")
    minute = clock.now().replace(second=0, microsecond=0).isoformat()
    full_key = ("page", request.endpoint, request.host_url, str(get_locale()), minute, key)
    kept = _PAGES.current(full_key, lambda: _keepable(render()))
    built_nonce, html = kept.split(b"\n", 1)
    nonce = csp_nonce().encode()
    if not accepts_gzip(request.accept_encodings):
        return Response(html.replace(built_nonce, nonce), mimetype="text/html")
    head, _, tail = html.partition(built_nonce)
    compressed_head, state = _HEADS.get_or_build(kept, lambda: _compress_head(head))
    compressor = state.copy()
    body = compressed_head + compressor.compress(nonce + tail.replace(built_nonce, nonce)) + compressor.flush()
    response = Response(body, mimetype="text/html")
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _keepable(html: str) -> bytes:
    """The page as kept: the nonce it was built with, a newline, then the page."""
    return csp_nonce().encode() + b"\n" + html.encode()


def _compress_head(head: bytes) -> tuple[bytes, object]:
    compressor = zlib.compressobj(_LEVEL, zlib.DEFLATED, 31)  # 31: the gzip format
    return compressor.compress(head), compressor
