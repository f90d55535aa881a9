"""Static files, ours and the vendored Leaflet (from the xstatic packages: no CDN), sent light.

Every `url_for('static', ...)` and `url_for('vendor.file', ...)` carries the file's content hash
(`?v=…`): a visitor's browser keeps such a file for a year without asking again
(`immutable`), and a changed file gets a new address. A request without the hash, or with an old
one, still gets the current file, to be checked again before reuse (`no-cache`, with its ETag).

Text files are gzipped once per process (at their first request, at the strongest level) and sent
gzipped to clients that accept it; Werkzeug's own file responses are passed through unchanged
by compression.py, which would leave them uncompressed.
"""
from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
import threading
from dataclasses import dataclass

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster
from flask import Blueprint, Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

from .compression import GZIP_SUFFIX, accepts_gzip

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

PACKAGES = {"leaflet": leaflet.BASE_DIR, "markercluster": markercluster.BASE_DIR}
VERSION_ARG = "v"
ONE_YEAR = 365 * 24 * 3600
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml",
                "image/x-icon", "image/vnd.microsoft.icon")
MAX_KEPT = 2 * 1024 * 1024  # larger files are not held in memory (none of ours is)


@dataclass(frozen=True)
class StaticFile:
    """One file as served: its bytes, their hash, and their gzip when that is smaller."""

    body: bytes
    gzipped: bytes | None
    digest: str
    mimetype: str
    mtime: float


_kept: dict[str, StaticFile] = {}
_lock = threading.Lock()


def _read(path: str) -> StaticFile | None:
    """The file at `path` as served, read and compressed once while it does not change."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):  # missing, or a name the system refuses (a NUL byte)
        return None
    if not os.path.isfile(path) or stat.st_size > MAX_KEPT:
        return None
    kept = _kept.get(path)
    if kept is not None and kept.mtime == stat.st_mtime:
        return kept
    with open(path, "rb") as handle:
        body = handle.read()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    gzipped = None
    if mimetype.startswith(COMPRESSIBLE):
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    kept = StaticFile(body, gzipped, hashlib.sha256(body).hexdigest()[:12], mimetype, stat.st_mtime)
    with _lock:
        _kept[path] = kept
    return kept


def _path(directory: str, filename: str) -> str | None:
    """The file's path inside `directory`, or None when the name leaves it."""
    return safe_join(directory, filename)


def fingerprint(directory: str, filename: str) -> str | None:
    """The content hash that versions a file's address, None when there is no such file."""
    path = _path(directory, filename)
    found = _read(path) if path is not None else None
    return found.digest if found is not None else None


def send(directory: str, filename: str) -> Response:
    """Answer with one file: gzipped when accepted, cached for a year when asked by its hash."""
    path = _path(directory, filename)
    found = _read(path) if path is not None else None
    if found is None:
        abort(404)
    gzipped = found.gzipped is not None and accepts_gzip(request.accept_encodings)
    response = Response(found.gzipped if gzipped else found.body, mimetype=found.mimetype)
    if found.mimetype.startswith("text/") or found.mimetype == "application/javascript":
        response.charset = "utf-8"
    if found.gzipped is not None:
        response.vary.add("Accept-Encoding")
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(found.digest + (GZIP_SUFFIX if gzipped else ""))
    if request.args.get(VERSION_ARG) == found.digest:
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    else:  # no hash or an old one: this body may change at this address
        response.headers["Cache-Control"] = "no-cache"
    return response.make_conditional(request)


@bp.get("/<package>/<path:filename>")
def file(package: str, filename: str):
    """Send one file of a vendored front-end package."""
    if package not in PACKAGES:
        abort(404)
    return send(PACKAGES[package], filename)


def _static(filename: str):
    """Send one of our own static files."""
    return send(current_app.static_folder, filename)


def _favicon():
    """Send the icon that browsers ask for at /favicon.ico without reading the page."""
    return send(current_app.static_folder, "favicon.ico")


def _versioned(endpoint: str, values: dict) -> None:
    """Add the content hash to the address of a static or vendored file (url_for's defaults)."""
    if VERSION_ARG in values or not isinstance(values.get("filename"), str):
        return
    if endpoint == "static":
        directory = current_app.static_folder
    elif endpoint == "vendor.file" and values.get("package") in PACKAGES:
        directory = PACKAGES[values["package"]]
    else:
        return
    digest = fingerprint(directory, values["filename"])
    if digest is not None:
        values[VERSION_ARG] = digest


def init_app(app: Flask) -> None:
    """Register the vendor blueprint, our static view and the versioned addresses."""
    app.register_blueprint(bp)
    app.view_functions["static"] = _static
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.url_defaults(_versioned)
