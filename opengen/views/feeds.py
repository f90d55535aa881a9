"""Calendar feeds: one session, a search, a personal programme, the broadcasts; with 304s for polling."""
from __future__ import annotations

import tempfile
from pathlib import Path

import click
from flask import Blueprint, Response, abort, current_app, request

from ..compression import GZIP_SUFFIX, accepts_gzip, fresh_copy
from ..db import db
from ..events.filters import parse_edition, parse_filters
from ..feeds import calendars
from ..feeds.calendars import Feed, FeedLinks
from ..feeds.files import FeedFiles
from ..shortlist import selection
from ..urls import event_url_template, external_url
from ..versioned import data_version

bp = Blueprint("feeds", __name__)

# Calendar apps poll every few hours; shared caches may keep a feed five minutes.
MAX_AGE = 300


@bp.get("/calendar.ics")
def search():
    """Send the subscribable feed of the sessions matching the search filters."""
    feed = calendars.search_feed(parse_filters(request.args), _links())
    return _send(feed, "open-gen.ics")


@bp.get("/events/<int:event_id>.ics")
def event(event_id: int):
    """Send one public session as a calendar file."""
    feed = calendars.event_feed(event_id, _links())
    if feed is None:
        abort(404)
    return _send(feed, f"open-gen-session-{event_id}.ics")


@bp.get("/programme.ics")
def personal():
    """Send the feed of the sessions of a personal programme (ids=1,2,3)."""
    feed = calendars.programme_feed(selection.ids_from(request.args, required=True), _links())
    return _send(feed, "mon-programme-open-gen.ics")


@bp.get("/broadcasts.ics")
def broadcasts():
    """Send the feed of the week's morning broadcasts."""
    page = "broadcasts.index" if "broadcasts.index" in current_app.view_functions else "map.index"
    feed = calendars.broadcasts_feed(_links(page), parse_edition(request.args))
    return _send(feed, "emissions-open-gen.ics")


@bp.cli.command("build-entries")
def build_entries() -> None:
    """Build the calendar entries that are missing or stale (after a migration, for instance)."""
    count = calendars.build_stale_entries()
    db.session.commit()
    click.echo(f"{count} calendar entries built.")


# --------------------------------------------------------------------------- HTTP

def _send(feed: Feed, filename: str) -> Response:
    """Answer with the feed, or with 304 Not Modified when the client's copy is current."""
    matched = fresh_copy(feed.etag, feed.last_modified)
    if matched is not None:
        response = Response(status=304)
        response.set_etag(matched)
    else:
        response = _body(feed)
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.last_modified = calendars.clamp_to_now(feed.last_modified)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    response.vary.add("Accept-Encoding")
    return response


def _body(feed: Feed) -> Response:
    """The feed's body: from the file kept for this state, else streamed from the kept entries
    (the worker holds one batch of sessions at a time) and kept as a file as it goes."""
    files = _files()
    key = f"{data_version()}|{feed.etag}"
    gzipped = accepts_gzip(request.accept_encodings)
    kept = files.found(key, gzipped) if files is not None else None
    if kept is not None:
        path, size = kept
        # Read as it is sent (a file trimmed meanwhile still reads once opened).
        response = Response(files.read(path), mimetype="text/calendar")
        response.content_length = size
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
        response.set_etag(feed.etag + (GZIP_SUFFIX if gzipped else ""))
        return response
    chunks = feed.chunks() if files is None else files.kept_while_sent(key, feed.chunks())
    response = Response(chunks, mimetype="text/calendar")
    db.session.commit()  # the stream reads in a session of its own: end this one's reads now
    response.set_etag(feed.etag)
    return response


def _files() -> FeedFiles | None:
    """The folder of feed bodies kept as files (FEED_FILES_DIR, FEED_FILES_MAX_MB; 0: none kept)."""
    folder = current_app.config.get("FEED_FILES_DIR") or Path(tempfile.gettempdir()) / "opengen-feeds"
    size = int(current_app.config.get("FEED_FILES_MAX_MB", 512)) * 1024 * 1024
    return FeedFiles(folder, size) if size > 0 else None


def _links(page: str = "map.index") -> FeedLinks:
    """The absolute addresses a feed writes."""
    return FeedLinks(event=event_url_template(), page=external_url(page))

