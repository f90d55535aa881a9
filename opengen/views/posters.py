"""Printable posters: a session's and a school's, as A4 PDFs with a QR code."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, request

from ..loaders import public_event_or_404
from ..urls import external_url

if TYPE_CHECKING:
    from ..posters.content import Poster

bp = Blueprint("posters", __name__)

# A poster changes only with the data; a browser checks again after five minutes (ETag, 304).
MAX_AGE = 300


@bp.get("/events/<int:event_id>/affiche.pdf")
def event(event_id: int):
    """Send the poster of one published or cancelled session."""
    from ..posters import content  # reportlab (4 MB) only in the processes that print posters

    shown = public_event_or_404(event_id)
    poster = content.event_poster(shown, external_url("events.show", event_id=event_id))
    return _send(poster, f"opengen-session-{event_id}.pdf")


@bp.get("/ecoles/<int:school_id>/affiche.pdf")
def school(school_id: int):
    """Send the poster of a school's public sessions."""
    from ..posters import content  # as above

    poster = content.school_poster_of(school_id, external_url("map.index", school=school_id))
    if poster is None:
        abort(404)
    return _send(poster, f"opengen-ecole-{school_id}.pdf")


def _send(poster: Poster, filename: str) -> Response:
    """Answer with the PDF, or 304 when the client's copy is current."""
    response = Response(poster.body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.set_etag(poster.etag)
    response.cache_control.public = True
    response.cache_control.max_age = MAX_AGE
    return response.make_conditional(request)
