"""The morning broadcasts as read: an edition's lineup, how each stands at an instant, its public JSON."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..checks import web_url
from ..db import db
from ..editions import asked, current_edition
from ..models import Broadcast, Edition
from ..timezones import PARIS, PARIS_NAME
from .planner import ScheduleError, broadcast_status, default_description, default_title, is_today

Status = Literal["upcoming", "live", "ended"]


def lineup(edition: Edition) -> list[Broadcast]:
    """Return the edition's broadcasts in time order, with their families."""
    return list(db.session.scalars(
        select(Broadcast).where(Broadcast.edition_id == edition.id)
        .options(selectinload(Broadcast.families)).order_by(Broadcast.start_at, Broadcast.id)))


def family_slugs(broadcast: Broadcast) -> list[str]:
    """Return the slugs of the families a broadcast presents, in display order."""
    return [f.slug for f in broadcast.families]


@dataclass(frozen=True)
class Showing:
    """A broadcast as the public sees it at one instant: live or not, today or not."""

    broadcast: Broadcast
    status: Status
    is_today: bool

    @property
    def day(self) -> date:
        """The Paris day of the broadcast."""
        return self.broadcast.start_at.astimezone(PARIS).date()

    @property
    def is_live(self) -> bool:
        """Whether the broadcast is on air."""
        return self.status == "live"

    @property
    def watch_links(self) -> list[dict]:
        """The platforms and web links where it streams."""
        return web_links(self.broadcast.links)

    @property
    def replay_url(self) -> str | None:
        """The replay link, only once the show is over."""
        return replay_url(self.broadcast, self.status)


def show(broadcast: Broadcast, now: datetime) -> Showing:
    """Return how a broadcast stands at `now` (upcoming, live or ended; today in Paris or not)."""
    return Showing(broadcast, status(broadcast, now), is_today(broadcast.start_at, now))


def current_showings(now: datetime, year: int | None = None) -> tuple[Edition | None, list[Showing]]:
    """Return an edition (the year's, else the current one) and its broadcasts as they stand at `now`."""
    edition = asked(year)
    if edition is None:
        return None, []
    return edition, [show(b, now) for b in lineup(edition)]


def family_showings(slug: str, now: datetime) -> list[Showing]:
    """Return the current edition's broadcasts presenting one family, as they stand at `now`."""
    edition = current_edition()
    if edition is None:
        return []
    return [show(b, now) for b in lineup(edition) if slug in family_slugs(b)]


def by_day(showings: Sequence[Showing]) -> list[tuple[date, list[Showing]]]:
    """Group showings by their Paris day, in order."""
    return [(day, list(items)) for day, items in groupby(showings, key=lambda s: s.day)]


def status(broadcast: Broadcast, now: datetime) -> Status:
    """Say whether a broadcast is upcoming, live or ended at `now`."""
    return broadcast_status(broadcast.start_at, broadcast.end_at, now)


def web_links(links: Iterable[dict] | None) -> list[dict]:
    """Return the {"platform", "url"} links whose URL is a web address."""
    return [{"platform": str(link.get("platform", "")), "url": web_url(link.get("url"))}
            for link in links or () if isinstance(link, dict) and web_url(link.get("url"))]


def replay_url(broadcast: Broadcast, state: Status) -> str | None:
    """Return the broadcast's replay link once it has ended and the link is a web address."""
    return web_url(broadcast.replay_url) if state == "ended" else None


def broadcast_text(broadcast, field: str) -> str:
    """Return a broadcast's title or description (`field`) in the visitor's language when it is the
    automatic one (kept in French); the team's own words as written."""
    written = getattr(broadcast, field) or ""
    slugs = [family.slug for family in broadcast.families]
    automatic = default_title if field == "title" else default_description
    try:
        if written == automatic(slugs):
            return automatic(slugs, translated=True)
    except ScheduleError:
        pass
    return written


def to_api(broadcast: Broadcast, now: datetime) -> dict:
    """Return the public JSON representation of a broadcast; times in ISO 8601, Paris offset."""
    state = status(broadcast, now)
    return {
        "id": broadcast.id,
        "uid": broadcast.uid,
        "title": broadcast_text(broadcast, "title"),
        "description": None if broadcast.description is None else broadcast_text(broadcast, "description"),
        "start": broadcast.start_at.astimezone(PARIS).isoformat(),
        "end": broadcast.end_at.astimezone(PARIS).isoformat(),
        "timezone": PARIS_NAME,
        "families": family_slugs(broadcast),
        "links": web_links(broadcast.links),
        "replay_url": replay_url(broadcast, state),
        "guests": [{"name": g.get("name", ""), "role": g.get("role", "")}
                   for g in broadcast.guests or () if isinstance(g, dict)],
        "status": state,
        "sequence": broadcast.sequence,
        "updated": broadcast.updated_at.astimezone(PARIS).isoformat(),
    }
