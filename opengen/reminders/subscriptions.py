"""A visitor's subscription to one session: asked for, confirmed by a one-use link, ended by one click.

Only the SHA-256 of the tokens is stored: the confirmation token is made when its mail is sent,
and every mail carries its own unsubscribe token (see `sending`).
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import clock
from ..checks import FieldError
from ..db import begin_write, db
from ..i18n import locale_key
from ..models import Event, EventFormat, EventStatus, ReminderMessage, ReminderSubscription
from ..submissions.links import hash_token
from .outbox import CONFIRM, insert_new

TOKEN_BYTES = 32
# A second request for the same address and session mails a new confirmation link only after this.
RESEND_CONFIRMATION_AFTER = timedelta(minutes=10)


def new_token() -> tuple[str, str]:
    """Return a fresh secret token and the hash stored in its place."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def _digest(token: str | None) -> str | None:
    if not token or len(token) > 100 or not token.isascii():
        return None
    return hash_token(token)


def offered(event: Event) -> bool:
    """Tell whether visitors may ask to be reminded of a session: published and not ended."""
    return event.status == EventStatus.published and not clock.is_past(event.end_at)


def snapshot(event: Event) -> dict:
    """Return a session's time and place as a subscriber is told them (to notice a change later)."""
    venue = event.venue if event.format != EventFormat.online else None
    place = ""
    if venue is not None:
        town = f"{venue.postcode or ''} {venue.city or ''}".strip()
        place = ", ".join(part for part in (venue.name, venue.address, town) if part)
    return {"start": event.start_at.isoformat(), "end": event.end_at.isoformat(),
            "format": event.format.value, "place": place}


def subscribe(event: Event, email: str) -> None:
    """Ask for reminders of a session at an address: queue a confirmation mail unless one was just
    queued or the address is already confirmed (the visitor is told the same either way)."""
    if not offered(event):
        raise FieldError("email", _("Cette session est terminée ou n’est plus au programme : "
                                    "il n’est plus possible d’en recevoir un rappel."))
    email = email.strip().lower()
    now = clock.now()
    begin_write()
    insert_new(ReminderSubscription, [{"event_id": event.id, "email": email, "created_at": now}])
    subscription = db.session.scalars(select(ReminderSubscription).where(
        ReminderSubscription.event_id == event.id, ReminderSubscription.email == email)).one()
    subscription.locale = locale_key()  # the language of the latest request is the one to write in
    if subscription.confirmed_at is not None:
        return
    last = db.session.scalars(
        select(ReminderMessage).where(ReminderMessage.subscription_id == subscription.id,
                                      ReminderMessage.kind == CONFIRM)
        .order_by(ReminderMessage.created_at.desc()).limit(1)).first()
    if last is not None and (last.sent_at is None and last.dropped_at is None
                             or last.created_at > now - RESEND_CONFIRMATION_AFTER):
        return
    db.session.add(ReminderMessage(subscription_id=subscription.id, kind=CONFIRM, details={}, due_at=now,
                                   expires_at=event.end_at, attempts=0, created_at=now))
    db.session.flush()


def awaiting_confirmation(token: str | None) -> ReminderSubscription | None:
    """Return the unconfirmed subscription a confirmation token opens, or None (unknown, used, replaced)."""
    digest = _digest(token)
    if digest is None:
        return None
    return db.session.scalars(select(ReminderSubscription).where(
        ReminderSubscription.confirm_hash == digest, ReminderSubscription.confirmed_at.is_(None))).first()


def confirm(token: str | None) -> ReminderSubscription:
    """Confirm the subscription a token opens (the token then stops working); raise FieldError if it
    is unknown or used, or if the session can no longer be reminded."""
    begin_write()
    subscription = awaiting_confirmation(token)
    if subscription is None:
        raise FieldError("token", _("Ce lien de confirmation n’est plus valide : il a déjà servi, "
                                    "ou un lien plus récent l’a remplacé."))
    if not offered(subscription.event):
        raise FieldError("token", _("Cette session est terminée ou n’est plus au programme : "
                                    "il n’y a plus de rappel à confirmer."))
    subscription.confirmed_at = clock.now()
    subscription.confirm_hash = None
    subscription.announced = snapshot(subscription.event)
    db.session.flush()
    return subscription


def of_unsubscribe_token(token: str | None) -> ReminderSubscription | None:
    """Return the subscription a mail's unsubscribe token belongs to, or None."""
    digest = _digest(token)
    if digest is None:
        return None
    return db.session.scalars(select(ReminderSubscription).join(
        ReminderMessage, ReminderMessage.subscription_id == ReminderSubscription.id)
        .where(ReminderMessage.token_hash == digest)).first()


def unsubscribe(token: str | None) -> Event | None:
    """Forget the address a mail's unsubscribe token belongs to, for that session, with its mails;
    return the session, or None if the token is unknown (or already used)."""
    begin_write()
    subscription = of_unsubscribe_token(token)
    if subscription is None:
        return None
    event = subscription.event
    db.session.execute(delete(ReminderMessage).where(ReminderMessage.subscription_id == subscription.id))
    db.session.execute(delete(ReminderSubscription).where(ReminderSubscription.id == subscription.id))
    db.session.flush()
    return event
