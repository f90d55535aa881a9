"""The morning live broadcasts: an edition's programme, its scheduling, its edits, what the public sees."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock
from ..checks import web_url
from ..db import db
from ..editions import current_edition
from ..events.families import BY_SLUG, SLUGS
from ..models import Broadcast, CareerFamily, Edition
from ..timezones import PARIS, PARIS_NAME
from .planner import (
    ScheduleError,
    Slot,
    broadcast_status,
    default_title,
    is_today,
    propose_programme,
    slot_datetimes,
)

DEMO_PLATFORMS = (("YouTube", "https://www.youtube.com/@opengen-demo"),
                  ("Facebook", "https://www.facebook.com/opengen-demo"),
                  ("LinkedIn", "https://www.linkedin.com/company/opengen-demo"))
DEMO_REPLAY = "https://www.youtube.com/@opengen-demo/videos"
# A former learner now working in the field, per family (demo names, clearly fictitious roles).
DEMO_GUESTS = {
    "web-development": ("Inès", "ancienne apprenante, développeuse web"),
    "networks-maintenance": ("Karim", "ancien apprenant, technicien réseaux"),
    "cybersecurity": ("Léa", "ancienne apprenante, analyste SOC"),
    "cloud": ("Moussa", "ancien apprenant, administrateur cloud"),
    "data": ("Sarah", "ancienne apprenante, data analyst"),
    "ai": ("Thomas", "ancien apprenant, développeur en intelligence artificielle"),
    "web-design": ("Chloé", "ancienne apprenante, designer UX/UI"),
    "digital-marketing": ("Yanis", "ancien apprenant, community manager"),
    "project-management": ("Aïcha", "ancienne apprenante, cheffe de projet digital"),
}

TITLE_MAX = 200
URL_MAX = 500
PLATFORM_MAX = 40
NAME_MAX = 120

Status = Literal["upcoming", "live", "ended"]


class BroadcastError(ValueError):
    """A broadcast edit that cannot be saved; str() is a French sentence for people."""


# --------------------------------------------------------------------------- reading

def programme(edition: Edition) -> list[Broadcast]:
    """Return the edition's broadcasts in time order, with their families."""
    return list(db.session.scalars(
        select(Broadcast).where(Broadcast.edition_id == edition.id)
        .options(selectinload(Broadcast.families)).order_by(Broadcast.start_at, Broadcast.id)))


def get(broadcast_id: int) -> Broadcast | None:
    """Return one broadcast by id, or None."""
    return db.session.get(Broadcast, broadcast_id)


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


def current_showings(now: datetime) -> tuple[Edition | None, list[Showing]]:
    """Return the current edition and its broadcasts as they stand at `now`."""
    edition = current_edition()
    if edition is None:
        return None, []
    return edition, [show(b, now) for b in programme(edition)]


def family_showings(slug: str, now: datetime) -> list[Showing]:
    """Return the current edition's broadcasts presenting one family, as they stand at `now`."""
    edition = current_edition()
    if edition is None:
        return []
    return [show(b, now) for b in programme(edition) if slug in family_slugs(b)]


def by_day(showings: Sequence[Showing]) -> list[tuple[date, list[Showing]]]:
    """Group showings by their Paris day, in order."""
    return [(day, list(items)) for day, items in groupby(showings, key=lambda s: s.day)]


def status(broadcast: Broadcast, now: datetime) -> Status:
    """Say whether a broadcast is upcoming, live or ended at `now`."""
    return broadcast_status(broadcast.start_at, broadcast.end_at, now)


def family_slugs(broadcast: Broadcast) -> list[str]:
    """Return the slugs of the families a broadcast presents, in display order."""
    return [f.slug for f in broadcast.families]


def web_links(links: Iterable[dict] | None) -> list[dict]:
    """Return the {"platform", "url"} links whose URL is a web address."""
    return [{"platform": str(link.get("platform", "")), "url": web_url(link.get("url"))}
            for link in links or () if isinstance(link, dict) and web_url(link.get("url"))]


def replay_url(broadcast: Broadcast, state: Status) -> str | None:
    """Return the broadcast's replay link once it has ended and the link is a web address."""
    return web_url(broadcast.replay_url) if state == "ended" else None


def to_api(broadcast: Broadcast, now: datetime) -> dict:
    """Return the public JSON representation of a broadcast; times in ISO 8601, Paris offset."""
    state = status(broadcast, now)
    return {
        "id": broadcast.id,
        "uid": broadcast.uid,
        "title": broadcast.title,
        "description": broadcast.description,
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


# --------------------------------------------------------------------------- scheduling

def fixed_slots(edition: Edition) -> list[Slot]:
    """Return the slots the GEN team has fixed for the edition, read as Paris wall times."""
    slots = []
    for broadcast in programme(edition):
        if broadcast.is_fixed:
            start, end = broadcast.start_at.astimezone(PARIS), broadcast.end_at.astimezone(PARIS)
            # A show running past midnight gives end <= start here, which the scheduler refuses.
            end_time = end.time() if end.date() == start.date() else time(0)
            slots.append(Slot(start.date(), tuple(family_slugs(broadcast)), start.time(), end_time,
                              broadcast.title))
    return slots


def propose(edition: Edition, *, start: time = time(10, 0), duration: timedelta = timedelta(hours=1),
            max_per_morning: int = 2) -> list[Slot]:
    """Propose a programme presenting every family once over the edition's mornings, keeping fixed slots.

    Raises ScheduleError, in French, when the constraints cannot all hold.
    """
    return propose_programme(edition.days(), list(SLUGS), fixed_slots(edition),
                             max_per_morning=max_per_morning, start=start, duration=duration)


@dataclass(frozen=True)
class Change:
    """What storing a programme did to one morning's broadcast."""

    slot: Slot
    action: Literal["fixed", "unchanged", "updated", "created"]
    broadcast: Broadcast


@dataclass(frozen=True)
class Outcome:
    """The result of storing a programme: one change per slot and the broadcasts removed."""

    changes: list[Change]
    removed: list[Broadcast]


def apply_programme(edition: Edition, slots: Sequence[Slot],
                    links: Sequence[tuple[str, str]] | None = None) -> Outcome:
    """Store a proposed programme: fixed broadcasts stay; the others are updated, created or removed.

    A morning's existing unfixed broadcast is reused (same uid, sequence bumped when it changes)
    so calendar subscribers see a change rather than a removal; if its families change, its
    guests and replay are dropped. New broadcasts stream on `links`,
    by default the platforms of the edition's other broadcasts.
    """
    existing = programme(edition)
    fixed_by_day = {b.start_at.astimezone(PARIS).date(): b for b in existing if b.is_fixed}
    reusable: dict[date, Broadcast] = {}
    for broadcast in existing:
        if not broadcast.is_fixed:
            reusable.setdefault(broadcast.start_at.astimezone(PARIS).date(), broadcast)
    if links is None:
        links = _edition_links(existing)
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily))}
    now = clock.now()

    changes = []
    for slot in slots:
        if slot.day in fixed_by_day:
            changes.append(Change(slot, "fixed", fixed_by_day[slot.day]))
            continue
        start_at, end_at = slot_datetimes(slot)
        title = slot.title or default_title(slot.families)
        families = [by_slug[s] for s in slot.families]
        broadcast = reusable.pop(slot.day, None)
        if broadcast is None:
            broadcast = Broadcast(edition=edition, title=title, description=_description(slot.families),
                                  start_at=start_at, end_at=end_at, families=families,
                                  links=[{"platform": p, "url": u} for p, u in links or ()],
                                  guests=[], updated_at=now)
            db.session.add(broadcast)
            changes.append(Change(slot, "created", broadcast))
            continue
        same = (broadcast.title == title and family_slugs(broadcast) == list(slot.families)
                and broadcast.start_at == start_at and broadcast.end_at == end_at)
        if not same:
            if family_slugs(broadcast) != list(slot.families):
                # Another topic: the guests and replay chosen for the old one no longer apply.
                broadcast.description = _description(slot.families)
                broadcast.guests, broadcast.replay_url = [], None
            broadcast.title, broadcast.families = title, families
            broadcast.start_at, broadcast.end_at = start_at, end_at
            _touch(broadcast, now)
        changes.append(Change(slot, "unchanged" if same else "updated", broadcast))
    removed = [b for b in existing if not b.is_fixed and b not in {c.broadcast for c in changes}]
    for broadcast in removed:
        db.session.delete(broadcast)
    db.session.flush()
    return Outcome(changes, removed)


def _edition_links(existing: Sequence[Broadcast]) -> list[tuple[str, str]]:
    # Every morning streams on the same channels: reuse the first broadcast's.
    for broadcast in existing:
        found = web_links(broadcast.links)
        if found:
            return [(link["platform"], link["url"]) for link in found]
    return []


def _description(families: Sequence[str]) -> str:
    title = default_title(families)
    return (f"Une émission en direct pour découvrir {title[0].lower()}{title[1:]}, avec des "
            f"personnes qui y travaillent.")


def _touch(broadcast: Broadcast, now: datetime) -> None:
    broadcast.sequence = (broadcast.sequence or 0) + 1
    broadcast.updated_at = now


def store_slots(edition: Edition, slots: list[Slot], links=DEMO_PLATFORMS) -> list[Broadcast]:
    """Create one broadcast per slot of the programme (Paris wall times, DST-safe); return them."""
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily))}
    created = []
    for slot in slots:
        start_at, end_at = slot_datetimes(slot)
        broadcast = Broadcast(
            edition=edition, title=slot.title or default_title(slot.families),
            description=_description(slot.families), start_at=start_at, end_at=end_at,
            links=[{"platform": name, "url": url} for name, url in links],
            families=[by_slug[s] for s in slot.families])
        db.session.add(broadcast)
        created.append(broadcast)
    db.session.flush()
    return created


def plan_demo_programme(edition: Edition) -> list[Broadcast]:
    """Schedule the nine families over the edition's mornings and store the demo shows."""
    outcome = apply_programme(edition, propose(edition), links=DEMO_PLATFORMS)
    shows = [change.broadcast for change in outcome.changes]
    for broadcast in shows:
        if not broadcast.guests:
            broadcast.guests = [{"name": DEMO_GUESTS[s][0], "role": DEMO_GUESTS[s][1]}
                                for s in family_slugs(broadcast)]
        if not broadcast.replay_url:
            broadcast.replay_url = DEMO_REPLAY
    db.session.flush()
    return shows


# --------------------------------------------------------------------------- editing

def update(broadcast: Broadcast, *, title: str | None = None, description: str | None = None,
           start_at: datetime | None = None, end_at: datetime | None = None,
           families: Sequence[str] | None = None, links: Sequence[dict] | None = None,
           replay_url: str | None = None, guests: Sequence[dict] | None = None,
           is_fixed: bool | None = None) -> bool:
    """Change a broadcast; None leaves a field as it is, replay_url="" removes the replay.

    Everything is checked before anything changes. Bumps sequence and updated_at when something
    changed; returns whether it did. Raises BroadcastError, in French, on bad values.
    """
    new = {
        "title": broadcast.title if title is None else title.strip(),
        "description": (broadcast.description or "") if description is None else description.strip(),
        "start_at": broadcast.start_at if start_at is None else start_at,
        "end_at": broadcast.end_at if end_at is None else end_at,
        "families": family_slugs(broadcast) if families is None else list(families),
        "links": [dict(link) for link in (broadcast.links or [] if links is None else links)],
        "replay_url": broadcast.replay_url if replay_url is None else replay_url.strip() or None,
        "guests": [dict(g) for g in (broadcast.guests or [] if guests is None else guests)],
        "is_fixed": broadcast.is_fixed if is_fixed is None else bool(is_fixed),
    }
    _validate(new)
    old_families = family_slugs(broadcast)
    if families is not None and title is None and broadcast.title == _default_or_none(old_families):
        new["title"] = default_title(new["families"])  # an automatic title follows its families
    if (families is not None and description is None
            and broadcast.description == _description(old_families)):
        new["description"] = _description(new["families"])
    changed = (new["title"] != broadcast.title or new["description"] != (broadcast.description or "")
               or new["start_at"] != broadcast.start_at or new["end_at"] != broadcast.end_at
               or new["families"] != family_slugs(broadcast) or new["links"] != (broadcast.links or [])
               or new["replay_url"] != broadcast.replay_url or new["guests"] != (broadcast.guests or [])
               or new["is_fixed"] != broadcast.is_fixed)
    if not changed:
        return False
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily).where(
        CareerFamily.slug.in_(new["families"])))}
    broadcast.title, broadcast.description = new["title"], new["description"]
    broadcast.start_at, broadcast.end_at = new["start_at"], new["end_at"]
    broadcast.families = [by_slug[s] for s in new["families"]]
    broadcast.links, broadcast.guests = new["links"], new["guests"]
    broadcast.replay_url, broadcast.is_fixed = new["replay_url"], new["is_fixed"]
    _touch(broadcast, clock.now())
    db.session.flush()
    return True


def create(edition: Edition, *, start_at: datetime, end_at: datetime, families: Sequence[str],
           title: str | None = None, description: str = "", links: Sequence[dict] = (),
           guests: Sequence[dict] = (), is_fixed: bool = True) -> Broadcast:
    """Add a broadcast to the edition (fixed by default: the team chose it); return it."""
    families = sorted(families, key=lambda s: SLUGS.index(s) if s in SLUGS else -1)
    new = {"title": (title or "").strip() or _default_or_none(families) or "",
           "description": description.strip(), "start_at": start_at, "end_at": end_at,
           "families": families, "links": [dict(link) for link in links], "replay_url": None,
           "guests": [dict(g) for g in guests], "is_fixed": is_fixed}
    _validate(new)
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily).where(
        CareerFamily.slug.in_(families)))}
    broadcast = Broadcast(edition=edition, title=new["title"],
                          description=new["description"] or _description(families),
                          start_at=start_at, end_at=end_at, families=[by_slug[s] for s in families],
                          links=new["links"], guests=new["guests"], is_fixed=is_fixed,
                          updated_at=clock.now())
    db.session.add(broadcast)
    db.session.flush()
    return broadcast


def remove(broadcast: Broadcast) -> None:
    """Delete a broadcast from the programme."""
    db.session.delete(broadcast)
    db.session.flush()


def _default_or_none(families: Sequence[str]) -> str | None:
    try:
        return default_title(families)
    except ScheduleError:
        return None


def _validate(new: dict) -> None:
    if not new["families"]:
        raise BroadcastError(_("Une émission présente au moins une famille de métiers."))
    for slug in new["families"]:
        if slug not in BY_SLUG:
            raise BroadcastError(_("Famille de métiers inconnue : « %(slug)s ». Familles possibles : "
                                   "%(slugs)s.", slug=slug, slugs=", ".join(SLUGS)))
    if len(set(new["families"])) != len(new["families"]):
        raise BroadcastError(_("Une famille de métiers figure deux fois."))
    new["families"].sort(key=SLUGS.index)  # the order families are shown in everywhere
    if not new["title"]:
        raise BroadcastError(_("Le titre ne peut pas être vide."))
    if len(new["title"]) > TITLE_MAX:
        raise BroadcastError(_("Le titre est trop long (au plus %(n)s caractères).", n=TITLE_MAX))
    for name in ("start_at", "end_at"):
        moment = new[name]
        if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
            raise BroadcastError(_("Le début et la fin doivent être des dates et heures avec fuseau."))
    if new["end_at"] <= new["start_at"]:
        raise BroadcastError(_("L’émission doit finir après son début."))
    if new["end_at"] - new["start_at"] > timedelta(hours=12):
        raise BroadcastError(_("Une émission ne peut pas durer plus de 12 heures."))
    for link in new["links"]:
        platform = str(link.get("platform", "")).strip()
        if not platform or len(platform) > PLATFORM_MAX:
            raise BroadcastError(_("Chaque lien doit nommer sa plateforme (au plus %(n)s caractères), "
                                   "par exemple YouTube=https://…", n=PLATFORM_MAX))
        if not web_url(link.get("url")) or len(link["url"]) > URL_MAX:
            raise BroadcastError(_("Lien invalide pour %(platform)s : une adresse web commençant par "
                                   "https:// ou http:// est attendue.", platform=platform))
        link["platform"], link["url"] = platform, web_url(link["url"])
    replay = new["replay_url"]
    if replay is not None and (not web_url(replay) or len(replay) > URL_MAX):
        raise BroadcastError(_("Lien de replay invalide : une adresse web commençant par https:// "
                               "ou http:// est attendue."))
    for guest in new["guests"]:
        name, role = str(guest.get("name", "")).strip(), str(guest.get("role", "")).strip()
        if not name or len(name) > NAME_MAX or len(role) > TITLE_MAX:
            raise BroadcastError(_("Chaque invité a un nom (au plus %(name)s caractères) et un rôle "
                                   "facultatif (au plus %(role)s caractères), par exemple "
                                   "« Inès|ancienne apprenante, développeuse web ».",
                                   name=NAME_MAX, role=TITLE_MAX))
        guest["name"], guest["role"] = name, role
