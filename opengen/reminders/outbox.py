"""The outbox of reminder mails: what the write paths recorded, the day-before reminders planned by
each run, claimed by one run at a time with an atomic conditional UPDATE, then marked sent, put back
for a later run, or dropped; and the purge of the addresses once their edition is over."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..db import db
from ..models import Edition, Event, EventStatus, ReminderMessage, ReminderSubscription
from ..timezones import PARIS, paris

CONFIRM, DAY_BEFORE, CHANGED, CANCELLED = "confirm", "day_before", "changed", "cancelled"
# The day-before reminder goes out from this hour (Paris) of the day before the session's Paris day.
DAY_BEFORE_HOUR = 9
# A run that died holding rows gives them up after this; far longer than one SMTP exchange.
CLAIM_LEASE = timedelta(minutes=10)
# A mail refused this many times is given up; between tries a run waits a little longer each time.
MAX_ATTEMPTS = 8
RETRY_STEP = timedelta(minutes=5)
# An address never confirmed is forgotten after this.
UNCONFIRMED_KEPT = timedelta(days=7)


def insert_new(model, rows: list[dict]) -> int:
    """Insert rows, skipping those a unique constraint already holds (concurrent runs too); return how many."""
    if not rows:
        return 0
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        stmt = postgresql_insert(model).values(rows).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite_insert(model).values(rows).on_conflict_do_nothing()
    else:  # pragma: no cover - the two databases the site runs on are above
        stmt = insert(model).values(rows)
    # An INSERT's rowcount is not kept by SQLAlchemy 2.1: count the rows it returns.
    return len(db.session.execute(stmt.returning(model.id)).all())


def _paris_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), PARIS)


def plan_day_before(now: datetime) -> int:
    """Queue the day-before reminder of every confirmed subscription to a published session held
    tomorrow (Paris days), once per session day; return how many were queued."""
    today = paris(now).date()
    tomorrow = today + timedelta(days=1)
    start, end = _paris_midnight(tomorrow), _paris_midnight(tomorrow + timedelta(days=1))
    ids = db.session.scalars(
        select(ReminderSubscription.id).join(Event, Event.id == ReminderSubscription.event_id)
        .where(ReminderSubscription.confirmed_at.is_not(None), Event.status == EventStatus.published,
               Event.start_at >= start, Event.start_at < end)).all()
    due = datetime.combine(today, time(DAY_BEFORE_HOUR), PARIS)
    return insert_new(ReminderMessage, [
        {"subscription_id": i, "kind": DAY_BEFORE, "key": tomorrow.isoformat(), "details": {}, "due_at": due,
         "expires_at": start, "attempts": 0, "created_at": now} for i in ids])


def _open():
    return and_(ReminderMessage.sent_at.is_(None), ReminderMessage.dropped_at.is_(None))


def _free(now: datetime):
    return or_(ReminderMessage.claimed_by.is_(None), ReminderMessage.claimed_at < now - CLAIM_LEASE)


def drop_expired(now: datetime) -> int:
    """Give up the mails that can no longer be sent in time (or were refused too often); return how many."""
    return db.session.execute(
        update(ReminderMessage).where(_open(), _free(now), or_(
            ReminderMessage.expires_at <= now, ReminderMessage.attempts >= MAX_ATTEMPTS))
        .values(dropped_at=now, claimed_by=None, claimed_at=None).execution_options(synchronize_session=False)).rowcount


def claim(run: str, now: datetime, limit: int) -> list[int]:
    """Mark up to `limit` due mails as this run's, atomically: a row another run claimed first (or
    sent, or dropped) is left alone, whichever database and however many runs; return their ids."""
    free = _free(now)
    candidates = (select(ReminderMessage.id)
                  .where(_open(), free, ReminderMessage.due_at <= now,
                         or_(ReminderMessage.expires_at.is_(None), ReminderMessage.expires_at > now))
                  .order_by(ReminderMessage.due_at, ReminderMessage.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        # Rows another run is claiming right now are skipped rather than waited for.
        candidates = candidates.with_for_update(skip_locked=True)
    ids = db.session.scalars(candidates).all()
    if not ids:
        return []
    # The conditions are checked again by the UPDATE itself: that is what makes the claim atomic.
    db.session.execute(
        update(ReminderMessage).where(ReminderMessage.id.in_(ids), _open(), free)
        .values(claimed_by=run, claimed_at=now).execution_options(synchronize_session=False))
    return list(db.session.scalars(select(ReminderMessage.id).where(
        ReminderMessage.id.in_(ids), ReminderMessage.claimed_by == run, _open())
        .execution_options(populate_existing=True)))


def _mine(message_id: int, run: str):
    return update(ReminderMessage).where(ReminderMessage.id == message_id, ReminderMessage.claimed_by == run,
                                         _open()).execution_options(synchronize_session=False)


def mark_sent(message_id: int, run: str, now: datetime) -> bool:
    """Record that the SMTP server accepted a claimed mail; return whether the claim still held."""
    return db.session.execute(_mine(message_id, run).values(
        sent_at=now, attempts=ReminderMessage.attempts + 1, last_error=None)).rowcount == 1


def put_back(message_id: int, run: str, now: datetime, error: str | None) -> None:
    """Give a claimed mail back for a later run: after a refusal, a little later each time."""
    values = {"claimed_by": None, "claimed_at": None}
    if error is not None:
        attempts = db.session.scalar(select(ReminderMessage.attempts).where(ReminderMessage.id == message_id)) or 0
        values.update(attempts=attempts + 1, last_error=error[:300], due_at=now + RETRY_STEP * (attempts + 1))
    db.session.execute(_mine(message_id, run).values(**values))


def drop(message_id: int, run: str, now: datetime) -> None:
    """Give up a claimed mail that has nothing left to say (the session changed since)."""
    db.session.execute(_mine(message_id, run).values(dropped_at=now, claimed_by=None, claimed_at=None))


def purge(now: datetime) -> int:
    """Delete the addresses (and their mails) of sessions whose edition ended before today (Paris),
    of sessions that no longer exist, and those never confirmed in time; return how many addresses."""
    ended = select(Event.id).join(Edition, Edition.id == Event.edition_id).where(
        Edition.ends_on < paris(now).date())
    stale = select(ReminderSubscription.id).where(or_(
        ReminderSubscription.event_id.in_(ended),
        ReminderSubscription.event_id.not_in(select(Event.id)),
        and_(ReminderSubscription.confirmed_at.is_(None),
             ReminderSubscription.created_at < now - UNCONFIRMED_KEPT)))
    ids = db.session.scalars(stale).all()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        db.session.execute(delete(ReminderMessage).where(ReminderMessage.subscription_id.in_(chunk)))
        db.session.execute(delete(ReminderSubscription).where(ReminderSubscription.id.in_(chunk)))
    return len(ids)
