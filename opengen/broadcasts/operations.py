"""The morning live broadcasts: an edition's lineup proposed and stored, and the team's edits.

What the public reads (the lineup, live status, JSON) is in `showings`.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..checks import FieldError, web_url
from ..db import db
from ..events.families import BY_SLUG, SLUGS
from ..models import Broadcast, CareerFamily, Edition
from ..timezones import PARIS
from .planner import (
    ScheduleError,
    Slot,
    default_description,
    default_title,
    local_datetime,
    propose_lineup,
    slot_datetimes,
)
from .showings import family_slugs, lineup, web_links

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
LONGEST = timedelta(hours=12)


class BroadcastError(FieldError):
    """A broadcast edit that cannot be saved: the field it is about and a French sentence for people."""


# --------------------------------------------------------------------------- reading

def get(broadcast_id: int) -> Broadcast | None:
    """Return one broadcast by id, or None."""
    return db.session.get(Broadcast, broadcast_id)


# --------------------------------------------------------------------------- scheduling

def fixed_slots(edition: Edition) -> list[Slot]:
    """Return the slots the GEN team has fixed for the edition, read as Paris wall times."""
    slots = []
    for broadcast in lineup(edition):
        if broadcast.is_fixed:
            start, end = broadcast.start_at.astimezone(PARIS), broadcast.end_at.astimezone(PARIS)
            # A show running past midnight gives end <= start here, which the scheduler refuses.
            end_time = end.time() if end.date() == start.date() else time(0)
            slots.append(Slot(start.date(), tuple(family_slugs(broadcast)), start.time(), end_time,
                              broadcast.title))
    return slots


def propose(edition: Edition, *, start: time = time(10, 0), duration: timedelta = timedelta(hours=1),
            max_per_morning: int = 2) -> list[Slot]:
    """Propose a lineup presenting every family once over the edition's mornings, keeping fixed slots.

    Raises ScheduleError, in French, when the constraints cannot all hold.
    """
    return propose_lineup(edition.days(), list(SLUGS), fixed_slots(edition),
                             max_per_morning=max_per_morning, start=start, duration=duration)


@dataclass(frozen=True)
class Change:
    """What storing a lineup did to one morning's broadcast."""

    slot: Slot
    action: Literal["fixed", "unchanged", "updated", "created"]
    broadcast: Broadcast


@dataclass(frozen=True)
class Outcome:
    """The result of storing a lineup: one change per slot and the broadcasts removed."""

    changes: list[Change]
    removed: list[Broadcast]


def apply_lineup(edition: Edition, slots: Sequence[Slot],
                 links: Sequence[tuple[str, str]] | None = None) -> Outcome:
    """Store a proposed lineup: fixed broadcasts stay; the others are updated, created or removed.

    A morning's existing unfixed broadcast is reused (same uid, sequence bumped when it changes)
    so calendar subscribers see a change rather than a removal; if its families change, its
    guests and replay are dropped. New broadcasts stream on `links`,
    by default the platforms of the edition's other broadcasts.
    """
    existing = lineup(edition)
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
    return default_description(families)


def _touch(broadcast: Broadcast, now: datetime) -> None:
    broadcast.sequence = (broadcast.sequence or 0) + 1
    broadcast.updated_at = now


def plan_demo_lineup(edition: Edition) -> list[Broadcast]:
    """Schedule the nine families over the edition's mornings and store the demo shows."""
    outcome = apply_lineup(edition, propose(edition), links=DEMO_PLATFORMS)
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
    check(new)
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
    broadcast.title, broadcast.description = new["title"], new["description"]
    broadcast.start_at, broadcast.end_at = new["start_at"], new["end_at"]
    broadcast.families = _family_rows(new["families"])
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
    check(new)
    broadcast = Broadcast(edition=edition, title=new["title"],
                          description=new["description"] or _description(families),
                          start_at=start_at, end_at=end_at, families=_family_rows(families),
                          links=new["links"], guests=new["guests"], is_fixed=is_fixed,
                          updated_at=clock.now())
    db.session.add(broadcast)
    db.session.flush()
    return broadcast


def remove(broadcast: Broadcast) -> None:
    """Delete a broadcast from the lineup."""
    db.session.delete(broadcast)
    db.session.flush()


def _family_rows(slugs: Sequence[str]) -> list[CareerFamily]:
    """The career family rows of these slugs, in the same order."""
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily).where(
        CareerFamily.slug.in_(slugs)))}
    return [by_slug[s] for s in slugs]


def _default_or_none(families: Sequence[str]) -> str | None:
    try:
        return default_title(families)
    except ScheduleError:
        return None


def paris_moment(day: date, at: time, field: str) -> datetime:
    """Return a Paris wall time on a day; a time a DST change skips or repeats is a BroadcastError on field."""
    try:
        return local_datetime(day, at, strict=True)
    except ScheduleError as error:
        raise BroadcastError(field, str(error)) from None


def check(values: dict) -> None:
    """Check a broadcast's values (see problems) and tidy them in place; raise the first BroadcastError."""
    found = problems(values)
    if found:
        raise found[0]


def problems(values: dict) -> list[BroadcastError]:
    """Return what is wrong with a broadcast's values, at most one error per field, in form order.

    `values` holds title, start_at, end_at, families, links, replay_url and guests, as update()
    takes them; they are tidied in place (families in display order, links and guests stripped).
    A link or guest error names its row as the form does: links-0-url, guests-1-name.
    """
    found = []
    families = values["families"]
    for slug in families:
        if slug not in BY_SLUG:
            found.append(BroadcastError("families", _(
                "Famille de métiers inconnue : « %(slug)s ». Familles possibles : %(slugs)s.",
                slug=slug, slugs=", ".join(SLUGS))))
            break
    if not families:
        found.insert(0, BroadcastError("families", _("Une émission présente au moins une famille de métiers.")))
    elif not found and len(set(families)) != len(families):
        found.append(BroadcastError("families", _("Une famille de métiers figure deux fois.")))
    elif not found:
        families.sort(key=SLUGS.index)  # the order families are shown in everywhere
    if not values["title"]:
        found.append(BroadcastError("title", _("Le titre ne peut pas être vide.")))
    elif len(values["title"]) > TITLE_MAX:
        found.append(BroadcastError("title", _("Le titre est trop long (au plus %(n)s caractères).",
                                               n=TITLE_MAX)))
    start_at, end_at = values["start_at"], values["end_at"]
    if not all(isinstance(m, datetime) and m.tzinfo is not None and m.utcoffset() is not None
               for m in (start_at, end_at)):
        found.append(BroadcastError("start", _("Le début et la fin doivent être des dates et heures "
                                               "avec fuseau.")))
    elif end_at <= start_at:
        found.append(BroadcastError("end", _("L’émission doit finir après son début.")))
    elif end_at - start_at > LONGEST:
        found.append(BroadcastError("end", _("Une émission ne peut pas durer plus de 12 heures.")))
    for row, link in enumerate(values["links"]):
        platform = str(link.get("platform", "")).strip()
        if not platform or len(platform) > PLATFORM_MAX:
            found.append(BroadcastError(f"links-{row}-platform", _(
                "Chaque lien doit nommer sa plateforme (au plus %(n)s caractères), par exemple "
                "YouTube=https://…", n=PLATFORM_MAX)))
        elif not web_url(link.get("url")) or len(link["url"]) > URL_MAX:
            found.append(BroadcastError(f"links-{row}-url", _(
                "Lien invalide pour %(platform)s : une adresse web commençant par https:// ou "
                "http:// est attendue.", platform=platform)))
        else:
            link["platform"], link["url"] = platform, web_url(link["url"])
    replay = values["replay_url"]
    if replay is not None and (not web_url(replay) or len(replay) > URL_MAX):
        found.append(BroadcastError("replay_url", _("Lien de replay invalide : une adresse web "
                                                    "commençant par https:// ou http:// est attendue.")))
    for row, guest in enumerate(values["guests"]):
        name, role = str(guest.get("name", "")).strip(), str(guest.get("role", "")).strip()
        if not name or len(name) > NAME_MAX or len(role) > TITLE_MAX:
            where = "role" if name and len(name) <= NAME_MAX else "name"
            found.append(BroadcastError(f"guests-{row}-{where}", _(
                "Chaque invité a un nom (au plus %(name)s caractères) et un rôle facultatif (au plus "
                "%(role)s caractères), par exemple « Inès|ancienne apprenante, développeuse web ».",
                name=NAME_MAX, role=TITLE_MAX)))
        else:
            guest["name"], guest["role"] = name, role
    return found
