"""Factories and helpers for the morning broadcasts, shared by the broadcast and family tests."""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from opengen.broadcasts import operations, showings
from opengen.db import db
from opengen.editions import current_edition
from opengen.models import Broadcast, Edition
from opengen.timezones import PARIS

from .conftest import paris


@pytest.fixture
def make_broadcast(ctx):
    """Factory: make_broadcast(start=paris(2021, 11, 29, 10), families=["data"], **fields)."""
    def make(start=None, families=("data",), duration=timedelta(hours=1), **kwargs) -> Broadcast:
        start = start or paris(2021, 11, 29, 10)
        kwargs.setdefault("links", [{"platform": "YouTube", "url": "https://www.youtube.com/@gen-test"}])
        replay = kwargs.pop("replay_url", None)
        broadcast = operations.create(current(), start_at=start, end_at=start + duration,
                                      families=list(families), **kwargs)
        broadcast.replay_url = replay
        db.session.flush()
        return broadcast
    return make


def current() -> Edition:
    """Return the current edition."""
    return current_edition()


def move_edition(first: date, last: date) -> Edition:
    """Move the current edition to other dates (e.g. across a daylight-saving change)."""
    edition = current()
    edition.starts_on, edition.ends_on = first, last
    db.session.commit()
    return edition


def stored() -> list[Broadcast]:
    """Return the current edition's broadcasts, fresh from the database, in time order."""
    db.session.expire_all()
    return showings.lineup(current())


def families_per_morning(shows) -> Counter:
    """Count the families presented on each Paris morning."""
    return Counter({day: sum(len(b.families) for b in shows if b.start_at.astimezone(PARIS).date() == day)
                    for day in {b.start_at.astimezone(PARIS).date() for b in shows}})


def all_families(shows) -> Counter:
    """Count how many times each family is presented."""
    return Counter(f.slug for b in shows for f in b.families)


def card(html: str, broadcast_id: int) -> str:
    """Return the HTML of one broadcast's card on a page."""
    start = html.index(f'id="emission-{broadcast_id}"')
    return html[start:html.index("</article>", start)]
