"""The GEN team's side: staff accounts, the queue of pending submissions, approve, reject, history."""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from .. import reminders
from ..db import db, utcnow
from ..models import AdminUser, Event, EventStatus, ModerationLog, Submission
from .links import issue_token, revoke_token
from .operations import events_of, log

MIN_PASSWORD_LENGTH = 12


@functools.cache
def _dummy_hash() -> str:
    # Compared against when the e-mail is unknown, so both cases take the same time.
    return generate_password_hash("opengen-no-such-account")


# --- accounts -------------------------------------------------------------------------------

def create_admin(email: str, password: str) -> AdminUser:
    """Create a staff account (or reset its password) with a salted password hash."""
    email = email.strip().lower()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"password shorter than {MIN_PASSWORD_LENGTH} characters")
    admin = db.session.scalars(select(AdminUser).where(AdminUser.email == email)).first()
    if admin is None:
        admin = AdminUser(email=email)
        db.session.add(admin)
    admin.password_hash = generate_password_hash(password)
    admin.is_active = True
    db.session.flush()
    return admin


def authenticate(email: str, password: str) -> AdminUser | None:
    """Return the active staff account with these credentials, or None."""
    admin = db.session.scalars(select(AdminUser).where(AdminUser.email == email.strip().lower())).first()
    if admin is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(admin.password_hash, password) or not admin.is_active:
        return None
    return admin


# --- the queue ------------------------------------------------------------------------------

@dataclass
class QueueItem:
    """A submission awaiting moderation, with its pending sessions."""

    submission: Submission
    events: list[Event]

    @property
    def venue(self):
        """The first session's venue, for the pin."""
        return next((e.venue for e in self.events if e.venue is not None), None)


def queue() -> list[QueueItem]:
    """Return the submissions that have sessions awaiting moderation, oldest first."""
    pending = list(db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.submission)
                              .selectinload(Submission.school))
        # Sessions entered without the form (scripts, demo) have no submission to moderate.
        .where(Event.status == EventStatus.pending, Event.submission_id.is_not(None))
        .order_by(Event.submission_id, Event.start_at)))
    items: dict[int, QueueItem] = {}
    for event in pending:
        key = event.submission_id
        if key not in items:
            items[key] = QueueItem(event.submission, [])
        items[key].events.append(event)
    return sorted(items.values(), key=lambda item: (item.submission.created_at, item.submission.id))


def queue_pins(items: list[QueueItem], link: Callable[[int], str]) -> str:
    """Return the pins of the queued submissions whose venue is located, as JSON for the map script."""
    return json.dumps([{"id": item.submission.id, "lat": item.venue.lat, "lon": item.venue.lon,
                        "label": f"{item.submission.school.name} : {item.events[0].title}",
                        "url": link(item.submission.id)}
                       for item in items if item.submission and item.venue and item.venue.lat is not None],
                      ensure_ascii=False)


def approve(submission: Submission, admin: AdminUser) -> int:
    """Publish a submission's pending sessions; return how many."""
    now = utcnow()
    count = 0
    for event in events_of(submission):
        if event.status != EventStatus.pending:
            continue
        event.status, event.published_at, event.updated_at = EventStatus.published, now, now
        event.rejection_reason = None
        log("approved", admin.email, event=event, submission=submission, admin=admin)
        count += 1
    db.session.flush()
    return count


def reject(submission: Submission, admin: AdminUser, reason: str) -> int:
    """Refuse a submission's pending or published sessions with a reason; return how many."""
    now = utcnow()
    count = 0
    for event in events_of(submission):
        if event.status not in (EventStatus.pending, EventStatus.published):
            continue
        if event.status == EventStatus.published:
            event.sequence += 1
        event.status, event.rejection_reason, event.updated_at = EventStatus.rejected, reason, now
        log("rejected", admin.email, event=event, submission=submission, admin=admin, reason=reason)
        reminders.session_cancelled(event)
        count += 1
    db.session.flush()
    return count


def revoke_link(submission: Submission, admin: AdminUser) -> None:
    """Stop a submission's edit link from working."""
    revoke_token(submission)
    log("link_revoked", admin.email, submission=submission, admin=admin)
    db.session.flush()


def reissue_link(submission: Submission, admin: AdminUser) -> str:
    """Give a submission a new edit link (the old one stops working); return the new token."""
    token = issue_token(submission)
    log("link_reissued", admin.email, submission=submission, admin=admin)
    db.session.flush()
    return token


def history(page: int = 1, size: int = 50, submission: Submission | None = None) -> tuple[list[ModerationLog], int]:
    """Return one page of the moderation history, newest first, and the total count."""
    stmt = select(ModerationLog)
    if submission is not None:
        stmt = stmt.where(ModerationLog.submission_id == submission.id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    entries = db.session.scalars(
        stmt.options(selectinload(ModerationLog.event), selectinload(ModerationLog.submission))
        .order_by(ModerationLog.at.desc(), ModerationLog.id.desc()).limit(size).offset((page - 1) * size))
    return list(entries), total


def recently_edited(limit: int = 20) -> list[ModerationLog]:
    """Return the latest edits schools made to already published sessions, to review them."""
    return list(db.session.scalars(
        select(ModerationLog).join(Event, Event.id == ModerationLog.event_id)
        .options(selectinload(ModerationLog.event))
        .where(ModerationLog.action == "edited", Event.status == EventStatus.published)
        .order_by(ModerationLog.at.desc()).limit(limit)))


ACTION_LABELS = {
    "submitted": _l("Proposition envoyée"),
    "approved": _l("Validée"),
    "rejected": _l("Refusée"),
    "edited": _l("Modifiée par l’école"),
    "cancelled": _l("Annulée par l’école"),
    "withdrawn": _l("Retirée par l’école"),
    "venue_edited": _l("Lieu modifié par l’école"),
    "link_revoked": _l("Lien de modification révoqué"),
    "link_reissued": _l("Nouveau lien de modification"),
    "imported": _l("Importée (CSV)"),
    "broadcast_edit": _l("Émission modifiée"),
    "broadcast_add": _l("Émission ajoutée"),
    "broadcast_delete": _l("Émission supprimée"),
    "broadcast_schedule": _l("Programme des émissions proposé"),
}


def action_label(action: str) -> str:
    """Return the French label of a history action."""
    return str(ACTION_LABELS.get(action, action))


@click.command("create-admin")
@click.argument("email")
@click.password_option("--password", prompt="Mot de passe", confirmation_prompt="Confirmez le mot de passe",
                       help="The password (asked for when omitted).")
def create_admin_command(email: str, password: str) -> None:
    """Create a GEN staff account, or reset its password."""
    if "@" not in email:
        raise click.BadParameter("une adresse e-mail est attendue", param_hint="EMAIL")
    try:
        admin = create_admin(email, password)
    except ValueError:
        raise click.BadParameter(f"au moins {MIN_PASSWORD_LENGTH} caractères",
                                 param_hint="--password") from None
    db.session.commit()
    click.echo(f"Compte {admin.email} prêt.")


def init_app(app: Flask) -> None:
    """Register the create-admin command."""
    app.cli.add_command(create_admin_command)
