"""The sitemap for search engines: every public page, written as a stream, and robots.txt.

Pages: the home page, the list of editions and each published edition, the broadcasts, the career
families, and the page of every public session (published or cancelled) of a published edition,
each with its last change. A sitemap file holds at most 50,000 addresses: past that, /sitemap.xml
is an index of parts (/sitemap-<n>.xml), the first holding the pages and the sessions following
in id order.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from xml.sax.saxutils import escape

from flask import current_app
from sqlalchemy import func, select

from . import editions
from .db import db
from .events.families import FAMILIES
from .events.queries import PUBLIC_STATUSES
from .events.serialise import event_url
from .models import Broadcast, Event
from .urls import event_url_template, external_url

PART_SIZE = 50_000  # addresses per sitemap file (the protocol's maximum)
MAX_PARTS = 1000  # a part number past this names nothing
_PAGE = 1000  # sessions read at a time
_XMLNS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
# What robots should not crawl: staff pages, schools' secret edit links, print layouts.
DISALLOWED = ("/admin", "/submit/edit", "/programme/imprimer")


def _url(loc: str, lastmod: datetime | None) -> str:
    when = f"<lastmod>{lastmod.isoformat(timespec='seconds')}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{when}</url>\n"


def _public_sessions():
    shown = [edition.id for edition in editions.published()]
    return Event.status.in_(PUBLIC_STATUSES), Event.edition_id.in_(shown)


def _pages() -> list[tuple[str, datetime | None]]:
    """The site's pages that are not a session, with their last change (that of their sessions)."""
    shown = editions.published()
    last = dict(db.session.execute(
        select(Event.edition_id, func.max(Event.updated_at))
        .where(*_public_sessions()).group_by(Event.edition_id)).all())
    current = editions.current_edition()
    latest = last.get(current.id) if current is not None else None
    broadcasts = db.session.scalar(select(func.max(Broadcast.updated_at))
                                   .where(Broadcast.edition_id == (current.id if current else None)))
    pages = [(external_url("map.index"), latest),
             (external_url("map.editions_index"), max(last.values(), default=None))]
    pages += [(external_url("map.edition", year=e.year), last.get(e.id)) for e in shown]
    optional = [("broadcasts.index", {}, broadcasts), ("families.index", {}, None)]
    optional += [("families.show", {"slug": f.slug}, latest) for f in FAMILIES]
    pages += [(external_url(endpoint, **args), when) for endpoint, args, when in optional
              if endpoint in current_app.view_functions]
    return pages


def _session_count() -> int:
    return db.session.scalar(select(func.count(Event.id)).where(*_public_sessions())) or 0


def sitemap() -> Iterator[bytes]:
    """Write /sitemap.xml: the one sitemap, or past PART_SIZE addresses the index of its parts."""
    count = (len(_pages()) + _session_count() - 1) // PART_SIZE + 1
    if count == 1:
        yield from urlset(0)
    else:
        yield _index(count)


def _index(count: int) -> bytes:
    entries = "".join(f"<sitemap><loc>{escape(external_url('exports.sitemap_part', part=n))}</loc>"
                      f"</sitemap>\n" for n in range(count))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex {_XMLNS}>\n{entries}'
            f"</sitemapindex>\n").encode()


def urlset(part: int = 0) -> Iterator[bytes]:
    """Write one sitemap file: the pages (part 0), then sessions by id, at most PART_SIZE addresses."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset {_XMLNS}>\n'.encode()
    pages = _pages()
    room, skip = PART_SIZE, max(0, part * PART_SIZE - len(pages))
    if part == 0:
        yield "".join(_url(loc, when) for loc, when in pages).encode()
        room -= len(pages)
    template, after = event_url_template(), None
    stmt = select(Event.id, Event.updated_at).where(*_public_sessions()).order_by(Event.id)
    while room > 0:
        page = stmt.where(Event.id > after) if after is not None else stmt.offset(skip)
        rows = db.session.execute(page.limit(min(_PAGE, room))).all()
        if not rows:
            break
        yield "".join(_url(event_url(template, i), when) for i, when in rows).encode()
        room, after = room - len(rows), rows[-1][0]
    yield b"</urlset>\n"


def robots() -> str:
    """Return robots.txt: what not to crawl, and where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED),
             f"Sitemap: {external_url('exports.sitemap_index')}"]
    return "\n".join(lines) + "\n"
