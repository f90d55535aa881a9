"""The morning live broadcasts: the programme of an edition, stored and read back."""
from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .db import db
from .families import BY_SLUG, SLUGS
from .i18n import PARIS
from .models import Broadcast, CareerFamily, Edition
from .schedule import Slot, propose_programme

DEMO_PLATFORMS = (("YouTube", "https://www.youtube.com/@opengen-demo"),
                  ("Facebook", "https://www.facebook.com/opengen-demo"),
                  ("LinkedIn", "https://www.linkedin.com/company/opengen-demo"))


def programme(edition: Edition) -> list[Broadcast]:
    """Return the edition's broadcasts in time order, with their families."""
    return list(db.session.scalars(
        select(Broadcast).where(Broadcast.edition_id == edition.id)
        .options(selectinload(Broadcast.families)).order_by(Broadcast.start_at)))


def store_slots(edition: Edition, slots: list[Slot], links=DEMO_PLATFORMS) -> list[Broadcast]:
    """Create one broadcast per slot of the programme; return them."""
    by_slug = {f.slug: f for f in db.session.scalars(select(CareerFamily))}
    created = []
    for slot in slots:
        broadcast = Broadcast(
            edition=edition, title=slot.title,
            description="Une émission en direct pour découvrir "
                        + " et ".join(BY_SLUG[s].label_fr.lower() for s in slot.families) + ".",
            start_at=datetime.combine(slot.day, slot.start, PARIS),
            end_at=datetime.combine(slot.day, slot.end, PARIS),
            links=[{"platform": name, "url": url} for name, url in links],
            families=[by_slug[s] for s in slot.families])
        db.session.add(broadcast)
        created.append(broadcast)
    db.session.flush()
    return created


def plan_demo_programme(edition: Edition) -> list[Broadcast]:
    """Schedule the nine families over the edition's mornings and store the shows."""
    slots = propose_programme(edition.days(), list(SLUGS), start=time(10, 0))
    return store_slots(edition, slots)
