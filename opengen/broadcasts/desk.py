"""The GEN team's edits to the broadcast lineup from the admin pages, recorded in the history."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from ..db import db
from ..models import AdminUser, Broadcast, Edition
from ..submissions.operations import log
from . import operations
from .operations import Outcome


def _note(broadcast_title: str) -> str:
    return _("Émission : %(title)s", title=broadcast_title)


def edit(broadcast: Broadcast, admin: AdminUser, **fields) -> bool:
    """Change a broadcast (see broadcasts.update) and log it; return whether anything changed.

    A title or description sent back as it was counts as untouched, so an automatic one follows
    new families, as with the command line.
    """
    if fields.get("title") == broadcast.title:
        fields["title"] = None
    if fields.get("description") == (broadcast.description or ""):
        fields["description"] = None
    changed = operations.update(broadcast, **fields)
    if changed:
        log("broadcast_edit", admin.email, admin=admin, reason=_note(broadcast.title))
        db.session.flush()
    return changed


def add(edition: Edition, admin: AdminUser, *, replay_url: str = "", **fields) -> Broadcast:
    """Add a broadcast to the edition (see broadcasts.create), with its replay link, and log it."""
    broadcast = operations.create(edition, **fields)
    if replay_url:
        operations.update(broadcast, replay_url=replay_url)
    log("broadcast_add", admin.email, admin=admin, reason=_note(broadcast.title))
    db.session.flush()
    return broadcast


def delete(broadcast: Broadcast, admin: AdminUser) -> None:
    """Remove a broadcast from the lineup and log it."""
    title = broadcast.title
    operations.remove(broadcast)
    log("broadcast_delete", admin.email, admin=admin, reason=_note(title))
    db.session.flush()


def schedule(edition: Edition, admin: AdminUser) -> Outcome:
    """Propose and store a lineup keeping the fixed slots; raise ScheduleError if impossible."""
    outcome = operations.apply_lineup(edition, operations.propose(edition))
    log("broadcast_schedule", admin.email, admin=admin,
        reason=_("%(scheduled)s, %(removed)s.",
                 scheduled=ngettext("%(num)s émission au programme", "%(num)s émissions au programme",
                                    len(outcome.changes)),
                 removed=ngettext("%(num)s retirée", "%(num)s retirées", len(outcome.removed))))
    db.session.flush()
    return outcome
