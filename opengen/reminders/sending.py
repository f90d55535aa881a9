"""One run of `flask send-reminders`: plan the day-before reminders, drop what came too late, send
what is due (each mail claimed first, so two runs at once never send it twice), purge old addresses."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import clock, mail
from ..db import begin_write, db
from ..models import Event, EventStatus, ReminderMessage, ReminderSubscription
from ..timezones import paris
from ..urls import external_url
from . import outbox
from .changes import changed_parts
from .outbox import CANCELLED, CHANGED, CONFIRM, DAY_BEFORE
from .subscriptions import new_token, snapshot

BATCH = 50
# After this many refusals in a row the SMTP server is taken as down: the rest waits for a later run.
FAILURES_BEFORE_STOPPING = 3


@dataclass
class RunReport:
    """What one run did, for the command's output."""

    planned: int = 0
    sent: int = 0
    failed: int = 0
    dropped: int = 0
    purged: int = 0
    stopped: bool = False


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    headers: dict[str, str]


def _subject_title(event: Event) -> str:
    title = " ".join(event.title.split())
    return title if len(title) <= 80 else title[:79] + "…"


def _subject(message: ReminderMessage, event: Event, parts: list[str]) -> str:
    title = _subject_title(event)
    if message.kind == CONFIRM:
        return _("Open Gen : confirmez votre rappel pour « %(title)s »", title=title)
    if message.kind == DAY_BEFORE:
        return _("Rappel : « %(title)s », c’est demain", title=title)
    if message.kind == CANCELLED:
        return _("Annulée : « %(title)s »", title=title)
    if parts == ["time"]:
        return _("Nouvel horaire : « %(title)s »", title=title)
    if parts == ["place"]:
        return _("Nouveau lieu : « %(title)s »", title=title)
    return _("Nouvel horaire et nouveau lieu : « %(title)s »", title=title)


def compose(message: ReminderMessage, event: Event, unsubscribe_token: str, confirm_token: str | None) -> Mail:
    """Write a reminder mail: subject, plain-text body and the one-click unsubscribe headers."""
    unsubscribe = external_url("reminders.unsubscribe", token=unsubscribe_token)
    before = message.details.get("before") or {}
    parts = changed_parts(before, snapshot(event)) if message.kind == CHANGED else []
    body = render_template(
        f"reminders/{message.kind}_mail.txt", event=event, page=external_url("events.show", event_id=event.id),
        confirm=external_url("reminders.confirm", token=confirm_token) if confirm_token else None,
        unsubscribe=unsubscribe, privacy=external_url("reminders.privacy"), home=external_url("map.index"),
        parts=parts,
        before_start=datetime.fromisoformat(before["start"]) if before.get("start") else None,
        before_end=datetime.fromisoformat(before["end"]) if before.get("end") else None,
        before_place=before.get("place"), before_online=before.get("format") == "online")
    return Mail(_subject(message, event, parts), body, {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Auto-Submitted": "auto-generated",
    })


def still_worth_sending(message: ReminderMessage, subscription: ReminderSubscription, event: Event,
                        now: datetime) -> bool:
    """Tell whether a queued mail still says something true and useful (never to an unconfirmed
    address, except its confirmation)."""
    if event.end_at <= now:
        return False
    if message.kind == CONFIRM:
        return subscription.confirmed_at is None and event.status == EventStatus.published
    if subscription.confirmed_at is None:
        return False
    if message.kind == CANCELLED:
        return event.status in (EventStatus.cancelled, EventStatus.rejected)
    if event.status != EventStatus.published:
        return False
    if message.kind == DAY_BEFORE:
        return paris(event.start_at).date().isoformat() == message.key
    return bool(changed_parts(message.details.get("before") or {}, snapshot(event)))


def _prepare(message_id: int, run: str, now: datetime) -> tuple[str, Mail] | None:
    """Give a claimed mail its tokens and write it (committed before it leaves); None if dropped."""
    begin_write()
    message = db.session.scalars(
        select(ReminderMessage).where(ReminderMessage.id == message_id, ReminderMessage.claimed_by == run)
        .options(selectinload(ReminderMessage.subscription).selectinload(ReminderSubscription.event)
                 .selectinload(Event.venue))).first()
    if message is None:
        db.session.commit()
        return None
    subscription = message.subscription
    event = subscription.event
    if not still_worth_sending(message, subscription, event, now):
        outbox.drop(message_id, run, now)
        db.session.commit()
        return None
    unsubscribe_token, message.token_hash = new_token()
    confirm_token = None
    if message.kind == CONFIRM:
        confirm_token, subscription.confirm_hash = new_token()
    with force_locale(subscription.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        written = compose(message, event, unsubscribe_token, confirm_token)
    if message.kind != CONFIRM:
        subscription.announced = snapshot(event)
    address = subscription.email
    db.session.commit()
    return address, written


def _send_batch(ids: list[int], run: str, now: datetime, report: RunReport, failures: int) -> int:
    for position, message_id in enumerate(ids):
        if failures >= FAILURES_BEFORE_STOPPING:
            begin_write()
            for rest in ids[position:]:
                outbox.put_back(rest, run, now, None)
            db.session.commit()
            report.stopped = True
            return failures
        prepared = _prepare(message_id, run, now)
        if prepared is None:
            report.dropped += 1
            continue
        address, written = prepared
        accepted = mail.send_mail(address, written.subject, written.body, written.headers)
        begin_write()
        if accepted:
            outbox.mark_sent(message_id, run, now)
            report.sent += 1
            failures = 0
        else:
            outbox.put_back(message_id, run, now, "refused by the SMTP server, or unreachable")
            report.failed += 1
            failures += 1
        db.session.commit()
    return failures


def send_due() -> RunReport:
    """Plan, send and purge once (the command run by cron); return what was done."""
    now = clock.now()
    report = RunReport()
    begin_write()
    report.planned = outbox.plan_day_before(now)
    report.dropped = outbox.drop_expired(now)
    db.session.commit()
    run = secrets.token_hex(8)
    failures = 0
    while not report.stopped:
        begin_write()
        ids = outbox.claim(run, now, current_app.config.get("REMINDER_BATCH", BATCH))
        db.session.commit()
        if not ids:
            break
        # What was put back is due again a little later, so this loop does not pick it up again.
        failures = _send_batch(ids, run, now, report, failures)
    begin_write()
    report.purged = outbox.purge(now)
    db.session.commit()
    return report
