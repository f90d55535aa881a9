"""The rows a page is about, or a 404: one loader per guarded row, for the schools' and staff's views."""
from __future__ import annotations

from flask import abort

from .broadcasts import operations as broadcasts
from .editions import current_edition
from .models import Broadcast, Edition


def current_edition_or_404() -> Edition:
    """Return the current edition, or answer 404 when none is set up."""
    edition = current_edition()
    if edition is None:
        abort(404)
    return edition


def broadcast_or_404(broadcast_id: int) -> Broadcast:
    """Return the broadcast, or answer 404."""
    found = broadcasts.get(broadcast_id)
    if found is None:
        abort(404)
    return found
