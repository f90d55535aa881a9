"""What schools do with their sessions: propose (locate, warn, save), edit, cancel; the staff's log of it."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import reminders
from ..checks import FieldError
from ..db import begin_write, db, utcnow
from ..events.labels import STATUS_LABELS
from ..i18n import locale_key
from ..models import (
    CareerFamily,
    Edition,
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    ModerationLog,
    School,
    Submission,
    Venue,
)
from ..places import venues
from ..places.place import Place
from ..places.venues import Location, VenueDraft, create_venue
from ..timezones import PARIS_NAME
from . import once
from .duplicates import warnings_for
from .links import issue_token
from .schools import find_or_create_school
from .windows import (
    ACTIVE_STATUSES,
    check_cancellable,
    check_editable,
    may_edit,
    require_open_edition,
)
@dataclass(frozen=True)
class EventDetails:
    """What a school says about a session, apart from where and when."""

    title: str
    description: str
    kind: EventKind
    families: tuple[str, ...]
    audience: tuple[str, ...] = ()
    accessibility: str = ""
    wheelchair_accessible: bool = False
    format: EventFormat = EventFormat.onsite
    online_url: str | None = None
    capacity: int | None = None
    registration_url: str | None = None


@dataclass(frozen=True)
class SubmissionDraft:
    """A whole submission as typed: the school, the event, its venue and its one-hour slots."""

    school_name: str
    contact_email: str
    details: EventDetails
    venue: VenueDraft | None
    slots: tuple[tuple[datetime, datetime], ...]
    school_website: str | None = None
    network: str | None = None

    @property
    def timezone(self) -> str:
        """The clock the sessions are read in: the venue's, else Paris."""
        return self.venue.timezone if self.venue else PARIS_NAME


@dataclass
class Submitted:
    """A saved submission with its sessions and its edit token, given out once."""

    submission: Submission
    token: str
    events: list[Event] = field(default_factory=list)


# --- submitting -----------------------------------------------------------------------------

def _families(slugs: tuple[str, ...]) -> list[CareerFamily]:
    found = {f.slug: f for f in db.session.scalars(select(CareerFamily).where(CareerFamily.slug.in_(slugs)))}
    return [found[slug] for slug in slugs if slug in found]


def _apply_details(event: Event, details: EventDetails, families: list[CareerFamily]) -> None:
    event.title, event.description, event.kind = details.title, details.description, details.kind
    event.format, event.online_url = details.format, details.online_url
    event.capacity, event.registration_url = details.capacity, details.registration_url
    event.audience = list(details.audience)
    event.accessibility, event.wheelchair_accessible = details.accessibility, details.wheelchair_accessible
    event.families = families


def log(action: str, actor: str, event: Event | None = None, submission: Submission | None = None,
        admin=None, reason: str | None = None) -> ModerationLog:
    """Record who did what, for the moderation history."""
    entry = ModerationLog(action=action, actor=actor, event=event, admin=admin, reason=reason,
                          submission=submission or (event.submission if event is not None else None))
    db.session.add(entry)
    return entry


def start_submission(school_name: str, contact_email: str, school_website: str | None = None,
                     network: str | None = None, client_key: str | None = None, *,
                     known: dict[str, School] | None = None, flush: bool = True) -> Submitted:
    """Open a submission for a school (created if new), with a fresh edit token (an import passes
    the schools it has looked up, and flushes a batch of rows at once)."""
    school = find_or_create_school(school_name, school_website, network, known=known, flush=flush)
    submission = Submission(school=school, contact_email=contact_email, client_key=client_key, locale=locale_key())
    token = issue_token(submission)
    db.session.add(submission)
    if flush:
        db.session.flush()
    return Submitted(submission, token)


def add_sessions(submitted: Submitted, draft: SubmissionDraft, venue: Venue | None,
                 edition: Edition | None = None,
                 known_families: dict[str, CareerFamily] | None = None, *, flush: bool = True) -> list[Event]:
    """Add one pending session per slot of a draft to an open submission (of the edition taking
    proposals unless given; an import passes the families it has read once); raise
    SubmissionsClosed when no edition takes proposals."""
    edition = require_open_edition(edition)
    submission = submitted.submission
    added = []
    families = (_families(draft.details.families) if known_families is None else
                [known_families[slug] for slug in draft.details.families if slug in known_families])
    for start, end in sorted(draft.slots):
        event = Event(edition=edition, school=submission.school, venue=venue, submission=submission,
                      status=EventStatus.pending, start_at=start, end_at=end,
                      contact_email=submission.contact_email, sequence=0)
        _apply_details(event, draft.details, families)
        db.session.add(event)
        added.append(event)
    submitted.events.extend(added)
    if flush:
        db.session.flush()
    return added


def submit(draft: SubmissionDraft, location: Location | None, client_key: str | None = None,
           edition: Edition | None = None) -> Submitted:
    """Save a submission and its sessions, pending moderation, in the edition taking proposals;
    return it with its edit token (raise SubmissionsClosed when no edition takes proposals)."""
    edition = require_open_edition(edition)
    submitted = start_submission(draft.school_name, draft.contact_email, draft.school_website,
                                 draft.network, client_key)
    venue = None
    if draft.venue is not None and draft.details.format != EventFormat.online:
        venue = create_venue(submitted.submission.school, draft.venue, location or Location(None))
    add_sessions(submitted, draft, venue, edition)
    log("submitted", draft.contact_email, submission=submitted.submission,
        reason=ngettext("%(num)s session", "%(num)s sessions", len(submitted.events)))
    db.session.flush()
    return submitted


@dataclass
class Proposal:
    """A checked submission: its located venue, then either the warnings to confirm or the saved result."""

    draft: SubmissionDraft
    location: Location | None
    warnings: list[str] = field(default_factory=list)
    pin_error: str | None = None
    submitted: Submitted | None = None
    resent: bool = False  # the same confirmed form had already been saved

    @property
    def once_token(self) -> str:
        """A fresh one-time token for the confirmation step, so that it is saved once however often sent."""
        return once.new_token()

    @property
    def place_token(self) -> str:
        """The signed geocoding result, so the confirmation step need not ask the geocoder again."""
        return venues.sign_location(self.draft.venue, self.location) if self.draft.venue else ""

    @property
    def coarse(self) -> bool:
        """Tell whether only the town was found, so the school must move the pin onto the building."""
        place = self.location.place if self.location else None
        return place is not None and venues.is_coarse(place)


def propose(draft: SubmissionDraft, signed: str | None, confirmed: bool = False,
            pin: tuple[float | None, float | None] = (None, None), client_key: str | None = None,
            edition: Edition | None = None, once_token: str | None = None) -> Proposal:
    """Locate a submission's venue (raise FieldError if it is not where the school said); save it, pin
    applied, once the school confirmed (only once per confirmation's once_token), else return the
    warnings it should see first (a pin already given, e.g. copied from an earlier session, is kept
    when it is near the address found)."""
    require_open_edition(edition)
    location = venues.locate_draft(draft.venue, signed) if draft.venue is not None else None
    proposal = Proposal(draft, location)
    if confirmed:
        try:
            pinned = venues.with_pin(location, *pin) if location is not None else None
        except FieldError as error:
            proposal.pin_error = error.message
        else:
            begin_write()
            proposal.submitted, proposal.resent = once.save_once(
                once_token, lambda: submit(draft, pinned, client_key, edition))
            return proposal
    elif location is not None:
        try:
            proposal.location = venues.with_pin(location, *pin)
        except FieldError:
            pass  # too far from the address now typed: start from the address found
    proposal.warnings = warnings_for(draft)
    return proposal


# --- editing and cancelling -----------------------------------------------------------------

def _summary(event: Event) -> tuple:
    return (event.title, event.description, event.kind, event.format, event.online_url, event.capacity,
            event.registration_url, tuple(event.audience or ()), event.accessibility,
            event.wheelchair_accessible, tuple(f.slug for f in event.families), event.start_at,
            event.end_at)


def can_edit(event: Event) -> bool:
    """Tell whether a school may still change a session (not refused nor cancelled)."""
    return event.status in ACTIVE_STATUSES  # the edition's window is windows.may_edit's business


def status_label(event: Event) -> str:
    """Return the French status of a session as a school or the staff should read it."""
    if event.status == EventStatus.rejected and event.cancelled_at is not None:
        return _("Retirée par l’école avant publication")
    return str(STATUS_LABELS[event.status.value])


def edit_event(event: Event, details: EventDetails, start: datetime, end: datetime) -> bool:
    """Change a session's details and time; bump its sequence if anything changed.

    Raise FieldError when the session is cancelled or refused, or its edition takes no more changes."""
    check_editable(event)
    before, announced = _summary(event), event.start_at
    _apply_details(event, details, _families(details.families))
    if event.venue is None and details.format != EventFormat.online:
        event.format = EventFormat.online
    event.start_at, event.end_at = start, end
    if _summary(event) == before:
        return False
    if event.status == EventStatus.published and start != announced:  # moved while public
        event.previous_start_at = announced
    event.sequence += 1
    event.updated_at = utcnow()
    log("edited", event.submission.contact_email if event.submission else "", event=event)
    reminders.session_changed(event)
    db.session.flush()
    return True


def cancel_event(event: Event, actor: str) -> None:
    """Cancel a session: a published one stays visible as cancelled, a pending one is withdrawn.

    Raise FieldError when it is already cancelled or refused, or has started after its edition closed."""
    check_cancellable(event)
    now = utcnow()
    event.cancelled_at = now
    event.updated_at = now
    event.sequence += 1
    if event.status == EventStatus.published:
        event.status = EventStatus.cancelled
        log("cancelled", actor, event=event)
    else:
        # Never shown to the public: it must not appear now, even as cancelled.
        event.status = EventStatus.rejected
        event.rejection_reason = _("Retirée par l’école avant publication.")
        log("withdrawn", actor, event=event)
    reminders.session_cancelled(event)
    db.session.flush()


def relocate(venue: Venue, draft: VenueDraft, pin: tuple[float | None, float | None]) -> Location:
    """Locate a venue's corrected address; an unchanged address keeps its place and takes the moved pin.

    Raise FieldError if the address is not where the school said, or the pin wandered too far.
    """
    if draft.key == venues.draft_of(venue).key and draft.city == venue.city and venue.lat is not None:
        place = Place(lat=venue.lat, lon=venue.lon, label=venue.address, source=venue.geocode_source or "",
                      precision=venue.geocode_precision or "", insee=venue.insee_code,
                      postcode=venue.postcode, city=venue.city, department=venue.department,
                      region=venue.region)
        location = Location(place, venue.lat, venue.lon, corrected=venue.pin_corrected)
        moved = venues.with_pin(location, *pin)
        return moved if moved.corrected else location
    return venues.locate_draft(draft)


def edit_venue(submission: Submission, venue: Venue, draft: VenueDraft, location: Location) -> bool:
    """Change one of a submission's venues (its sessions follow); log and return whether it changed.

    Raise FieldError when none of the submission's sessions there may still be changed."""
    if not venue_editable(submission, venue):
        raise FieldError("address", _("Les sessions de ce lieu ne peuvent plus être modifiées : "
                                      "les propositions de leur édition sont closes."))
    changed = venues.update_venue(venue, draft, location)
    if changed:
        log("venue_edited", submission.contact_email, submission=submission)
        reminders.venue_changed(venue)
        db.session.flush()
    return changed


def venue_editable(submission: Submission, venue: Venue) -> bool:
    """Tell whether one of the submission's sessions at the venue may still be changed."""
    return any(may_edit(e) for e in events_of(submission) if e.venue_id == venue.id)


def events_of(submission: Submission) -> list[Event]:
    """Return a submission's sessions in time order, with venue and families loaded."""
    return list(db.session.scalars(
        select(Event).options(selectinload(Event.venue), selectinload(Event.families))
        .where(Event.submission_id == submission.id).order_by(Event.start_at, Event.id)))


def venues_of(submission: Submission) -> list[Venue]:
    """Return the distinct venues of a submission's sessions."""
    return list(db.session.scalars(
        select(Venue).where(Venue.id.in_(select(Event.venue_id).where(Event.submission_id == submission.id)))
        .order_by(Venue.id)))
