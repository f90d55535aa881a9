"""A search's results: some of the matching sessions, in order, and how many match in all."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING

from .. import clock
from ..models import Event
from ..timezones import local

if TYPE_CHECKING:
    from .queries import Area


@dataclass
class Results:
    """Some of the sessions matching a search, in order, and how many match in all.

    Around a place: the area searched, each session's distance, and the online-only sessions
    apart. As a page of a list: its number and size.
    """

    ids: list[int]
    total: int
    area: Area | None = None
    distances: dict[int, float] = field(default_factory=dict)  # event id -> km, with an area
    items: list[Event] = field(default_factory=list)  # the events of ids, when loaded
    online: list[Event] = field(default_factory=list)  # with an area: the online-only sessions...
    online_total: int = 0  # ...and how many there are
    number: int = 1
    size: int | None = None

    @property
    def pages(self) -> int:
        """Return how many pages of `size` the matching sessions fill (at least one)."""
        return max(1, math.ceil(self.total / self.size)) if self.size else 1

    def by_day(self) -> list[tuple[object, bool, list[Event]]]:
        """Group the loaded events by their day in their venue's time (Paris for online ones):
        (day, ended, events); ended is True for the ended ones of a list that also has some to come."""
        now = clock.now()
        groups = [(day, ended, list(items)) for (day, ended), items in groupby(
            self.items, key=lambda e: (local(e.start_at, e.venue.timezone if e.venue else None).date(),
                                       e.end_at <= now))]
        mixed = len({ended for _day, ended, _items in groups}) > 1
        return [(day, ended and mixed, items) for day, ended, items in groups]
