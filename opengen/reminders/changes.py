"""What the schools' and staff's write paths call when a session changes: the messages its confirmed
subscribers must get are recorded in the outbox, in the same transaction as the change."""
from __future__ import annotations

from sqlalchemy import select

from .. import clock
from ..db import db
from ..models import Event, EventStatus, ReminderMessage, ReminderSubscription, Venue
from .outbox import CANCELLED, CHANGED
from .subscriptions import snapshot


def changed_parts(before: dict, after: dict) -> list[str]:
    """Return what differs between two snapshots of a session: "time", "place", both or neither."""
    parts = []
    if (before.get("start"), before.get("end")) != (after.get("start"), after.get("end")):
        parts.append("time")
    if (before.get("format"), before.get("place")) != (after.get("format"), after.get("place")):
        parts.append("place")
    return parts


def _confirmed(event: Event) -> list[ReminderSubscription]:
    return list(db.session.scalars(select(ReminderSubscription).where(
        ReminderSubscription.event_id == event.id, ReminderSubscription.confirmed_at.is_not(None))))


def _waiting(subscription: ReminderSubscription, kind: str) -> ReminderMessage | None:
    # A message no run has picked up yet can still be amended rather than followed by another.
    return db.session.scalars(select(ReminderMessage).where(
        ReminderMessage.subscription_id == subscription.id, ReminderMessage.kind == kind,
        ReminderMessage.sent_at.is_(None), ReminderMessage.dropped_at.is_(None),
        ReminderMessage.claimed_by.is_(None))).first()


def session_changed(event: Event) -> None:
    """Tell the confirmed subscribers of a published session whose time or place changed since they
    were last told (several changes before the next run make one message; a change undone, none)."""
    if event.status != EventStatus.published or clock.is_past(event.end_at):
        return
    now = clock.now()
    current = snapshot(event)
    for subscription in _confirmed(event):
        told = subscription.announced or current
        waiting = _waiting(subscription, CHANGED)
        if waiting is not None:
            waiting.expires_at = event.end_at
            if not changed_parts(waiting.details["before"], current):
                waiting.dropped_at = now
        elif changed_parts(told, current):
            db.session.add(ReminderMessage(subscription_id=subscription.id, kind=CHANGED, details={"before": told},
                                           due_at=now, expires_at=event.end_at, attempts=0, created_at=now))
        subscription.announced = current
    db.session.flush()


def venue_changed(venue: Venue) -> None:
    """Tell the subscribers of every session held at a venue whose address changed."""
    for event in db.session.scalars(select(Event).where(Event.venue_id == venue.id,
                                                        Event.status == EventStatus.published)):
        session_changed(event)


def session_cancelled(event: Event) -> None:
    """Tell the confirmed subscribers of a session that was cancelled or taken off the programme (once)."""
    if event.status not in (EventStatus.cancelled, EventStatus.rejected) or clock.is_past(event.end_at):
        return
    now = clock.now()
    for subscription in _confirmed(event):
        if db.session.scalars(select(ReminderMessage.id).where(
                ReminderMessage.subscription_id == subscription.id, ReminderMessage.kind == CANCELLED)).first():
            continue
        db.session.add(ReminderMessage(subscription_id=subscription.id, kind=CANCELLED, key=CANCELLED, details={},
                                       due_at=now, expires_at=event.end_at, attempts=0, created_at=now))
    db.session.flush()
